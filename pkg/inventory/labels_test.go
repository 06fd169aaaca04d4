package inventory

import (
	"testing"

	"k8s.io/apimachinery/pkg/labels"
)

func TestCopyLabelsMatchesTheMap(t *testing.T) {
	m := map[string]string{"tier": "web", "app": "shop", "empty": ""}
	l := CopyLabels(m)
	m["app"] = "changed" // the copy does not share the map
	if l.Len() != 3 || l.Get("app") != "shop" || !l.Has("empty") || l.Has("missing") || l.Get("missing") != "" {
		t.Fatalf("copy: %v", l)
	}
	if got, want := l.String(), "app=shop,empty=,tier=web"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	sel, err := labels.Parse("app=shop,tier in (web,api),!legacy")
	if err != nil {
		t.Fatal(err)
	}
	if !sel.Matches(l) {
		t.Error("selector does not match the copy")
	}
	// One key a prefix of another: the texts' order, as labels.Set renders them.
	prefixed := map[string]string{"app": "longhorn-manager", "app.kubernetes.io/instance": "longhorn", "a": "z"}
	if got, want := CopyLabels(prefixed).String(), labels.Set(prefixed).String(); got != want {
		t.Errorf("String() = %q, want labels.Set's %q", got, want)
	}
	if empty := CopyLabels(nil); empty.Len() != 0 || empty.String() != "" || empty.Has("") {
		t.Errorf("empty: %v", empty)
	}
}
