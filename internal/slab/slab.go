// Package slab hands out values and copies from blocks allocated many at a time.
//
// Why: a large scan keeps hundreds of thousands of small records (objects, their findings and
// pending checks) until its report is written. Allocated one by one they cost the collector an
// object each and lie scattered among short-lived garbage; taken from blocks they cost one
// object per block and lie together.
package slab

// Take returns a pointer to a new zero value at the end of *s, starting a block of size values
// when *s is full. The block stays reachable as long as any value taken from it is.
func Take[T any](s *[]T, size int) *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, size)
	}
	*s = (*s)[:len(*s)+1]
	return &(*s)[len(*s)-1]
}

// Copy copies xs to the end of *s, starting a block of at least size values when they do not
// fit, and returns the copy, whose capacity ends with it.
func Copy[T any](s *[]T, xs []T, size int) []T {
	if cap(*s)-len(*s) < len(xs) {
		*s = make([]T, 0, max(size, len(xs)))
	}
	start := len(*s)
	*s = append(*s, xs...)
	return (*s)[start:len(*s):len(*s)]
}
