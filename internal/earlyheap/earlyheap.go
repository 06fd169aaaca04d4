// Package earlyheap gives the first chunk of the Go heap huge pages, from a package init function
// that runs before almost every other.
//
// Why: on the virtual machines this project is benchmarked on, the first touch of a 4 KiB page
// costs about 20 µs (a page fault, then a fault in the hypervisor's shadow page tables), while a
// 2 MiB huge page costs that once for 512 such pages. Every process fills the first few MiB of
// its heap during package initialisation, in 4 KiB pages, before main can run; and hugeheap's
// release of the free heap to the kernel makes a scan fill them a second time. A corpus scan
// took about a thousand page faults there, over a tenth of its CPU time.
//
// Package initialisation follows the sorted order of import paths, each package once its imports
// are ready. This package imports only syscall, so it runs right after package syscall, a few
// dozen small packages into the process; main imports it for that alone. Its init asks the
// kernel to back the heap's first chunk with huge pages (MADV_HUGEPAGE) and to collapse the
// pages already touched into them (MADV_COLLAPSE, Linux 6.1). The chunk's huge pages become
// resident at once; the process would have touched nearly all of them anyway (see avoid for
// the exception).
//
// The advice is a hint: where the kernel lacks it or has huge pages off, nothing changes. GODEBUG
// disablethp=1, the Go runtime's own switch for turning huge pages off, turns this off too.
package earlyheap

import (
	"syscall"
	"unsafe"
)

// chunkSize is the size of the chunks in which the runtime maps heap memory.
const chunkSize = 4 << 20

// hugePage is the size of a transparent huge page on the platforms that have them.
const hugePage = 2 << 20

// probe is a heap allocation whose address says where the heap's first chunk is.
var probe *[64]byte

// avoid is the huge page, if any, that Advise leaves alone: the one holding the heap's start
// when more of it lies before the start than after. The runtime starts the heap at a random
// page of its first chunk and never uses the pages before it; collapsed into a huge page, over
// 1 MiB of them would be resident for nothing, so that huge page keeps its 4 KiB pages.
var avoid uintptr

// chunk is the heap's first chunk, where init gave its advice (0 when it gave none); tests
// read it.
var chunk uintptr

func init() {
	probe = new([64]byte)
	addr := uintptr(unsafe.Pointer(probe))
	probe = nil
	if Disabled() {
		return
	}
	chunk = addr &^ (chunkSize - 1)
	if start := heapStart(chunk, addr); start-start&^(hugePage-1) > hugePage/2 {
		avoid = start &^ (hugePage - 1)
	}
	advise(chunk, chunk+chunkSize)
}

// Advise asks the kernel to back the heap memory in [lo, hi) with huge pages and collapses the
// pages already touched there into huge pages. Only whole huge pages of private, writable
// mappings are advised, so a range reaching past the heap's mapped memory is safe; the memory
// advised becomes resident wherever any of its pages was. It does nothing under GODEBUG
// disablethp=1 or where the kernel lacks the advice.
func Advise(lo, hi uintptr) {
	if !Disabled() {
		advise(lo, hi)
	}
}

// Disabled reports whether GODEBUG has disablethp=1, the Go runtime's own switch for turning
// huge pages off, which this package and hugeheap obey. It reads the environment through package
// syscall: package os may not be initialised yet.
func Disabled() bool {
	v, _ := syscall.Getenv("GODEBUG")
	for v != "" {
		kv := v
		v = ""
		for i := 0; i < len(kv); i++ {
			if kv[i] == ',' {
				kv, v = kv[:i], kv[i+1:]
				break
			}
		}
		if kv == "disablethp=1" {
			return true
		}
	}
	return false
}
