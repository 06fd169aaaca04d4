package earlyheap

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/kubeharden/kubeharden/internal/testutil"
)

func TestParseMapping(t *testing.T) {
	pad := "                          " // the kernel pads to the path's column
	for _, c := range []struct {
		line   string
		lo, hi uintptr
		ok     bool
	}{
		{"c000000000-c000400000 rw-p 00000000 00:00 0 ", 0xc000000000, 0xc000400000, true},
		{"7f1a2b3c4000-7f1a2b3c8000 rw-p 00000000 00:00 0", 0x7f1a2b3c4000, 0x7f1a2b3c8000, true},
		{"c000000000-c000400000 rw-p 00000000 00:00 0" + pad + "[anon: Go: heap]", 0xc000000000, 0xc000400000, true},
		{"00400000-0118e000 r-xp 00000000 08:01 1234" + pad + "/usr/bin/kubeharden", 0, 0, false}, // not writable
		{"01ff9000-020b1000 rw-p 01bf9000 08:01 1234" + pad + "/usr/bin/kubeharden", 0, 0, false}, // the executable's data
		{"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0" + pad + "[stack]", 0, 0, false},
		{"7ffd1000-7ffd2000 rw-s 00000000 00:05 77" + pad + "/dev/shm/x", 0, 0, false}, // shared
		{"c000000000-c000400000 ---p 00000000 00:00 0", 0, 0, false},                   // reserved
		{"c000000000 rw-p", 0, 0, false},
		{"-c000400000 rw-p 0 0 0", 0, 0, false},
		{"c000000000- rw-p 0 0 0", 0, 0, false},
		{"c000000000-c000400000", 0, 0, false},
		{"", 0, 0, false},
	} {
		lo, hi, ok := parseMapping([]byte(c.line))
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("parseMapping(%q) = %#x, %#x, %v; want %#x, %#x, %v", c.line, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}

// TestAdvise checks, in the kernel's own view of the process, that advise gives the whole huge
// pages of the range the advice and collapses those with enough pages touched, and leaves alone
// the huge pages the range only partly covers, the avoided one, the memory of an untouched one,
// and one with only a few pages touched. It changes the package's avoid: not to be run in
// parallel.
func TestAdvise(t *testing.T) {
	needCollapse(t)
	region, base := hugeAligned(t, 7)
	touch := func(i, pages int) {
		for p := 0; p < pages; p++ {
			region[i*hugePage+p*4096] = 1
		}
	}
	for _, i := range []int{0, 1, 2, 4, 6} {
		touch(i, 100)
	}
	touch(5, 10) // huge page 3 stays untouched
	defer func(saved uintptr) { avoid = saved }(avoid)
	avoid = base + 2*hugePage
	// The range starts inside the first huge page and ends inside the last: huge pages 1 to 5
	// are whole, and 2 is avoided.
	advise(base+4096, base+6*hugePage+4096)
	page := func(i int) uintptr { return base + uintptr(i)*hugePage }
	for i, advised := range []bool{false, true, false, true, true, true, false} {
		if got := testutil.MappingAt(t, page(i)).Advised(); got != advised {
			t.Errorf("huge page %d: advised = %v, want %v", i, got, advised)
		}
	}
	// Collapsing makes a huge page wholly resident.
	for i, want := range []int{100, 512, 100, 0, 512, 10, 100} {
		if got := resident(page(i)); got != want {
			if want == 512 && got == 100 {
				skipIfNoHugePageFree(t, page(i))
			}
			t.Errorf("huge page %d: %d pages resident, want %d", i, got, want)
		}
	}
	// Huge pages 1 and 3-5 are mappings of their own now (the advice splits the region): each
	// holds one collapsed huge page.
	for _, i := range []int{1, 3} {
		if got := testutil.MappingAt(t, page(i)).AnonHugePages; got != 2048 {
			t.Errorf("mapping of huge page %d: AnonHugePages %d kB, want 2048", i, got)
		}
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

// TestInitAdvisedFirstChunk checks what init did in this very process, whose heap also starts
// with this package's init: the first chunk's huge pages are advised but for the one avoided,
// and the one holding the heap's start, touched before init ran, was collapsed unless avoided.
// The kernel may decline a collapse (it is best effort: in about one run in fifty here it did,
// with enough of the huge page in use, and collapsed the same page when asked again moments
// later), so a page left uncollapsed is logged, not failed; TestAdvise holds the collapse
// itself to account on memory of its own.
func TestInitAdvisedFirstChunk(t *testing.T) {
	needCollapse(t)
	if chunk == 0 {
		t.Fatal("init gave no advice")
	}
	for lo := chunk; lo < chunk+chunkSize; lo += hugePage {
		if got := testutil.MappingAt(t, lo).Advised(); got != (lo != avoid) {
			t.Errorf("the heap's first chunk, huge page at %#x: advised = %v, want %v", lo, got, lo != avoid)
		}
	}
	if startPage != avoid && testutil.MappingAt(t, startPage).AnonHugePages == 0 {
		t.Logf("the huge page holding the heap's start (%#x) was not collapsed at init", startPage)
	}
}

// needCollapse skips a test where the kernel cannot collapse memory into huge pages: huge pages
// off, or a kernel before MADV_COLLAPSE.
func needCollapse(t *testing.T) {
	t.Helper()
	if Off() {
		t.Skip("huge pages are off (the kernel's setting or GODEBUG)")
	}
	region, base := hugeAligned(t, 1)
	for p := 0; p < collapseFrom; p++ {
		region[p*4096] = 1
	}
	if errno := adviseRange(base, base+hugePage); errno != 0 {
		t.Skipf("MADV_COLLAPSE: %v", errno)
	}
}

// skipIfNoHugePageFree skips the test when the kernel cannot collapse the huge page at addr for
// want of a free huge page now (memory pressure), rather than failing it.
func skipIfNoHugePageFree(t *testing.T, addr uintptr) {
	t.Helper()
	switch errno := adviseRange(addr, addr+hugePage); errno {
	case syscall.EAGAIN, syscall.ENOMEM, syscall.EBUSY:
		t.Skipf("the kernel cannot collapse a huge page now: %v", errno)
	}
}

// hugeAligned maps n huge pages of fresh memory, aligned to huge pages and unmapped at the end
// of the test. Inaccessible pages around them keep the kernel from merging them with a
// neighbouring mapping, whose huge pages would then count as theirs in /proc/self/smaps, and
// MADV_NOHUGEPAGE keeps the kernel from giving them huge pages unasked (transparent huge pages
// set to "always").
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
	region := raw[off : off+n*hugePage]
	const madvNohugepage = 15
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, p+uintptr(off), uintptr(len(region)), madvNohugepage); errno != 0 {
		t.Fatal(errno)
	}
	return region, p + uintptr(off)
}
