// Package earlyheap gives the first chunk of the Go heap huge pages, from a package init function
// that runs before the heavy ones.
//
// Why: on the virtual machines this project is benchmarked on, the first touch of a 4 KiB page
// of fresh memory costs about 20 µs (a page fault that also goes through the hypervisor), while
// a 2 MiB huge page costs that once for 512 such pages. Every process fills the first few MiB of
// its heap during package initialisation, in 4 KiB pages, before main can run; and hugeheap's
// release of the free heap to the kernel makes a scan fill them a second time. A corpus scan
// took about a thousand page faults there, over a tenth of its CPU time.
//
// Package initialisation takes packages in the sorted order of their import paths, each once its
// imports are ready. This package imports only syscall and unsafe, so its init runs as soon as
// syscall's has and no ready package sorts before it: in a kubeharden process, a few
// milliseconds in and before any of the large packages (GODEBUG=inittrace=1 shows it as the
// 15th package with initialisation work). Its init asks the kernel to back the heap's first
// chunk with huge pages (MADV_HUGEPAGE) and to collapse the pages already touched into them
// (MADV_COLLAPSE, Linux 6.1). The chunk's huge pages become resident at once; the process would
// have touched nearly all of them anyway (see avoid for the exception).
//
// The advice is a hint: a kernel that lacks it leaves ordinary pages. Nothing is advised where
// huge pages are off, by the kernel's setting ("never") or by GODEBUG disablethp, the Go
// runtime's own switch; and nothing outside Linux on amd64, where it was measured (elsewhere
// the page sizes differ). MADV_COLLAPSE is synchronous and may reclaim or compact memory to find
// a huge page: on a host short of free memory it can stall the caller, which is why the Go
// runtime stopped calling it (with its heap lock held) in Go 1.21.4. Here it runs at most a few
// times per process, on 2 to 8 MiB, outside any runtime lock; GODEBUG=disablethp=1 turns it off.
package earlyheap

import "unsafe"

const (
	// chunkSize is the size of the chunks in which the runtime maps heap memory.
	chunkSize = 4 << 20
	// arenaSize is the size of the runtime's heap arenas: all of an arena is heap (mapped or
	// only reserved), so heap advice never leaves the arena it starts in.
	arenaSize = 64 << 20
	// hugePage is the size of a transparent huge page on amd64.
	hugePage = 2 << 20
	// belowSize is how much of the heap below an address AdviseHeapBelow advises: what package
	// initialisation filled (a few MiB) and the padding the runtime puts before the heap's start.
	belowSize = 8 << 20
)

var (
	// off says huge pages are off for this process (see Off).
	off bool
	// chunk is the heap's first chunk, which init advised; 0 when it advised nothing.
	chunk uintptr
	// avoid is the huge page, if any, that advice leaves alone: the one holding the heap's start
	// when more of it lies before the start than after. The runtime starts the heap at a random
	// page of its first chunk and never uses the pages before it; collapsed into a huge page,
	// over 1 MiB of them would be resident for nothing, so that huge page keeps its 4 KiB pages.
	avoid uintptr
	// startPage is the huge page holding the heap's start; tests read it.
	startPage uintptr
	// probe is a heap allocation whose address says where the heap's first chunk is.
	probe *[64]byte
)

func init() {
	off = disabledBy(getenv("GODEBUG")) || kernelSaysNever()
	if off || !supported {
		return
	}
	probe = new([64]byte)
	addr := uintptr(unsafe.Pointer(probe))
	probe = nil
	chunk = addr &^ (chunkSize - 1)
	start := heapStart(chunk, addr)
	startPage = start &^ (hugePage - 1)
	if start-startPage > hugePage/2 {
		avoid = startPage
	}
	advise(chunk, chunk+chunkSize)
}

// Off reports whether huge pages are off for this process: the kernel's transparent_hugepage
// setting is "never", or GODEBUG sets disablethp to a number other than 0, as the Go runtime
// reads it at start-up. Package hugeheap obeys it too.
func Off() bool { return off }

// AdviseHeapBelow advises and collapses the heap below addr, up to 8 MiB of it and within the
// arena of the heap's first chunk, as init advised that chunk. Call it after releasing free heap
// memory to the kernel (debug.FreeOSMemory), which breaks a huge page into 4 KiB pages wherever
// it frees part of one. It does nothing where init advised nothing.
func AdviseHeapBelow(addr uintptr) {
	if lo, hi := below(chunk, addr); lo < hi {
		advise(lo, hi)
	}
}

// below returns the range AdviseHeapBelow advises: up to belowSize under addr, within the arena
// of chunk; empty when chunk is 0.
func below(chunk, addr uintptr) (lo, hi uintptr) {
	if chunk == 0 {
		return 0, 0
	}
	arena := chunk &^ (arenaSize - 1)
	lo, hi = arena, min(addr, arena+arenaSize)
	if addr > belowSize {
		lo = max(lo, addr-belowSize)
	}
	return lo, hi
}

// disabledBy reports whether a GODEBUG value turns huge pages off, read as the runtime reads it
// at start-up: fields from left to right, a later setting overriding an earlier one, a value
// that is not a 32-bit decimal number ignored, any number but 0 meaning off.
func disabledBy(godebug string) bool {
	disabled := false
	for godebug != "" {
		field := godebug
		godebug = ""
		for i := 0; i < len(field); i++ {
			if field[i] == ',' {
				field, godebug = field[:i], field[i+1:]
				break
			}
		}
		const key = "disablethp="
		if len(field) < len(key) || field[:len(key)] != key {
			continue
		}
		if n, ok := parseInt32(field[len(key):]); ok {
			disabled = n != 0
		}
	}
	return disabled
}

// parseInt32 parses a decimal number with an optional sign, as strconv.ParseInt(s, 10, 32)
// does (this package keeps its imports to syscall and unsafe).
func parseInt32(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	if n > 1<<31-1 || n < -1<<31 {
		return 0, false
	}
	return n, true
}
