// Package hugeheap asks the kernel to back the first part of the Go heap with transparent huge
// pages.
//
// Why: a scan is a short process that touches tens of megabytes of fresh heap. Every fresh 4 KiB
// page costs a page fault, and on virtual machines a page fault is expensive: on the 2-core VMs
// this project is benchmarked on, touching 64 MiB took 270–370 ms in 4 KiB pages and 5–30 ms in
// 2 MiB pages, and page faults were a third of a corpus scan's CPU time. Linux hands out huge
// pages only to memory advised with MADV_HUGEPAGE when transparent_hugepage is "madvise" (the
// common default), and the Go runtime does not advise its heap.
//
// The runtime maps heap memory as it grows, each growth a fresh mapping that would not inherit
// advice given earlier. So Prepare makes the runtime map one large span at once (a single
// allocation that is never touched, so it costs address space, not memory), frees it and returns
// its pages to the kernel, and advises that range; the allocator then serves the process's next
// allocations from it.
package hugeheap

import "github.com/kubeharden/kubeharden/internal/earlyheap"

// DefaultSize is the heap range Prepare advises: enough for a scan of a few thousand objects or a
// cluster of several thousand workloads. Allocations beyond it get ordinary pages.
const DefaultSize = 256 << 20

// Prepare advises the next size bytes of the heap to use transparent huge pages. It should run
// once, first thing in a process, before other goroutines allocate and before anything else
// (package gcpace) changes the collector's settings: it switches the collector off for a moment
// and restores the setting it found. It does nothing where the kernel has no such advice or has
// huge pages off, under strict overcommit accounting, and when GODEBUG turns huge pages off
// (disablethp, the Go runtime's own switch; see earlyheap.Off).
func Prepare(size int) {
	if earlyheap.Off() {
		return
	}
	prepare(size)
}
