package json

import (
	"strconv"

	"github.com/kubeharden/kubeharden/internal/jsonquote"
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

// appendString quotes s like encoding/json with HTML escaping off.
func appendString(b []byte, s string) []byte {
	return jsonquote.Append(b, s, jsonquote.Options{CheckUTF8: true})
}
