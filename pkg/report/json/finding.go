package json

import (
	"math/bits"
	"strconv"

	"github.com/kubeharden/kubeharden/internal/jsonquote"
	"github.com/kubeharden/kubeharden/internal/swar"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

// encoder remembers, per control, the encoded fields that come from the catalog (title,
// remediation, references): a report repeats them for every finding of the control, and
// escaping the same long remediation text tens of thousands of times was most of the work.
//
// It also remembers the encoded object of the previous finding: findings come grouped by object,
// a dozen or more per workload, and the object's fields, file and source are the same for each.
type encoder struct {
	controls map[string]*controlText

	obj     *inventory.Object
	objText []byte // from `"object": {` to the file field, if any
	srcText []byte // the source field, if any

	// quoted holds the quoted form of paths and messages seen. Both repeat across objects
	// (every workload's first container has the same runAsNonRoot path and, as often as not,
	// the same container name in its messages), and quoting was half the writer's time on a
	// large cluster.
	quoted quoteCache
	// expect is about how many findings the encoder will write (it sizes the cache).
	expect int
}

// quoteCache is a direct-mapped cache of quoted texts: a map keyed by the text cost nearly as
// much as quoting it. A slot keeps the first text that lands in it, so texts that share a slot
// cost a comparison each, never an allocation, and the cache's memory is bounded by its slots.
// A text's quoted copy is kept when it comes a second time: most paths and messages of a
// varied set of manifests come once, and copying each of those cost more memory than the cache
// saved.
type quoteCache struct {
	slots []quoteSlot
	shift uint
}

type quoteSlot struct{ text, quoted string }

const (
	maxQuoteSlotBits = 13
	minQuoteSlotBits = 8
	maxQuotedLen     = 256 // longer texts are rarely repeated and are not cached
)

// init sizes the cache for about n findings: a small report does not need 8,192 slots.
func (c *quoteCache) init(n int) {
	b := min(max(bits.Len(uint(n)), minQuoteSlotBits), maxQuoteSlotBits)
	c.slots, c.shift = make([]quoteSlot, 1<<b), uint(64-b)
}

// appendQuoted appends s quoted, through the cache.
func (e *encoder) appendQuoted(b []byte, s string) []byte {
	if len(s) > maxQuotedLen || len(s) < 8 {
		return appendString(b, s)
	}
	c := &e.quoted
	if c.slots == nil {
		c.init(e.expect)
	}
	slot := &c.slots[swar.Hash(s)>>c.shift]
	if slot.quoted != "" && slot.text == s {
		return append(b, slot.quoted...)
	}
	start := len(b)
	b = appendString(b, s)
	switch {
	case slot.text == "":
		slot.text = s // the finding's own string: no copy
	case slot.quoted == "" && slot.text == s:
		slot.quoted = string(b[start:]) // a copy: b is a buffer the writer reuses
	}
	return b
}

type controlText struct {
	title, tail []byte
	// heads are the encoded fields from control to status, by severity and status.
	heads []head
}

type head struct {
	severity catalog.Severity
	status   engine.Status
	text     []byte
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

// appendFinding appends f as encoding/json would indent it at depth two ("    " prefix, two
// spaces per level, no HTML escaping). Findings are most of a report and encoding/json spent
// most of the report's time reflecting over them and re-scanning its own output to indent it;
// the golden tests hold this to the same bytes. obj is the object f was converted from
// (report.NewFinding); when it is the previous finding's object, that object's encoding is
// reused, unless patches placed its fields in other files. nil disables the reuse.
func (e *encoder) appendFinding(b []byte, f *report.Finding, obj *inventory.Object) []byte {
	ct := e.text(f)
	b = append(b, '{')
	b = append(b, ct.head(f)...)
	// A patched object's findings may each be in a different file (a kustomize patch's).
	if obj == nil || obj != e.obj || obj.Patched != nil {
		e.obj = obj
		e.objText = appendObject(e.objText[:0], f)
		e.srcText = e.srcText[:0]
		if f.Source != "" {
			e.srcText = field(e.srcText, in1, "source", f.Source, false)
		}
	}
	b = append(b, e.objText...)
	if f.Line != 0 {
		b = append(b, ',')
		b = append(b, in1...)
		b = append(b, `"line": `...)
		b = strconv.AppendInt(b, int64(f.Line), 10)
	}
	b = append(b, e.srcText...)
	if f.Path != "" {
		b = e.appendQuoted(fieldKey(b, in1, "path", false), f.Path)
	}
	if f.Message != "" {
		b = e.appendQuoted(fieldKey(b, in1, "message", false), f.Message)
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

// head returns the encoded fields from "control" to "status" (without the opening brace).
func (ct *controlText) head(f *report.Finding) []byte {
	for i := range ct.heads {
		if h := &ct.heads[i]; h.severity == f.Severity && h.status == f.Status {
			return h.text
		}
	}
	b := field(nil, in1, "control", f.Control, true)
	b = append(b, ","+in1+`"title": `...)
	b = append(b, ct.title...)
	b = field(b, in1, "severity", f.Severity.String(), false)
	b = field(b, in1, "section", f.Section.Key(), false)
	b = field(b, in1, "status", f.Status.String(), false)
	ct.heads = append(ct.heads, head{f.Severity, f.Status, b})
	return b
}

// appendObject appends the object and file fields of f.
func appendObject(b []byte, f *report.Finding) []byte {
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
	return b
}

func field(b []byte, indent, key, value string, first bool) []byte {
	return appendString(fieldKey(b, indent, key, first), value)
}

// fieldKey appends a field's separator, indentation and key, up to its value.
func fieldKey(b []byte, indent, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, `": `...)
}

// appendString quotes s like encoding/json with HTML escaping off.
func appendString(b []byte, s string) []byte {
	return jsonquote.Append(b, s, jsonquote.Options{CheckUTF8: true})
}
