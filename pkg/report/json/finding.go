package json

import (
	"strconv"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/pkg/report"
)

// appendFinding appends f as encoding/json would indent it at depth two ("    " prefix, two
// spaces per level, no HTML escaping). Findings are most of a report and encoding/json spent
// most of the report's time reflecting over them and re-scanning its own output to indent it;
// the golden tests hold this to the same bytes.
func appendFinding(b []byte, f *report.Finding) []byte {
	return (&encoder{}).appendFinding(b, f)
}

// encoder remembers, per control, the encoded fields that come from the catalog (title,
// remediation, references): a report repeats them for every finding of the control, and
// escaping the same long remediation text tens of thousands of times was most of the work.
type encoder struct {
	controls map[string]*controlText
}

type controlText struct {
	title, tail []byte
}

const in1, in2 = "\n      ", "\n        "

func (e *encoder) text(f *report.Finding) *controlText {
	if t, ok := e.controls[f.Control]; ok {
		return t
	}
	t := &controlText{title: appendString(nil, f.Title)}
	b := field(nil, in1, "remediation", f.Remediation, false)
	b = append(b, ',')
	b = append(b, in1...)
	b = append(b, `"references": [`...)
	for i, r := range f.References {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, in2...)
		b = appendString(b, r)
	}
	if len(f.References) > 0 {
		b = append(b, in1...)
	}
	t.tail = append(b, ']')
	if e.controls == nil {
		e.controls = map[string]*controlText{}
	}
	e.controls[f.Control] = t
	return t
}

func (e *encoder) appendFinding(b []byte, f *report.Finding) []byte {
	ct := e.text(f)
	b = append(b, '{')
	b = field(b, in1, "control", f.Control, true)
	b = append(b, ","+in1+`"title": `...)
	b = append(b, ct.title...)
	b = field(b, in1, "severity", f.Severity.String(), false)
	b = field(b, in1, "section", f.Section.Key(), false)
	b = field(b, in1, "status", string(f.Status), false)
	b = append(b, ',')
	b = append(b, in1...)
	b = append(b, `"object": {`...)
	b = field(b, in2, "apiVersion", f.Object.APIVersion, true)
	b = field(b, in2, "kind", f.Object.Kind, false)
	if f.Object.Namespace != "" {
		b = field(b, in2, "namespace", f.Object.Namespace, false)
	}
	b = field(b, in2, "name", f.Object.Name, false)
	b = append(b, in1...)
	b = append(b, '}')
	if f.File != "" {
		b = field(b, in1, "file", f.File, false)
	}
	if f.Line != 0 {
		b = append(b, ',')
		b = append(b, in1...)
		b = append(b, `"line": `...)
		b = strconv.AppendInt(b, int64(f.Line), 10)
	}
	if f.Source != "" {
		b = field(b, in1, "source", f.Source, false)
	}
	if f.Path != "" {
		b = field(b, in1, "path", f.Path, false)
	}
	if f.Message != "" {
		b = field(b, in1, "message", f.Message, false)
	}
	b = append(b, ct.tail...)
	if x := f.Exemption; x != nil {
		b = append(b, ',')
		b = append(b, in1...)
		b = append(b, `"exemption": {`...)
		b = field(b, in2, "reason", x.Reason, true)
		b = field(b, in2, "source", x.Source, false)
		if x.Expires != nil {
			b = field(b, in2, "expires", x.Expires.Format("2006-01-02"), false)
		}
		if x.Owner != "" {
			b = field(b, in2, "owner", x.Owner, false)
		}
		if x.Ticket != "" {
			b = field(b, in2, "ticket", x.Ticket, false)
		}
		b = append(b, in1...)
		b = append(b, '}')
	}
	b = append(b, "\n    }"...)
	return b
}

func field(b []byte, indent, key, value string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `": `...)
	return appendString(b, value)
}

const hex = "0123456789abcdef"

// plain8 says whether none of the eight bytes in x needs escaping or UTF-8 checking: each is
// ASCII, at least 0x20, and neither '"' nor '\\'. (The classic "has a zero byte" bit trick,
// applied to x, x^'"' and x^'\\'.)
// load64 reads eight bytes of s as a little-endian word (the compiler makes it one load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - ones*0x20) &^ x // high bit set where a byte is < 0x20 (or >= 0x80)
	q, bs := x^(ones*'"'), x^(ones*'\\')
	quote := (q - ones) &^ q // high bit set where a byte is '"'
	slash := (bs - ones) &^ bs
	return (below|quote|slash|x)&highs == 0
}

// appendString quotes s like encoding/json with HTML escaping off: quote, backslash and control
// characters escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most strings need no escaping at all: skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) && plain8(load64(s[i:i+8])) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
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
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
