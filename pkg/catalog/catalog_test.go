package catalog

import (
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	sigsyaml "sigs.k8s.io/yaml"
)

func TestDefaultCatalogLoads(t *testing.T) {
	c := Default()
	if len(c.All()) < 20 {
		t.Fatalf("catalog has only %d controls", len(c.All()))
	}
	for _, s := range []string{"PS-14", "ps-14"} {
		if c.Get(s) == nil {
			t.Errorf("Get(%q) = nil", s)
		}
	}
	privileged := c.Get("PS-14")
	if privileged.Severity != SeverityCritical || privileged.Section != SectionPodSecurity {
		t.Errorf("PS-14 = %v/%v, want critical/pod-security", privileged.Severity, privileged.Section)
	}
	// Every section-1 control that mirrors a PSS check carries a pss: reference.
	if !containsPrefix(privileged.References, "pss:baseline/privileged") {
		t.Errorf("PS-14 references %v lack pss:baseline/privileged", privileged.References)
	}
}

func TestOrderIsSectionThenNumericID(t *testing.T) {
	all := Default().All()
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Section > b.Section || (a.Section == b.Section && !LessID(a.ID, b.ID)) {
			t.Fatalf("%s (%v) sorted before %s (%v)", a.ID, a.Section, b.ID, b.Section)
		}
	}
}

func TestLessID(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"PS-2", "PS-10", true},
		{"PS-10", "PS-2", false},
		{"AA-01", "NS-01", true},
		{"PS-01", "PS-01", false},
		{"PS-1", "PS-1A", true},
	}
	for _, c := range cases {
		if got := LessID(c.a, c.b); got != c.want {
			t.Errorf("LessID(%q,%q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestLoadRejectsBadControls(t *testing.T) {
	valid := "- id: X-1\n  title: t\n  section: network\n  severity: low\n  sources: [manifest]\n  checked: c\n  rationale: r\n  remediation: m\n"
	cases := map[string]string{
		"duplicate ID":     valid + strings.TrimPrefix(valid, ""),
		"unknown field":    valid + "  colour: red\n",
		"bad severity":     strings.Replace(valid, "severity: low", "severity: urgent", 1),
		"bad section":      strings.Replace(valid, "section: network", "section: kitchen", 1),
		"bad source":       strings.Replace(valid, "[manifest]", "[telepathy]", 1),
		"missing checked":  strings.Replace(valid, "  checked: c\n", "", 1),
		"lower-case ID":    strings.Replace(valid, "X-1", "x-1", 1),
		"bad reference":    valid + "  references: [wikipedia:Foo]\n",
		"missing severity": strings.Replace(valid, "  severity: low\n", "", 1),
	}
	for name, doc := range cases {
		_, err := Load(fstest.MapFS{"controls/a.yaml": {Data: []byte(doc)}})
		if err == nil {
			t.Errorf("%s: Load accepted it", name)
		}
	}
	if _, err := Load(fstest.MapFS{"controls/a.yaml": {Data: []byte(valid)}}); err != nil {
		t.Fatalf("valid control rejected: %v", err)
	}
}

func TestParseSeverityAndSection(t *testing.T) {
	if s, err := ParseSeverity("HIGH"); err != nil || s != SeverityHigh {
		t.Errorf("ParseSeverity(HIGH) = %v, %v", s, err)
	}
	if s, err := ParseSeverity("c"); err != nil || s != SeverityCritical {
		t.Errorf("ParseSeverity(c) = %v, %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent) succeeded")
	}
	for in, want := range map[string]Section{"2": SectionNetwork, "net": SectionNetwork, "auth": SectionAuth, "pod-security": SectionPodSecurity} {
		if got, err := ParseSection(in); err != nil || got != want {
			t.Errorf("ParseSection(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSection("9"); err == nil {
		t.Error("ParseSection(9) succeeded")
	}
}

func containsPrefix(list []string, s string) bool {
	for _, r := range list {
		if strings.HasPrefix(r, s) {
			return true
		}
	}
	return false
}

// controlFiles is the package directory, which holds the catalog's YAML under controls/.
var controlFiles = os.DirFS(".")

// TestGeneratedMatchesYAML: the catalog compiled into the binary is exactly what the YAML says,
// so an edit of controls/*.yaml without `go generate` fails here, not silently in production.
func TestGeneratedMatchesYAML(t *testing.T) {
	want, err := Load(controlFiles)
	if err != nil {
		t.Fatal(err)
	}
	got := Default().All()
	if len(got) != len(want.All()) {
		t.Fatalf("controls_generated.go holds %d controls, controls/*.yaml %d: run go generate ./pkg/catalog", len(got), len(want.All()))
	}
	for i, w := range want.All() {
		if !reflect.DeepEqual(got[i], w) {
			t.Errorf("control %d: generated %s differs from the YAML's %s: run go generate ./pkg/catalog", i, got[i].ID, w.ID)
		}
		if Default().Get(w.ID) != got[i] {
			t.Errorf("Get(%s) does not return the generated control", w.ID)
		}
	}
}

// TestParseMatchesSigsYAML: the catalog's YAML reads the same through the project's parser as
// through sigs.k8s.io/yaml, strict mode included.
func TestParseMatchesSigsYAML(t *testing.T) {
	names, err := fs.Glob(controlFiles, "controls/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no catalog files: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(controlFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseControls(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want []*Control
		if err := sigsyaml.UnmarshalStrict(data, &want); err != nil {
			t.Fatalf("%s: sigs.k8s.io/yaml: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the two parsers disagree", name)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(controlFiles); err != nil {
			b.Fatal(err)
		}
	}
}
