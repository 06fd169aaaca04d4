package helm

import (
	"sort"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode/utf8"
)

// Rendered objects name the template line that wrote each of their fields. Helm's engine keeps
// no record of it, and guessing it afterwards from the template's text cannot tell apart
// documents that write the same literal text: two Pods of one kind with templated names, one of
// them switched off by an {{ if }}, or an object written by include or tpl next to a literal
// one. So the output is traced while it is written instead.
//
// text/template writes the literal text between actions by handing the writer the very bytes of
// its parse tree's text node, whose position in the template is known; everything else (the
// value an action prints, a named template's text) comes from elsewhere. The tracer recognises
// the text nodes of the template being rendered by the address of their bytes, so each byte of
// the output is known to be either literal text from a known template offset or not. An action
// that directly follows a text node in the template (nothing but comments and variable
// declarations between them) is the next thing to write after it, so its output is recorded
// as coming from that action's line: that is how an object written whole by
// {{ include "pod" . }} gets the include's line. Any other output (a named template called
// with {{ template }}, an action that opens an if or range body) is of unknown origin.

// rendering is a template's output with the origin of its parts.
type rendering struct {
	text string
	// spans are the traced parts of text, in output order; parts between them are unknown.
	spans []span
	// newlines are the offsets of the template's newlines, to turn offsets into lines.
	newlines []int
}

// span is a part of the output: literal text from template offset src, or, when src < 0, the
// output of the action at template line line.
type span struct {
	out, n int
	src    int
	line   int
}

// noValue is what text/template prints for a missing value; Helm removes it from the output.
const noValue = "<no value>"

// tracer is the writer a template is rendered into.
type tracer struct {
	b     strings.Builder
	nodes map[*byte]textNode
	spans []span
	// next is the line of the action whose output the next write is, or 0 when unknown.
	next int
	src  string
}

// textNode is what the tracer knows of one text node of the template.
type textNode struct {
	pos, n int
	next   int // line of the action that runs right after it, or 0
}

func newTracer(t *template.Template, src string) *tracer {
	w := &tracer{nodes: map[*byte]textNode{}, src: src}
	if t == nil || t.Tree == nil || t.Root == nil {
		return w
	}
	w.next = w.index(t.Root)
	return w
}

// index records the text nodes of list and the lists under it, and returns the line of the
// action that writes first when the list runs, if that is known.
func (w *tracer) index(list *parse.ListNode) int {
	if list == nil {
		return 0
	}
	for i, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(n.Text) > 0 {
				w.nodes[&n.Text[0]] = textNode{pos: int(n.Pos), n: len(n.Text), next: nextAction(list.Nodes[i+1:])}
			}
		case *parse.IfNode:
			w.index(n.List)
			w.index(n.ElseList)
		case *parse.RangeNode:
			w.index(n.List)
			w.index(n.ElseList)
		case *parse.WithNode:
			w.index(n.List)
			w.index(n.ElseList)
		case *parse.ListNode:
			w.index(n)
		}
	}
	return nextAction(list.Nodes)
}

// nextAction is the line of the action that writes first when nodes run in order, if the first
// node that can write is an action that prints.
func nextAction(nodes []parse.Node) int {
	for _, n := range nodes {
		switch n := n.(type) {
		case *parse.CommentNode:
			continue
		case *parse.ActionNode:
			if n.Pipe != nil && len(n.Pipe.Decl) > 0 {
				continue
			}
			return n.Line
		}
		return 0
	}
	return 0
}

func (w *tracer) Write(p []byte) (int, error) {
	if len(p) > 0 {
		if t, ok := w.nodes[&p[0]]; ok && t.n == len(p) {
			w.spans = append(w.spans, span{out: w.b.Len(), n: len(p), src: t.pos})
			w.next = t.next
			return w.b.Write(p)
		}
	}
	if string(p) == noValue {
		// Helm removes it; dropping it here keeps the offsets of what follows.
		w.next = 0
		return len(p), nil
	}
	if w.next > 0 && len(p) > 0 {
		w.spans = append(w.spans, span{out: w.b.Len(), n: len(p), src: -1, line: w.next})
	}
	w.next = 0
	return w.b.Write(p)
}

func (w *tracer) result() rendering {
	s := w.b.String()
	spans := w.spans
	if strings.Contains(s, noValue) {
		// Written by other means (a named template's output with a missing value, a value
		// holding the text): Helm removes those too, which moves everything after them.
		s, spans = removeNoValue(s, spans)
	}
	rd := rendering{text: s, spans: spans}
	for i := 0; i < len(w.src); i++ {
		if w.src[i] == '\n' {
			rd.newlines = append(rd.newlines, i)
		}
	}
	return rd
}

// removeNoValue removes every noValue from s, as Helm does, and moves the spans after each one
// back by its length. A span that holds one loses its origin: its bytes no longer line up.
func removeNoValue(s string, spans []span) (string, []span) {
	var cuts []int // output offsets of the removed texts, in order
	for i := 0; ; {
		j := strings.Index(s[i:], noValue)
		if j < 0 {
			break
		}
		cuts = append(cuts, i+j)
		i += j + len(noValue)
	}
	out := make([]span, 0, len(spans))
	k := 0 // cuts before the current span
	for _, sp := range spans {
		for k < len(cuts) && cuts[k]+len(noValue) <= sp.out {
			k++
		}
		if k < len(cuts) && cuts[k] < sp.out+sp.n {
			continue // a removed text inside (or across) the span
		}
		sp.out -= k * len(noValue)
		out = append(out, sp)
	}
	return strings.ReplaceAll(s, noValue, ""), out
}

// at returns the template line that wrote the output byte at offset off, and whether it was
// literal text (rather than an action's output); line 0 when unknown.
func (rd *rendering) at(off int) (line int, literal bool) {
	i := sort.Search(len(rd.spans), func(i int) bool { return rd.spans[i].out+rd.spans[i].n > off })
	if i == len(rd.spans) || rd.spans[i].out > off {
		return 0, false
	}
	sp := rd.spans[i]
	if sp.src < 0 {
		return sp.line, false
	}
	src := sp.src + off - sp.out
	return sort.SearchInts(rd.newlines, src) + 1, true
}

// lines indexes the starts of the output's lines.
func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset turns a 1-based line and 1-based column (in characters) of text into a byte offset, or
// -1 when out of range.
func offset(text string, starts []int, line, col int) int {
	if line < 1 || line > len(starts) || col < 1 {
		return -1
	}
	off := starts[line-1]
	for c := 1; c < col && off < len(text) && text[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(text[off:])
		off += n
	}
	return off
}
