package swar

import "testing"

// TestAgainstBytes compares Less and Has with byte-by-byte answers for every byte value in every
// position of an otherwise unremarkable word.
func TestAgainstBytes(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			w := []byte("ABCDEFGH")
			w[pos] = byte(c)
			x := Load64(string(w))
			if got, want := Less(x, 0x20)&High != 0 || x&High != 0, c < 0x20 || c >= 0x80; got != want {
				t.Fatalf("byte %#x at %d: below 0x20 or non-ASCII = %v", c, pos, got)
			}
			if got, want := Has(x, '"')&High != 0, c == '"'; got != want {
				t.Fatalf("byte %#x at %d: has '\"' = %v", c, pos, got)
			}
		}
	}
	if Load64("abcdefgh") != 0x6867666564636261 {
		t.Fatal("Load64 is not little-endian")
	}
}
