package earlyheap

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/kubeharden/kubeharden/internal/testutil"
)

func TestParseMapping(t *testing.T) {
	for _, c := range []struct {
		line   string
		lo, hi uintptr
		ok     bool
	}{
		{"c000000000-c000400000 rw-p 00000000 00:00 0 ", 0xc000000000, 0xc000400000, true},
		{"7f1a2b3c4000-7f1a2b3c8000 rw-p 00000000 00:00 0", 0x7f1a2b3c4000, 0x7f1a2b3c8000, true},
		{"00400000-0118e000 r-xp 00000000 08:01 1234 /usr/bin/kubeharden", 0, 0, false}, // not writable
		{"7ffd1000-7ffd2000 rw-s 00000000 00:05 77 /dev/shm/x", 0, 0, false},            // shared
		{"c000000000-c000400000 ---p 00000000 00:00 0", 0, 0, false},                    // reserved
		{"c000000000 rw-p", 0, 0, false},                                                // no range
		{"-c000400000 rw-p 0 0 0", 0, 0, false},                                         // no start
		{"c000000000- rw-p 0 0 0", 0, 0, false},                                         // no end
		{"c000000000-c000400000", 0, 0, false},                                          // no permissions
		{"", 0, 0, false},
	} {
		lo, hi, ok := parseMapping([]byte(c.line))
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("parseMapping(%q) = %#x, %#x, %v; want %#x, %#x, %v", c.line, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}

// TestAdvise checks, in the kernel's own view of the process, that Advise gives the whole huge
// pages of the range the advice and collapses the touched ones, leaves the rest of the mapping
// and the avoided huge page alone, and makes nothing resident that was not.
func TestAdvise(t *testing.T) {
	needCollapse(t)
	region, base := hugeAligned(t, 5)
	// Touch one page in each of the first four huge pages; the fifth stays untouched.
	for i := 0; i < 4; i++ {
		region[i*hugePage+5*4096] = 1
	}
	defer func(saved uintptr) { avoid = saved }(avoid)
	avoid = base + 2*hugePage
	// The range starts inside the first huge page and ends inside the fifth: only the second,
	// third (avoided) and fourth are whole.
	Advise(base+4096, base+4*hugePage+4096)
	for i, want := range []struct {
		hg   bool
		huge bool
	}{{false, false}, {true, true}, {false, false}, {true, true}, {false, false}} {
		lo := base + uintptr(i)*hugePage
		m := testutil.MappingAt(t, lo)
		if m.Advised() != want.hg {
			t.Errorf("huge page %d: advised = %v, want %v (VmFlags %q)", i, m.Advised(), want.hg, m.VmFlags)
		}
		if huge := m.AnonHugePages > 0; huge != want.huge {
			t.Errorf("huge page %d: AnonHugePages %d kB in its mapping, want huge = %v", i, m.AnonHugePages, want.huge)
		}
	}
	if n := resident(t, base+4*hugePage, hugePage); n != 0 {
		t.Errorf("the untouched fifth huge page has %d resident pages, want 0", n)
	}
}

// TestHeapStart checks that the heap's start is read as the first resident page.
func TestHeapStart(t *testing.T) {
	region, base := hugeAligned(t, 2)
	region[hugePage+7*4096] = 1
	region[hugePage+9*4096] = 1
	if got, want := heapStart(base, base+hugePage+9*4096), base+hugePage+7*4096; got != want {
		t.Errorf("heapStart = base+%#x, want base+%#x", got-base, want-base)
	}
}

// TestInitAdvisedFirstChunk checks what init did in this very process: the test binary's heap
// also starts with this package's init.
func TestInitAdvisedFirstChunk(t *testing.T) {
	needCollapse(t)
	if chunk == 0 {
		t.Fatal("init gave no advice")
	}
	for lo := chunk; lo < chunk+chunkSize; lo += hugePage {
		if lo == avoid {
			continue
		}
		m := testutil.MappingAt(t, lo)
		if !m.Advised() {
			t.Errorf("the heap's first chunk at %#x: VmFlags %q, want hg (MADV_HUGEPAGE)", lo, m.VmFlags)
		}
	}
}

// needCollapse skips a test where the kernel cannot collapse memory into huge pages: huge pages
// off or missing, or a kernel before MADV_COLLAPSE.
func needCollapse(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(b), "[never]") {
		t.Skip("no transparent huge pages")
	}
	if Disabled() {
		t.Skip("GODEBUG disablethp=1")
	}
	region, base := hugeAligned(t, 1)
	region[0] = 1
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, base, hugePage, madvCollapse); errno != 0 {
		t.Skipf("MADV_COLLAPSE: %v", errno)
	}
}

// hugeAligned maps n huge pages of fresh memory, aligned to huge pages, unmapped at the end of
// the test. Inaccessible pages around them keep the kernel from merging them with a neighbouring
// mapping, whose huge pages would then count as theirs in /proc/self/smaps.
func hugeAligned(t *testing.T, n int) ([]byte, uintptr) {
	t.Helper()
	size := (n + 2) * hugePage
	raw, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(raw) })
	p := uintptr(unsafe.Pointer(&raw[0]))
	off := int((p+2*hugePage-1)&^(hugePage-1) - p) // at least a page after the start
	if err := syscall.Mprotect(raw[:off], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mprotect(raw[off+n*hugePage:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return raw[off : off+n*hugePage], p + uintptr(off)
}

// resident counts the resident pages of [lo, lo+n).
func resident(t *testing.T, lo, n uintptr) int {
	t.Helper()
	vec := make([]byte, n/4096)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, lo, n, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	count := 0
	for _, v := range vec {
		count += int(v & 1)
	}
	return count
}
