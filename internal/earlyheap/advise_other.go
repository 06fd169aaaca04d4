//go:build !(linux && amd64)

package earlyheap

// supported says this platform gets no advice: see the package comment.
const supported = false

func advise(lo, hi uintptr) {}

func heapStart(chunk, addr uintptr) uintptr { return chunk }
