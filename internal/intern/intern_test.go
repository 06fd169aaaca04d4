package intern

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func TestBytesSharesRepeatedTexts(t *testing.T) {
	b := []byte("spec.template.spec.containers[0].securityContext.privileged")
	first := Bytes(b)
	b[0] = 'X' // the caller's buffer is not kept
	if first != "spec.template.spec.containers[0].securityContext.privileged" {
		t.Fatalf("Bytes kept the caller's buffer: %q", first)
	}
	second := Concat("spec.template.spec.containers[0]", ".securityContext.", "privileged")
	if second != first {
		t.Fatalf("Concat = %q, want %q", second, first)
	}
	if unsafe.StringData(second) != unsafe.StringData(first) {
		t.Error("the same text was built twice instead of shared")
	}
}

func TestShortLongAndCollidingTexts(t *testing.T) {
	if got := Concat("a", "b"); got != "ab" {
		t.Errorf("short: %q", got)
	}
	long := strings.Repeat("x", maxLen+1)
	if got := Concat(long[:100], long[100:]); got != long {
		t.Error("long text changed")
	}
	// Far more distinct texts than slots: every one must still come back equal to what was
	// asked for, whether its slot was free, taken by itself or taken by another text.
	for round := range 2 {
		for i := range 4 << slotBits {
			want := fmt.Sprintf("metadata.annotations[%d].value-%d", i, i*7)
			if got := Bytes([]byte(want)); got != want {
				t.Fatalf("round %d: %q for %q", round, got, want)
			}
		}
	}
}

// Run with -race: lookups and first stores of the same slots from many goroutines.
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				want := fmt.Sprintf("spec.containers[%d].image-%d", i%300, g%2)
				if got := Concat("spec.containers[", fmt.Sprint(i%300), "].image-", fmt.Sprint(g%2)); got != want {
					t.Errorf("%q, want %q", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
