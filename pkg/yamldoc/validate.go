package yamldoc

import "unicode/utf8"

// findInvalid returns the offset of the first character at or after from
// that YAML does not allow in a stream (as libyaml's reader checks it):
// invalid UTF-8, NUL and other C0/C1 control characters except tab, LF, CR
// and NEL, DEL, and U+FFFE/U+FFFF. It returns len(src) when there is none.
func findInvalid(src string, from int) (int, string) {
	i := from
	n := len(src)
	for i < n {
		// Fastest path: 16 bytes of printable ASCII and LF.
		if i+16 <= n {
			b := src[i : i+16]
			w1 := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			w2 := uint64(b[8]) | uint64(b[9])<<8 | uint64(b[10])<<16 | uint64(b[11])<<24 |
				uint64(b[12])<<32 | uint64(b[13])<<40 | uint64(b[14])<<48 | uint64(b[15])<<56
			const lo7, hi, ones = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080, 0x0101010101010101
			if (w1|w2)&hi == 0 {
				x1, x2 := w1^('\n'*ones), w2^('\n'*ones)
				bad := ((w1+0x6060606060606060)&hi^hi)&^(^((x1&lo7)+lo7|x1)&hi) |
					((w2+0x6060606060606060)&hi^hi)&^(^((x2&lo7)+lo7|x2)&hi) |
					(w1+ones)&hi | (w2+ones)&hi
				if bad == 0 {
					i += 16
					continue
				}
			}
		}
		// Fast path: 8 bytes at a time while they are all printable ASCII,
		// tab, LF or CR. The masks are exact per byte (no carries cross
		// byte boundaries), so a word with a line break stays fast.
		if i+8 <= n {
			b := src[i : i+8]
			w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			const lo7, hi = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080
			if w&hi == 0 {
				// Without high bits, adding 0x60 sets bit 7 exactly for
				// bytes >= 0x20, adding 0x01 exactly for 0x7F.
				lt20 := (w+0x6060606060606060)&hi ^ hi
				del := (w + 0x0101010101010101) & hi
				if lt20|del == 0 {
					i += 8
					continue
				}
				if del == 0 {
					// Control bytes: all right if each is LF (the usual
					// case), tab or CR.
					const ones = 0x0101010101010101
					x := w ^ ('\n' * ones)
					lt20 &^= ^((x & lo7) + lo7 | x) & hi
					if lt20 != 0 {
						x = w ^ ('\t' * ones)
						lt20 &^= ^((x & lo7) + lo7 | x) & hi
						x = w ^ ('\r' * ones)
						lt20 &^= ^((x & lo7) + lo7 | x) & hi
					}
					if lt20 == 0 {
						i += 8
						continue
					}
				}
			}
		}
		c := src[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7F || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			if c == 0 {
				return i, "found a NUL byte (control characters are not allowed)"
			}
			return i, "found control character " + quoteRune(src[i:]) + " (control characters are not allowed)"
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			return i, "invalid UTF-8 byte sequence"
		}
		if r >= 0x80 && r <= 0x9F && r != 0x85 || r == 0xFFFE || r == 0xFFFF {
			return i, "found character " + quoteRune(src[i:]) + " that is not allowed in YAML"
		}
		i += size
	}
	return n, ""
}
