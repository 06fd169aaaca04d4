package node

/*
AA-02: the kubelet must not serve anonymous requests.

Read: authentication.anonymous.enabled, flag --anonymous-auth.
Passes: false. Unset passes only when a configuration file is used: its v1beta1 default is false;
        the kubelet binary's default without one is true, so unset then fails (kubescape's
        C-0069 reports only an explicit true).

AA-03: the kubelet must authorize requests with the API server.

Read: authorization.mode, flag --authorization-mode.
Passes: Webhook. Fails: AlwaysAllow, including unset without a configuration file (the binary's
        default); with a file the default is Webhook.

AA-04: the kubelet must verify client certificates.

Read: authentication.x509.clientCAFile, flag --client-ca-file.
Fails: unset or empty (then no client certificate is trusted, and the API server's own
       connections to the kubelet cannot be authenticated by certificate).
*/

import "github.com/kubeharden/kubeharden/pkg/checks"

func init() {
	checks.Register(
		KubeletCheck("AA-02", func(j *Judge) {
			s := j.Get("authentication.anonymous.enabled", "anonymous-auth")
			v, ok := s.Bool(!j.K.HasConfig)
			switch {
			case !ok:
				j.Fail(s, "%s is not a boolean", s.Describe())
			case v && s.Set:
				j.Fail(s, "%s: the kubelet API (exec, logs, pod listing on port 10250) answers requests without credentials as system:anonymous", s.Describe())
			case v:
				j.Fail(s, "anonymous authentication is %s: the kubelet API answers requests without credentials", j.unsetDefault("enabled"))
			}
		}),
		KubeletCheck("AA-03", func(j *Judge) {
			s := j.Get("authorization.mode", "authorization-mode")
			def := "AlwaysAllow"
			if j.K.HasConfig {
				def = "Webhook"
			}
			if mode := s.String(def); mode == "AlwaysAllow" {
				if s.Set {
					j.Fail(s, "%s: every authenticated request to the kubelet API is allowed; use Webhook", s.Describe())
				} else {
					j.Fail(s, "the authorization mode is %s: every authenticated request to the kubelet API is allowed", j.unsetDefault("AlwaysAllow"))
				}
			} else if mode != "Webhook" {
				j.Fail(s, "%s is not a kubelet authorization mode (Webhook or AlwaysAllow)", s.Describe())
			}
		}),
		KubeletCheck("AA-04", func(j *Judge) {
			s := j.Get("authentication.x509.clientCAFile", "client-ca-file")
			if s.String("") == "" {
				j.Fail(s, "no client CA is set (authentication.x509.clientCAFile or --client-ca-file): the kubelet cannot authenticate clients, including the API server, by certificate")
			}
		}),
	)
}
