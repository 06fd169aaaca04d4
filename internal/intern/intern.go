// Package intern hands out one shared copy of the strings that checks build again and again.
//
// Why: findings repeat their field paths and messages from workload to workload (every
// Deployment's first container has the path spec.template.spec.containers[0], and most pods of
// one app share their container names), and on a cluster-sized run building each path and
// message afresh was a seventh of the checks' time: an allocation per finding, fresh memory for
// the collector to sweep. Looking a text up is a hash of its bytes and one comparison.
//
// The table is direct-mapped and lock-free: a slot keeps the first text that lands in it, so a
// text whose slot is taken is simply built afresh, and the table's memory is bounded by its
// slots whatever the input.
package intern

import (
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/kubeharden/kubeharden/internal/swar"
)

const (
	slotBits = 13
	// Texts outside [minLen, maxLen] are built afresh: short ones cost less than a lookup, long
	// ones rarely repeat.
	minLen = 8
	maxLen = 192
)

var slots [1 << slotBits]atomic.Pointer[string]

// Bytes returns b as a string, shared with earlier calls for the same text where the table
// holds it. b is not kept.
func Bytes(b []byte) string {
	if len(b) < minLen || len(b) > maxLen {
		return string(b)
	}
	slot := &slots[swar.Hash(unsafe.String(&b[0], len(b)))>>(64-slotBits)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.CompareAndSwap(nil, &s)
	return s
}

// Concat returns the concatenation of parts, shared as Bytes shares it.
func Concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n > maxLen {
		return strings.Join(parts, "")
	}
	var buf [maxLen]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	return Bytes(b)
}
