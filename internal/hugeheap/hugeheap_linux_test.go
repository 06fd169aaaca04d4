package hugeheap

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/internal/earlyheap"
	"github.com/kubeharden/kubeharden/internal/testutil"
)

// TestPrepareAdvisesHeapRange checks, in the kernel's own view of the process, that the range
// prepare returns is advised for huge pages (VmFlags "hg" in /proc/self/smaps) and lies in the
// Go heap (an allocation made after it may land there).
func TestPrepareAdvisesHeapRange(t *testing.T) {
	needTHP(t)
	start, end := prepare(64 << 20)
	if start == 0 || end-start < 32<<20 {
		t.Fatalf("prepare advised [%#x, %#x), want at least 32 MiB", start, end)
	}
	if start%hugePage != 0 || end%hugePage != 0 {
		t.Errorf("range [%#x, %#x) is not aligned to huge pages", start, end)
	}
	m := testutil.MappingAt(t, start)
	if !m.Advised() {
		t.Errorf("VmFlags of the mapping at %#x = %q, want hg (MADV_HUGEPAGE)", start, m.VmFlags)
	}
}

// needTHP skips a test where huge pages are off: a kernel without them or set to "never", or
// GODEBUG disablethp.
func needTHP(t *testing.T) {
	t.Helper()
	if earlyheap.Off() {
		t.Skip("huge pages are off")
	}
}

// TestPrepareRestoresGCPercent checks that the collector's setting is the one prepare found:
// it switches the collector off while it allocates.
func TestPrepareRestoresGCPercent(t *testing.T) {
	needTHP(t)
	saved := debug.SetGCPercent(123)
	defer debug.SetGCPercent(saved)
	prepare(16 << 20)
	if got := debug.SetGCPercent(saved); got != 123 {
		t.Errorf("GOGC after prepare = %d, want 123", got)
	}
}

// TestPrepareAdvisesHeapBelow checks that the heap just below the range is advised too. A live
// allocation first takes the heap past the first chunk, which package earlyheap advised at
// start-up: the memory below the range is then heap that only prepare advises.
func TestPrepareAdvisesHeapBelow(t *testing.T) {
	needTHP(t)
	live := make([]byte, 6<<20)
	start, _ := prepare(16 << 20)
	if start == 0 {
		t.Skip("huge pages not in use")
	}
	if m := testutil.MappingAt(t, start-1); !m.Advised() {
		t.Errorf("the heap just below the range (%#x): VmFlags %q, want hg (MADV_HUGEPAGE)", start-1, m.VmFlags)
	}
	runtime.KeepAlive(live)
}

// TestPrepareDoesNotTouchRange checks that the large allocation prepare makes is never cleared
// page by page, which would fault in all of it (on the VMs this was measured on, 1.3 s for
// 256 MiB) instead of costing address space only. The runtime clears a large allocation when
// any part of it was used before and not yet returned to the kernel; that happens when garbage
// sits at the top of the heap, as it does here.
func TestPrepareDoesNotTouchRange(t *testing.T) {
	needTHP(t)
	// Garbage at the top of the heap: freed, still backed by memory, so the runtime counts it dirty.
	keep := make([][]byte, 0, 512)
	for range 512 {
		keep = append(keep, make([]byte, 16<<10))
	}
	keep = nil
	runtime.GC()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	before := statusKiB(t, "VmRSS")
	const size = 64 << 20
	if start, _ := prepare(size); start == 0 {
		t.Skip("huge pages not in use")
	}
	if grew := statusKiB(t, "VmHWM") - before; grew > size/1024/4 {
		t.Errorf("peak RSS grew by %d KiB during prepare: the %d MiB range was touched", grew, size>>20)
	}
	runtime.KeepAlive(keep)
}

// statusKiB reads a kB figure of /proc/self/status.
func statusKiB(t *testing.T, field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var n int
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
