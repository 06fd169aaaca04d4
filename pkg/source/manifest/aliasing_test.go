package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// listBomb is a List whose first item (&l0) is a List of nine ConfigMaps and whose item &l<i> is
// a List of nine items that each merge in &l<i-1>: with six levels, 1.5 KB that reads as nine to
// the seventh ConfigMaps.
func listBomb(levels int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n- &l0\n  apiVersion: v1\n  kind: List\n  items:\n")
	for i := range 9 {
		fmt.Fprintf(&b, "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}\n", i)
	}
	for l := 1; l <= levels; l++ {
		items := make([]string, 9)
		for i := range items {
			items[i] = fmt.Sprintf("{<<: *l%d}", l-1)
		}
		fmt.Fprintf(&b, "- &l%d\n  apiVersion: v1\n  kind: List\n  items: [%s]\n", l, strings.Join(items, ", "))
	}
	return b.String()
}

// TestListMergeBombIsAnInputError: Lists that merge in Lists multiply through the loader's
// reading of List items, which no single object's decoding sees. Such a file is refused as
// kubectl refuses it, with its line, and the other files are read.
func TestListMergeBombIsAnInputError(t *testing.T) {
	for _, levels := range []int{4, 6} { // 4 first: without the bound, 6 runs out of memory
		dir := t.TempDir()
		bomb := listBomb(levels)
		if _, err := yaml.YAMLToJSON([]byte(bomb)); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
			t.Fatalf("%d levels: sigs.k8s.io/yaml gives %v, want excessive aliasing", levels, err)
		}
		files := map[string]string{
			"bomb.yaml": bomb,
			"ok.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n",
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		inv := Load([]string{dir}, Options{})
		if got := strings.Join(names(inv), " "); got != "ConfigMap/fine" {
			t.Fatalf("%d levels (%d bytes): %d objects (%.80s), want ConfigMap/fine alone", levels, len(bomb), len(inv.Objects), got)
		}
		if len(inv.Errors) != 1 || filepath.Base(inv.Errors[0].File) != "bomb.yaml" || inv.Errors[0].Line != 28 ||
			!strings.Contains(inv.Errors[0].Message, "document 1: document contains excessive aliasing") {
			t.Errorf("%d levels: errors %+v, want excessive aliasing at bomb.yaml:28", levels, inv.Errors)
		}
	}
	// Lists that share items through aliases and merge keys, short of the rule, are read whole.
	if _, err := yaml.YAMLToJSON([]byte(listBomb(2))); err != nil {
		t.Fatalf("two levels: sigs.k8s.io/yaml gives %v", err)
	}
	inv := Parse("l.yaml", []byte(listBomb(2)), "", Options{})
	if len(inv.Errors) != 0 || len(inv.Objects) != 9+81+729 {
		t.Errorf("two levels: %d objects, errors %v; want 819 and none", len(inv.Objects), inv.Errors)
	}
}

// TestListItemAlias: a List item that is an alias of an object is that object (kubectl creates
// it twice); it used to be refused as "a mapping, not a Kubernetes object". Its lines are the
// anchored object's.
func TestListItemAlias(t *testing.T) {
	doc := "apiVersion: v1\nkind: List\nitems:\n" +
		"- &p {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: nginx}]}}\n" +
		"- *p\n" +
		"- &l {apiVersion: v1, kind: List, items: &its [{apiVersion: v1, kind: ServiceAccount, metadata: {name: sa}}, *p]}\n" +
		"- *l\n" +
		"- {apiVersion: v1, kind: List, items: *its}\n"
	inv := Parse("l.yaml", []byte(doc), "", Options{})
	if len(inv.Errors) != 0 {
		t.Fatalf("errors %v", inv.Errors)
	}
	if got := strings.Join(names(inv), " "); got != "Pod/a Pod/a ServiceAccount/sa Pod/a ServiceAccount/sa Pod/a ServiceAccount/sa Pod/a" {
		t.Errorf("objects %s", got)
	}
	for _, o := range inv.Objects {
		if o.Kind == "Pod" && (o.Origin.Line != 4 || o.Line("spec.containers[0].image") != 4) {
			t.Errorf("Pod at line %d, image at %d; want the anchored object's line 4", o.Origin.Line, o.Line("spec.containers[0].image"))
		}
	}
}
