// Package quickfmt formats the messages of findings. Sprintf gives exactly what fmt.Sprintf
// gives, but formats the verbs checks use (%s and %q of strings, %d of integers, %%) without
// fmt's machinery, and hands anything else to fmt.Sprintf.
//
// Why: a scan of a large cluster formats tens of thousands of messages, and fmt.Sprintf (with
// strconv.Quote for %q) was a tenth of the checks' time on such a cluster.
package quickfmt

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/internal/intern"
)

// Sprintf formats like fmt.Sprintf.
func Sprintf(format string, args ...any) string {
	var stack [256]byte
	b, ok := appendf(stack[:0], format, args)
	if !ok {
		return fmt.Sprintf(format, args...)
	}
	return intern.Bytes(b) // messages repeat from workload to workload
}

// appendf appends the formatted text to b; ok is false when the format uses anything beyond the
// fast verbs or the arguments do not match them exactly (fmt then reports the mismatch its way).
func appendf(b []byte, format string, args []any) (_ []byte, ok bool) {
	n := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		i++
		if i == len(format) {
			return b, false
		}
		verb := format[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if n == len(args) {
			return b, false
		}
		arg := args[n]
		n++
		switch verb {
		case 's':
			s, isString := arg.(string)
			if !isString {
				return b, false
			}
			b = append(b, s...)
		case 'q':
			s, isString := arg.(string)
			if !isString {
				return b, false
			}
			b = AppendQuote(b, s)
		case 'd':
			switch v := arg.(type) {
			case int:
				b = strconv.AppendInt(b, int64(v), 10)
			case int32:
				b = strconv.AppendInt(b, int64(v), 10)
			case int64:
				b = strconv.AppendInt(b, v, 10)
			case uint32:
				b = strconv.AppendUint(b, uint64(v), 10)
			default:
				return b, false
			}
		default:
			return b, false
		}
	}
	return b, n == len(args)
}

// AppendQuote is strconv.AppendQuote with a fast path for printable ASCII without quotes or
// backslashes, which is what names in Kubernetes objects are. Checks that build a message by
// hand, to spare Failf's boxing of its arguments, quote names with it.
func AppendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == 0x7f {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
