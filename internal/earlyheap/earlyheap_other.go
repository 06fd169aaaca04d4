//go:build !linux

package earlyheap

func advise(lo, hi uintptr) {}

func heapStart(chunk, addr uintptr) uintptr { return chunk }
