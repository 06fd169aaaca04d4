package yaml

import (
	"testing"

	"sigs.k8s.io/yaml"
)

// Every string must read back as the same string, whatever it looks like.
func TestScalarStringRoundTrips(t *testing.T) {
	for _, s := range []string{
		"", " ", "plain", "yes", "No", "on", "OFF", "y", "null", "~", "true", "1", "0x1F", "017", "1e3",
		".5", "-1", "+1", "2026-11-26", "a: b", "a #b", "a:", "- x", "? x", "[x]", "{x}", "&a", "*a", "!t",
		"|x", ">x", "'x'", `"x"`, "%x", "@x", "`x", "line\nbreak", "tab\there", "ünïcode", "emoji \U0001F600",
		"<tag> & more", `back\slash`, "ends with space ", "kubescape:C-0057", "spec.containers[0].image",
	} {
		out := "k: " + scalarString(s) + "\n"
		var m map[string]any
		if err := yaml.Unmarshal([]byte(out), &m); err != nil {
			t.Errorf("%q -> %q does not parse: %v", s, out, err)
			continue
		}
		if got, ok := m["k"].(string); !ok || got != s {
			t.Errorf("%q -> %q reads back as %#v", s, out, m["k"])
		}
	}
}
