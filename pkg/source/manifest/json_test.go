package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONStream: a file that starts with '{' is read as kubectl reads it, a stream of JSON
// values (jq -c output, one per line or back to back), each an object with its lines. A value
// that is not valid JSON after two of them is an error at its line, and what follows is not
// read; before that, kubectl reads on as YAML, so a bare word in a one-object file is accepted.
func TestJSONStream(t *testing.T) {
	cm := func(name string) string {
		return fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q}}`, name)
	}
	pod := "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx\"}]}}"
	for _, tc := range []struct {
		name, data, objects, errs string
	}{
		{"lines.json", cm("a") + "\n" + pod + "\n", "ConfigMap/a@1 Pod/p@2", ""},
		{"packed.json", cm("a") + cm("b") + "\n\t" + cm("c"), "ConfigMap/a@1 ConfigMap/b@1 ConfigMap/c@2", ""},
		{"noext", cm("a") + "\n" + cm("b") + "\n", "ConfigMap/a@1 ConfigMap/b@2", ""},
		{"bare.json", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": JsonBareLeak16}}\n", "ConfigMap/JsonBareLeak16@1", ""},
		{"bad3.json", cm("a") + "\n" + cm("b") + "\n\n{\"apiVersion\": v1}\n" + cm("d") + "\n", "ConfigMap/a@1 ConfigMap/b@2", "4 not valid JSON: invalid character 'v'"},
		{"yamltail.json", cm("a") + "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", "ConfigMap/a@1 ConfigMap/b@2", ""},
	} {
		inv := Parse(tc.name, []byte(tc.data), "", Options{})
		var objs, errs []string
		for _, o := range inv.Objects {
			objs = append(objs, fmt.Sprintf("%s/%s@%d", o.Kind, o.Name, o.Origin.Line))
		}
		for _, e := range inv.Errors {
			errs = append(errs, fmt.Sprintf("%d %s", e.Line, e.Message))
		}
		if got := strings.Join(objs, " "); got != tc.objects {
			t.Errorf("%s: objects %s, want %s (errors %q)", tc.name, got, tc.objects, errs)
		}
		if got := strings.Join(errs, "|"); !strings.HasPrefix(got, tc.errs) || (tc.errs == "") != (got == "") {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.errs)
		}
	}
	// Lines inside a later value are its own.
	inv := Parse("l.json", []byte(cm("a")+"\n"+pod+"\n"), "", Options{})
	if p := inv.Get("Pod", "default", "p"); p == nil || p.Line("spec.containers[0].image") != 3 {
		t.Errorf("pod image line: %+v", p)
	}
}
