package inventory

import "testing"

func TestItemMatchesIndexOfField(t *testing.T) {
	for _, tc := range []struct{ parent, key, rest string }{
		{"spec", "containers", ""},
		{"spec.template.spec", "initContainers", ".securityContext.privileged"},
		{"", "items", ".name"},
		{"metadata.annotations", "a.b/c", ""},
	} {
		for _, i := range []int{0, 7, 123} {
			want := Index(Field(tc.parent, tc.key), i) + tc.rest
			if got := Item(tc.parent, tc.key, i, tc.rest); got != want {
				t.Errorf("Item(%q, %q, %d, %q) = %q, want %q", tc.parent, tc.key, i, tc.rest, got, want)
			}
		}
	}
}
