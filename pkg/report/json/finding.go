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
	const in1, in2 = "\n      ", "\n        "
	b = append(b, '{')
	b = field(b, in1, "control", f.Control, true)
	b = field(b, in1, "title", f.Title, false)
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
	b = field(b, in1, "remediation", f.Remediation, false)
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
	b = append(b, ']')
	if e := f.Exemption; e != nil {
		b = append(b, ',')
		b = append(b, in1...)
		b = append(b, `"exemption": {`...)
		b = field(b, in2, "reason", e.Reason, true)
		b = field(b, in2, "source", e.Source, false)
		if e.Expires != nil {
			b = field(b, in2, "expires", e.Expires.Format("2006-01-02"), false)
		}
		if e.Owner != "" {
			b = field(b, in2, "owner", e.Owner, false)
		}
		if e.Ticket != "" {
			b = field(b, in2, "ticket", e.Ticket, false)
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

// appendString quotes s like encoding/json with HTML escaping off: quote, backslash and control
// characters escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
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
