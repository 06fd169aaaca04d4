package checks_test

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func TestMemoIsPerObject(t *testing.T) {
	var a checks.Assessment
	o1, o2 := &inventory.Object{Name: "one"}, &inventory.Object{Name: "two"}
	builds := 0
	build := func(o *inventory.Object) func() any {
		return func() any { builds++; return o.Name }
	}
	type key struct{}
	if v := a.Memo(o1, key{}, build(o1)); v != "one" {
		t.Fatalf("first value %v", v)
	}
	a.Reset() // between checks of the same object the memo stays
	if v := a.Memo(o1, key{}, build(o1)); v != "one" || builds != 1 {
		t.Fatalf("second ask on the same object: %v after %d builds", v, builds)
	}
	if v := a.Memo(o2, key{}, build(o2)); v != "two" || builds != 2 {
		t.Fatalf("another object got %v after %d builds", v, builds)
	}
}
