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
// pages of the range the advice and collapses the touched ones, and leaves alone the huge pages
// the range only partly covers, the avoided one, and the memory of an untouched one. It changes
// the package's avoid: not to be run in parallel.
func TestAdvise(t *testing.T) {
	needCollapse(t)
	region, base := hugeAligned(t, 6)
	for _, i := range []int{0, 1, 2, 4, 5} { // the fourth huge page (index 3) stays untouched
		region[i*hugePage+5*4096] = 1
	}
	defer func(saved uintptr) { avoid = saved }(avoid)
	avoid = base + 2*hugePage
	// The range starts inside the first huge page and ends inside the last: huge pages 1 to 4
	// are whole, and 2 is avoided.
	advise(base+4096, base+5*hugePage+4096)
	page := func(i int) uintptr { return base + uintptr(i)*hugePage }
	for i, advised := range []bool{false, true, false, true, true, false} {
		if got := testutil.MappingAt(t, page(i)).Advised(); got != advised {
			t.Errorf("huge page %d: advised = %v, want %v", i, got, advised)
		}
	}
	// Huge pages 1 and 3-4 are mappings of their own now (the advice splits the region); the
	// touched ones were collapsed, 3 was not.
	for _, c := range []struct {
		at, wantKiB int
	}{{0, 0}, {1, 2048}, {2, 0}, {3, 2048}, {5, 0}} {
		if got := testutil.MappingAt(t, page(c.at)).AnonHugePages; got != c.wantKiB {
			if c.wantKiB > 0 && got == 0 {
				skipIfNoHugePageFree(t, page(c.at))
			}
			t.Errorf("mapping of huge page %d: AnonHugePages %d kB, want %d", c.at, got, c.wantKiB)
		}
	}
	if n := resident(t, page(3), hugePage); n != 0 {
		t.Errorf("the untouched huge page 3 has %d resident pages, want 0", n)
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
		t.Errorf("the huge page holding the heap's start (%#x) was not collapsed", startPage)
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
	region[0] = 1
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
