package network

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestQuoteNames holds the one-buffer quoting to what fmt's %q makes of the names, joined as
// English prose.
func TestQuoteNames(t *testing.T) {
	for _, names := range [][]string{
		nil, {"web"}, {"b", "a"}, {"c", "a", "b"}, {`q"uote`, "back\\slash", "ünï", "tab\there", "\xff", "d"},
	} {
		sorted := slices.Sorted(slices.Values(names))
		q := make([]string, len(sorted))
		for i, n := range sorted {
			q[i] = fmt.Sprintf("%q", n)
		}
		want := strings.Join(q, "")
		if len(q) > 1 { // English prose, written out here rather than through appendList
			want = strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
		}
		if got := quoteNames(slices.Clone(names)); got != want {
			t.Errorf("quoteNames(%q) = %s, want %s", names, got, want)
		}
	}
}
