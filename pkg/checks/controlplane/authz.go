package controlplane

/*
AA-11: the API server must authorize with RBAC and the Node authorizer, never AlwaysAllow.

Read: kube-apiserver --authorization-mode (default AlwaysAllow), or --authorization-config ->
      AuthorizationConfiguration.authorizers[].type.
Passes: the modes include RBAC and Node and not AlwaysAllow.
Fails:  AlwaysAllow present, or RBAC missing (critical); Node missing (high: kubelets can then
        read every Secret their RBAC allows instead of only their own pods').
With --authorization-config the verdict is given on that file.

AA-12: admission must restrict nodes and never admit everything.

Read: kube-apiserver --enable-admission-plugins, --disable-admission-plugins.
Passes: NodeRestriction enabled (it is not on by default) and not disabled; AlwaysAdmit absent.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "AA-11", Match: Either(Is(inventory.ComponentAPIServer), IsKind(inventory.KindAuthorizationConfiguration)), Assess: assessAuthorization},
		checks.Check{ID: "AA-12", Match: Is(inventory.ComponentAPIServer), Assess: assessNodeAdmission},
	)
}

func assessAuthorization(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if cfg, ok := o.Typed.(*inventory.AuthorizationConfiguration); ok {
		var modes, paths []string
		for i, az := range cfg.Authorizers {
			modes = append(modes, az.Type)
			paths = append(paths, inventory.Index("authorizers", i)+".type")
		}
		judgeModes(a, modes, func(mode string) string {
			for i, m := range modes {
				if m == mode {
					return paths[i]
				}
			}
			return "authorizers"
		}, "the authorization configuration")
		return
	}
	c := Component(o, inv)
	if cfgObj, f, set := configOf(inv, c, "authorization-config", inventory.KindAuthorizationConfiguration); set {
		if cfgObj == nil {
			a.NotAssessed(notReadable(o, f))
		} else {
			a.Skip() // judged on the file
		}
		return
	}
	modes, path, set := list(c, "authorization-mode")
	if !set {
		a.Fail(path, "--authorization-mode is not set, and the API server's default is AlwaysAllow: every authenticated request is allowed")
		return
	}
	judgeModes(a, modes, func(string) string { return path }, "--authorization-mode="+joinQuoted(modes))
}

func judgeModes(a *checks.Assessment, modes []string, pathOf func(mode string) string, what string) {
	if has(modes, "AlwaysAllow") {
		a.Failf(pathOf("AlwaysAllow"), "%s includes AlwaysAllow: every authenticated request is allowed", what)
	}
	if !has(modes, "RBAC") {
		a.Failf(pathOf("RBAC"), "%s does not include RBAC", what)
	}
	if !has(modes, "Node") {
		a.FailSeverity(catalog.SeverityHigh, pathOf("Node"), what+" does not include Node: kubelets are not limited to the objects of their own pods")
	}
}

func assessNodeAdmission(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	enabled, path, _ := list(c, "enable-admission-plugins")
	disabled, dpath, _ := list(c, "disable-admission-plugins")
	switch {
	case has(disabled, "NodeRestriction"):
		a.Fail(dpath, "--disable-admission-plugins includes NodeRestriction: kubelets may modify other nodes and pods")
	case !has(enabled, "NodeRestriction"):
		a.Fail(path, "--enable-admission-plugins does not include NodeRestriction (it is off by default): kubelets may modify other nodes and pods")
	}
	if has(enabled, "AlwaysAdmit") {
		a.Fail(path, "--enable-admission-plugins includes AlwaysAdmit, which admits every request")
	}
}
