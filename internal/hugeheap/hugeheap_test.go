package hugeheap

import "testing"

func TestDisabled(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                           false,
		"disablethp=1":               true,
		"gctrace=1,disablethp=1":     true,
		"gctrace=1, disablethp=1 ":   true,
		"disablethp=0":               false,
		"madvdontneed=1":             false,
		"xdisablethp=1,disablethp=2": false,
	} {
		if got := disabled(godebug); got != want {
			t.Errorf("disabled(%q) = %v, want %v", godebug, got, want)
		}
	}
}
