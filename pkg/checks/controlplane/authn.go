package controlplane

/*
AA-01: the API server must not accept anonymous requests (beyond health probes).

Read:

	kube-apiserver --anonymous-auth (default true)
	kube-apiserver --authentication-config -> AuthenticationConfiguration.anonymous
	  .enabled and .conditions[].path (Kubernetes 1.32 and later)

Passes: --anonymous-auth=false; or an AuthenticationConfiguration whose anonymous section is
        disabled, or enabled only for the paths /livez, /readyz and /healthz.
Fails:  --anonymous-auth unset or true (and no anonymous section in the configuration file);
        an anonymous section enabled without conditions or for other paths.
When the configuration file has an anonymous section it decides (the API server then refuses
--anonymous-auth) and the verdict is given on the file; otherwise on the API server.

AA-07: static token and basic-auth files must not be used.

Read: kube-apiserver --token-auth-file, --basic-auth-file (removed in 1.19, still flagged).
Fails: either is set.

AA-08: users should authenticate through an identity provider.

Read: kube-apiserver --oidc-issuer-url, --authentication-token-webhook-config-file,
      --authentication-config -> AuthenticationConfiguration.jwt[].
Passes: any of them configures an external authenticator (a JWT issuer or a token webhook).
Fails:  none does, so people must use client certificates or tokens the cluster issues.

AA-10: service account tokens must be verified and signed properly.

Read: kube-apiserver --service-account-lookup (default true), --service-account-key-file;
      kube-controller-manager --use-service-account-credentials (default false),
      --service-account-private-key-file, --root-ca-file.
Fails: lookup false; any of the files unset; use-service-account-credentials not true.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "AA-01", Match: Either(Is(inventory.ComponentAPIServer), IsKind(inventory.KindAuthenticationConfiguration)), Assess: assessAnonymous},
		checks.Check{ID: "AA-07", Match: Is(inventory.ComponentAPIServer), Assess: assessStaticTokens},
		checks.Check{ID: "AA-08", Match: Is(inventory.ComponentAPIServer), Assess: assessIdentityProvider},
		checks.Check{ID: "AA-10", Match: Is(inventory.ComponentAPIServer, inventory.ComponentControllerManager), Assess: assessServiceAccounts},
	)
}

// healthPaths are the paths anonymous requests may be limited to.
var healthPaths = map[string]bool{"/livez": true, "/readyz": true, "/healthz": true}

func assessAnonymous(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if cfg, ok := o.Typed.(*inventory.AuthenticationConfiguration); ok {
		assessAnonymousConfig(a, cfg)
		return
	}
	c := Component(o, inv)
	if cfgObj, f, set := configOf(inv, c, "authentication-config", inventory.KindAuthenticationConfiguration); set {
		switch {
		case cfgObj == nil:
			a.NotAssessed(notReadable(o, f))
			return
		case cfgObj.Typed.(*inventory.AuthenticationConfiguration).Anonymous != nil:
			a.Skip() // the file decides; judged there
			return
		}
	}
	v, f, set, ok := boolFlag(c, "anonymous-auth", true)
	switch {
	case !ok:
		a.Failf(f.Path, "--anonymous-auth=%s is not a boolean", f.Value)
	case !set:
		a.Fail(MissingPath(c), "--anonymous-auth is not set, and the API server's default is true: requests without credentials are served as system:anonymous")
	case v:
		a.Fail(f.Path, "--anonymous-auth=true: requests without credentials are served as system:anonymous")
	}
}

func assessAnonymousConfig(a *checks.Assessment, cfg *inventory.AuthenticationConfiguration) {
	an := cfg.Anonymous
	if an == nil {
		a.Skip() // the API server's --anonymous-auth decides
		return
	}
	if !an.Enabled {
		return
	}
	if len(an.Conditions) == 0 {
		a.Fail("anonymous.enabled", "anonymous requests are enabled for every path")
		return
	}
	for i, cond := range an.Conditions {
		if !healthPaths[cond.Path] {
			a.Failf(inventory.Index("anonymous.conditions", i)+".path", "anonymous requests are enabled for %s, not only for the health endpoints /livez, /readyz and /healthz", cond.Path)
		}
	}
}

func assessStaticTokens(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	for _, name := range []string{"token-auth-file", "basic-auth-file"} {
		if f, _, set := value(c, name); set {
			a.Failf(f.Path, "--%s is set: static credentials in a file never expire and cannot be revoked without restarting the API server", name)
		}
	}
}

func assessIdentityProvider(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	for _, name := range []string{"oidc-issuer-url", "authentication-token-webhook-config-file"} {
		if _, _, set := value(c, name); set {
			return
		}
	}
	if cfgObj, f, set := configOf(inv, c, "authentication-config", inventory.KindAuthenticationConfiguration); set {
		if cfgObj == nil {
			a.NotAssessed(notReadable(o, f))
			return
		}
		if len(cfgObj.Typed.(*inventory.AuthenticationConfiguration).JWT) > 0 {
			return
		}
		a.Fail(f.Path, "the authentication configuration defines no JWT issuer, and neither --oidc-issuer-url nor a token webhook is set: users can only authenticate with client certificates or tokens the cluster issues")
		return
	}
	a.Fail(MissingPath(c), "no external identity provider is configured (--oidc-issuer-url, --authentication-config with a JWT issuer, or --authentication-token-webhook-config-file): users can only authenticate with client certificates or tokens the cluster issues")
}

func assessServiceAccounts(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	switch c.Name {
	case inventory.ComponentAPIServer:
		if v, f, set, ok := boolFlag(c, "service-account-lookup", true); set && (!ok || !v) {
			a.Failf(f.Path, "%s: the API server accepts tokens of deleted service accounts", f.Arg())
		}
		requireFlags(a, c, ": service account tokens cannot be verified against a dedicated key", "service-account-key-file")
	case inventory.ComponentControllerManager:
		if v, f, set, ok := boolFlag(c, "use-service-account-credentials", false); !set {
			a.Fail(MissingPath(c), "--use-service-account-credentials is not set (default false): every controller runs with the controller manager's own, broad credentials")
		} else if !ok || !v {
			a.Failf(f.Path, "%s: every controller runs with the controller manager's own, broad credentials", f.Arg())
		}
		requireFlags(a, c, "", "service-account-private-key-file", "root-ca-file")
	}
}

// joinQuoted renders a list for messages.
func joinQuoted(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ",")
}
