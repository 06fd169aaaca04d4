package redact

import (
	"strings"
	"testing"
)

func TestMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"unknown anchor 'Tr0ub4dor' referenced", "unknown anchor referenced"},
		{"yaml: unknown anchor 'a'b' referenced in File: x.yaml", "yaml: unknown anchor referenced in File: x.yaml"},
		{"anchor 'Tr0ub4dor' value contains itself", "anchor value contains itself"},
		{"found undefined tag handle !Pa55word!", "found an undefined tag handle"},
		{`Secret s: cannot decode !!str "Tr0ub4dor" as a !!int`, "Secret s: cannot decode !!str value as a !!int"},
		{"yaml: cannot unmarshal !!str `Tr0ub4dor` into int", "yaml: cannot unmarshal !!str value into int"},
		{`error calling tpl: error during tpl function execution for "db:\n  password: Tr0ub4dor": boom`, "error calling tpl: error during tpl function execution for a template: boom"},
		{`cannot parse template "Tr0{{ub4dor": unexpected`, "cannot parse template a template: unexpected"},
		{`at <tpl .Values.p .>: error calling tpl: cannot parse template "Tr0{{ub4dor": template: gotpl:1: function "ub4dor" not defined (not assessed)`,
			"at <tpl .Values.p .>: error calling tpl: cannot parse template a template: template: gotpl:1: function a name not defined (not assessed)"},
		{"--etcd-servers includes http://root:Tr0ub4dor@127.0.0.1:2379: no TLS", "--etcd-servers includes http://root:xxxxx@127.0.0.1:2379: no TLS"},
		{"sent to https://hook.example/api?token=Tr0ub4dor&x=1 (plain)", "sent to https://hook.example/api?token=xxxxx&x=xxxxx (plain)"},
		// Nothing to remove: returned as it is.
		{`spec.port: unknown field "protectionDoamin"`, `spec.port: unknown field "protectionDoamin"`},
		{"see https://kubernetes.io/docs/concepts/security/", "see https://kubernetes.io/docs/concepts/security/"},
	} {
		got := Message(tc.in)
		if got != tc.want {
			t.Errorf("Message(%q)\n got  %q\n want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "Tr0ub4dor") || strings.Contains(got, "ub4dor") {
			t.Errorf("Message(%q) keeps the value: %q", tc.in, got)
		}
	}
}

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@host:6443/x":  "https://user:xxxxx@host:6443/x",
		"http://host:8080/hook":        "http://host:8080/hook",
		"https://host/?token=abc":      "https://host/?token=xxxxx",
		"http://user:pw@bad host:1:2/": "http://user:xxxxx@bad host:1:2/",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}
