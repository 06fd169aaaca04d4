// Package swar tests eight bytes of text at once in one 64-bit word ("SIMD within a register"),
// for the loops that scan every message and path a report writes: most of that text is plain
// ASCII, and asking eight bytes at a time whether any of them needs attention is several times
// faster than asking byte by byte.
//
// Less and Has use the classic "has a zero byte" bit trick. It is exact about whether any byte
// matches, not about which: read their results only through High.
package swar

import "math/bits"

const ones = 0x0101010101010101

// High has the high bit of every byte set.
const High = 0x8080808080808080

// Load64 reads the first eight bytes of s as a little-endian word; the compiler makes it one
// load.
func Load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Less has a high bit set (see High) when some byte of x is below n, for n up to 0x80. Bytes of
// 0x80 and above may set it too; callers that care OR in x itself.
func Less(x uint64, n byte) uint64 { return (x - ones*uint64(n)) &^ x }

// Has has a high bit set (see High) when some byte of x equals c.
func Has(x uint64, c byte) uint64 {
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y
}

// Hash folds the words of s (at least eight bytes long) with a rotation between them, one
// cheap step per eight bytes, and mixes the result with the length once. It is for tables
// that pick a slot by the top bits and confirm a hit by comparing the texts (the intern table,
// the JSON report's quote cache): it spreads texts over slots, nothing more.
func Hash(s string) uint64 {
	n := len(s)
	var h uint64
	for i := 0; i+8 <= n; i += 8 {
		h = bits.RotateLeft64(h, 19) ^ Load64(s[i:i+8])
	}
	h ^= Load64(s[n-8:])
	return (h ^ uint64(n)) * 0x9E3779B97F4A7C15 // the top bits depend on every bit of h
}
