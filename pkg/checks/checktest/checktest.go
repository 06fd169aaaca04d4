// Package checktest loads testdata manifests and runs one check over them, for the table-driven
// tests that sit beside every check.
package checktest

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"sigs.k8s.io/yaml"
)

// Outcome is what a check said about one object.
type Outcome struct {
	Object   *inventory.Object
	Failures []checks.Failure
	// NotAssessed is the reason the object could not be assessed, if any.
	NotAssessed string
	Skipped     bool
}

// Paths returns the failure paths.
func (o Outcome) Paths() []string {
	var p []string
	for _, f := range o.Failures {
		p = append(p, f.Path)
	}
	return p
}

// Load reads a multi-document YAML file into an inventory.
func Load(t testing.TB, path string) *inventory.Inventory {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(t, path, data)
}

// Parse decodes YAML documents into an inventory. It uses sigs.k8s.io/yaml, so objects carry
// no line index: check tests assert verdicts and paths; line numbers are the loader's job and
// are tested there.
func Parse(t testing.TB, name string, data []byte) *inventory.Inventory {
	t.Helper()
	inv := &inventory.Inventory{}
	for i, doc := range bytes.Split(data, []byte("\n---")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("%s doc %d: %v", name, i, err)
		}
		if head.Kind == "" {
			continue
		}
		o := &inventory.Object{
			APIVersion: head.APIVersion, Kind: head.Kind,
			Name: head.Metadata.Name, Namespace: head.Metadata.Namespace,
			Origin: inventory.Origin{Source: inventory.SourceManifest, File: name, Doc: i, Line: 1},
		}
		if typed, meta, ok := inventory.NewTyped(head.APIVersion, head.Kind); ok {
			if err := yaml.UnmarshalStrict(doc, typed); err != nil {
				t.Fatalf("%s doc %d: %v", name, i, err)
			}
			o.Typed, o.Meta = typed, meta
		}
		inv.Add(o)
	}
	return inv
}

// Run runs the registered check for control id on every object of inv it matches. Like the
// engine, it first adds the implied namespaces (see Inventory.ImplyNamespaces), so namespace-level
// checks see one Namespace object per namespace the fixture uses.
func Run(t testing.TB, id string, inv *inventory.Inventory) []Outcome {
	t.Helper()
	c, ok := checks.Lookup(id)
	if !ok {
		t.Fatalf("no check registered for %s", id)
	}
	inv.ImplyNamespaces()
	var out []Outcome
	for _, o := range inv.Objects {
		if !c.Match(o) {
			continue
		}
		var a checks.Assessment
		c.Assess(&a, o, inv)
		out = append(out, Outcome{Object: o, Failures: a.Failures, NotAssessed: a.NotAssessedReason, Skipped: a.Skipped})
	}
	return out
}

// ByName indexes outcomes by object name (names are unique within a test file).
func ByName(outs []Outcome) map[string]Outcome {
	m := map[string]Outcome{}
	for _, o := range outs {
		m[o.Object.Name] = o
	}
	return m
}

// Expect checks a file whose objects declare their expected outcome by name: objects named
// "fail-*" must fail, "pass-*" must pass, "na-*" must be not assessed, "skip-*" must be skipped
// or unmatched. It returns the outcomes for further assertions (paths, messages, severities).
func Expect(t testing.TB, id, path string) map[string]Outcome {
	t.Helper()
	return ExpectInventory(t, id, path, Load(t, path))
}

// ExpectInventory is Expect on an inventory the test has already loaded and adjusted (for
// example with Complete set); path labels the errors. Implied namespaces are named after the
// namespace, so a fixture can expect one by using a namespace called "na-...".
func ExpectInventory(t testing.TB, id, path string, inv *inventory.Inventory) map[string]Outcome {
	t.Helper()
	outs := ByName(Run(t, id, inv))
	seen := 0
	for _, o := range inv.Objects {
		name := o.Name
		got, matched := outs[name]
		switch {
		case strings.HasPrefix(name, "fail-"):
			seen++
			if !matched || len(got.Failures) == 0 {
				t.Errorf("%s: %s %s should fail %s but did not", path, o.Kind, name, id)
			}
		case strings.HasPrefix(name, "pass-"):
			seen++
			if !matched || len(got.Failures) > 0 || got.NotAssessed != "" || got.Skipped {
				t.Errorf("%s: %s %s should pass %s; got matched=%v failures=%v notAssessed=%q skipped=%v",
					path, o.Kind, name, id, matched, got.Failures, got.NotAssessed, got.Skipped)
			}
		case strings.HasPrefix(name, "na-"):
			seen++
			if !matched || got.NotAssessed == "" {
				t.Errorf("%s: %s %s should be not assessed by %s", path, o.Kind, name, id)
			}
		case strings.HasPrefix(name, "skip-"):
			seen++
			if matched && !got.Skipped {
				t.Errorf("%s: %s %s should not be assessed by %s at all (failures=%v)", path, o.Kind, name, id, got.Failures)
			}
		}
	}
	if seen == 0 {
		t.Fatalf("%s: no fail-/pass-/na-/skip- objects", path)
	}
	return outs
}
