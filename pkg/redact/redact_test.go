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
		{"found an undefined tag handle in File: s.yaml", "found an undefined tag handle in File: s.yaml"}, // a second pass
		{`Secret s: cannot decode !!str "Tr0ub4dor" as a !!int`, "Secret s: cannot decode !!str value as a !!int"},
		{"yaml: cannot unmarshal !!str `Tr0ub4dor` into int", "yaml: cannot unmarshal !!str value into int"},
		{`error calling tpl: error during tpl function execution for "db:\n  password: Tr0ub4dor": boom`, "error calling tpl: error during tpl function execution for a template: boom"},
		{`cannot parse template "Tr0{{ub4dor": unexpected`, "cannot parse template a template: unexpected"},
		{`at <tpl .Values.p .>: error calling tpl: cannot parse template "Tr0{{ub4dor": template: gotpl:1: function "ub4dor" not defined (not assessed)`,
			"at <tpl .Values.p .>: error calling tpl: cannot parse template a template: template: gotpl:1: function a name not defined (not assessed)"},
		{"--etcd-servers includes http://root:Tr0ub4dor@127.0.0.1:2379: no TLS", "--etcd-servers includes http://root:xxxxx@127.0.0.1:2379: no TLS"},
		{"sent to https://hook.example/api?token=Tr0ub4dor&x=1 (plain)", "sent to https://hook.example/api?token=xxxxx&x=xxxxx (plain)"},
		{"yaml: cannot unmarshal !!str `a`Tr0ub4dor` into int", "yaml: cannot unmarshal !!str value into int"},
		{`yaml: invalid map key: []interface {}{"Tr0ub4dor"}`, "yaml: invalid map key (a list or a map)"},
		{`Get "https://adm:***@127.0.0.1:1/?tok=Tr0ub4dor": refused`, `Get "https://adm:xxxxx@127.0.0.1:1/?tok=xxxxx": refused`},
		{`parse "https://adm:Tr0ub4dor Tr0ub4dor@127.0.0.1:1/version": invalid userinfo`, `parse "https://adm:xxxxx@127.0.0.1:1/version": invalid userinfo`},
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

func TestDecodedValues(t *testing.T) {
	for in, want := range map[string]string{
		`spec.replicas: cannot use string "three" as int32`: "spec.replicas: cannot use a string as int32",
		`metadata.creationTimestamp: cannot use a string as v1.Time: parsing time "Tr0ub4dor" as "2006-01-02T15:04:05Z07:00": cannot parse "Tr0ub4dor" as "2006"`: `metadata.creationTimestamp: cannot use a string as v1.Time: parsing time "…" as "…": cannot parse "…" as "…"`,
		"port: cannot use a number as intstr.IntOrString: json: cannot unmarshal number 98765432101234 into Go value":                                             "port: cannot use a number as intstr.IntOrString: json: cannot unmarshal a number into Go value",
		`unknown field "x"`: `unknown field "x"`,
		`metadata.creationTimestamp: cannot use a string as v1.Time: parsing time "SECRETSECRETSECRETSE...`: `metadata.creationTimestamp: cannot use a string as v1.Time: parsing time "…"`,
	} {
		if got := DecodedValues(in); got != want {
			t.Errorf("DecodedValues(%q)\n got  %q\n want %q", in, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@host:6443/x":      "https://user:xxxxx@host:6443/x",
		"http://host:8080/hook":            "http://host:8080/hook",
		"https://host/?token=abc&x":        "https://host/?token=xxxxx&xxxxx",
		"http://user:pw@bad host:1:2/":     "http://user:xxxxx@bad host:1:2/",
		"http://root:a/b c@d@0.0.0.0:2379": "http://root:xxxxx@0.0.0.0:2379",
		"https://token@host/":              "https://xxxxx@host/",
		"https://adm:a?b@host:1/":          "https://adm:xxxxx@host:1/",
		"host:2379?token=abc":              "host:2379?token=xxxxx",
		"host:2379":                        "host:2379",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}
