package network

import (
	"fmt"
	"slices"
	"testing"
)

// TestQuoteNames holds the one-buffer quoting to what fmt's %q and joinAnd make of the names.
func TestQuoteNames(t *testing.T) {
	for _, names := range [][]string{
		nil, {"web"}, {"b", "a"}, {"c", "a", "b"}, {`q"uote`, "back\\slash", "ünï", "tab\there", "\xff", "d"},
	} {
		sorted := slices.Sorted(slices.Values(names))
		q := make([]string, len(sorted))
		for i, n := range sorted {
			q[i] = fmt.Sprintf("%q", n)
		}
		if got, want := quoteNames(slices.Clone(names)), joinAnd(q); got != want {
			t.Errorf("quoteNames(%q) = %s, want %s", names, got, want)
		}
	}
}
