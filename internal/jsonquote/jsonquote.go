// Package jsonquote writes Go strings as JSON string literals exactly as encoding/json does,
// without its reflection: the YAML parser renders scalars for json.Unmarshaler fields with it
// and the JSON report writes every finding's text with it.
package jsonquote

import (
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/internal/swar"
)

// Options choose between encoding/json's two behaviours and say what the input may hold.
type Options struct {
	// EscapeHTML writes <, > and & as \u003c, \u003e and \u0026, as json.Marshal does (an
	// Encoder with SetEscapeHTML(false) does not).
	EscapeHTML bool
	// CheckUTF8 replaces invalid UTF-8 with U+FFFD, as encoding/json does. Leave it unset only
	// for text known to be valid (a YAML scanner's output), to skip decoding it.
	CheckUTF8 bool
}

const hexDigits = "0123456789abcdef"

// Append appends s to b as a quoted JSON string: quote, backslash and control characters
// escaped, U+2028 and U+2029 escaped, and the rest as opts say.
func Append(b []byte, s string, opts Options) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most strings need no escaping at all: skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) && plain8(swar.Load64(s[i:i+8]), opts.EscapeHTML) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && !(opts.EscapeHTML && (c == '<' || c == '>' || c == '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		// U+2028 and U+2029 (E2 80 A8/A9) are escaped: JavaScript reads them as line breaks.
		if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[s[i+2]&0xf])
			i += 3
			start = i
			continue
		}
		if !opts.CheckUTF8 {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plain8 says whether none of the eight bytes in x needs escaping or UTF-8 checking: each is
// ASCII, at least 0x20, neither '"' nor '\\', and with html neither '<', '>' nor '&'.
func plain8(x uint64, html bool) bool {
	found := swar.Less(x, 0x20) | swar.Has(x, '"') | swar.Has(x, '\\') | x // x: non-ASCII
	if html {
		found |= swar.Has(x, '<') | swar.Has(x, '>') | swar.Has(x, '&')
	}
	return found&swar.High == 0
}

// Verbatim says whether Append writes valid UTF-8 s as it is between quotes: no ASCII byte needs
// escaping, and no 0xE2 byte is there to start U+2028 or U+2029.
func Verbatim(s string, opts Options) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0xE2 || opts.EscapeHTML && (c == '<' || c == '>' || c == '&') {
			return false
		}
	}
	return true
}
