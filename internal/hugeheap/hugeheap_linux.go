package hugeheap

import (
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"

	"github.com/kubeharden/kubeharden/internal/earlyheap"
)

const hugePage = 2 << 20

// madvHugepage is MADV_HUGEPAGE; package syscall does not name it.
const madvHugepage = 14

// prepare maps size bytes of heap through one allocation, frees it and advises its range.
// It returns the advised range for tests.
func prepare(size int) (start, end uintptr) {
	if !useful() {
		return 0, 0
	}
	// The span is allocated through strings.Builder, whose growth asks the runtime for memory it
	// need not clear. make([]byte) would be cleared, page by page, whenever any page of the range
	// had been used before and not yet returned to the kernel (garbage at the top of the heap),
	// faulting in all of it: about one live scan in twenty spent over a second that way.
	//
	// The collector is off while the span is allocated: an allocation that size passes the
	// heap's goal and starts a collection, which FreeOSMemory below would wait for before
	// running its own. Preparing took 9 ms instead of 11.5 on one core.
	var span strings.Builder
	gcPercent := debug.SetGCPercent(-1)
	span.Grow(size)
	debug.SetGCPercent(gcPercent)
	span.WriteByte(0) // one touched page, so that the string has the span's address
	base := uintptr(unsafe.Pointer(unsafe.StringData(span.String())))
	span = strings.Builder{}
	// FreeOSMemory collects the span and returns its pages to the kernel (they were never
	// touched, so that costs nothing). Released pages are known to be zero; after a plain
	// collection the runtime would think them dirty and clear every span it carves from them,
	// which cost a tenth of a cluster scan's CPU time.
	debug.FreeOSMemory()
	start = (base + hugePage - 1) &^ (hugePage - 1)
	end = (base + uintptr(size)) &^ (hugePage - 1)
	if start >= end {
		return 0, 0
	}
	// The advice is a hint: an error (an old kernel, THP compiled out) leaves ordinary pages.
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugepage); errno != 0 {
		return 0, 0
	}
	// Below the range lies the heap that package initialisation filled, in 4 KiB pages but for
	// the chunk package earlyheap advised, whose huge pages the release above broke up where it
	// freed part of them. The allocator serves the next allocations from the free pages there
	// first, so that memory gets the same advice, collapsed into huge pages.
	earlyheap.AdviseHeapBelow(start)
	return start, end
}

// useful says whether the kernel can afford the advice: no strict overcommit accounting
// (vm.overcommit_memory=2), under which the untouched range would still be charged against the
// commit limit. (Prepare has already checked that huge pages are on.)
func useful() bool {
	if b, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err == nil && strings.TrimSpace(string(b)) == "2" {
		return false
	}
	return true
}
