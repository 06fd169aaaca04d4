package helm

import (
	"strconv"
	"strings"
)

// This file indexes a template's text for the YAML keys it writes literally, so that fields of
// a rendered object can be traced back to a template line. See mapObject for how the index is
// used and what it cannot see.

// actionMark stands for a template action ({{ ... }}) in a line's literal text. NUL never
// occurs in a template that renders to valid YAML, so it cannot be confused with literal text.
const actionMark = '\x00'

// tline is one template line as the indexer sees it.
type tline struct {
	num int // 1-based
	// content is the literal text of the line with each action replaced by actionMark. A line
	// that continues an action begun on an earlier line starts with actionMark.
	content string
	// controls are the keywords (if, range, with, define, block, else, end) of the control
	// actions that start on this line, in order.
	controls []string
}

// lexTemplate splits a Go template into lines of literal text and control keywords. It knows
// the default delimiters, trim markers, comments and the three kinds of quoted literals an
// action may hold (so a "}}" inside a string does not end the action). Malformed templates are
// read as far as they go; Helm reports their errors itself.
func lexTemplate(src string) []tline {
	var lines []tline
	var b strings.Builder
	var controls []string
	num := 1
	flush := func() {
		lines = append(lines, tline{num: num, content: b.String(), controls: controls})
		b.Reset()
		controls = nil
		num++
	}
	i := 0
	for i < len(src) {
		c := src[i]
		if c == '\n' {
			flush()
			i++
			continue
		}
		if c != '{' || i+1 >= len(src) || src[i+1] != '{' {
			b.WriteByte(c)
			i++
			continue
		}
		// An action: mark it, note its keyword, and skip to its end, flushing lines it spans.
		b.WriteByte(actionMark)
		end, kw := scanAction(src, i+2)
		if kw != "" {
			controls = append(controls, kw)
		}
		for j := i; j < end; j++ {
			if src[j] == '\n' {
				flush()
				b.WriteByte(actionMark)
			}
		}
		i = end
	}
	flush()
	return lines
}

// scanAction returns the offset just past the action whose body starts at i (after "{{"), and
// its control keyword if it is a control action.
func scanAction(src string, i int) (end int, keyword string) {
	j := i
	if j+1 < len(src) && src[j] == '-' && isSpace(src[j+1]) {
		j++
	}
	for j < len(src) && isSpace(src[j]) {
		j++
	}
	if strings.HasPrefix(src[j:], "/*") {
		k := strings.Index(src[j+2:], "*/")
		if k < 0 {
			return len(src), ""
		}
		k = j + 2 + k + 2
		e := strings.Index(src[k:], "}}")
		if e < 0 {
			return len(src), ""
		}
		return k + e + 2, ""
	}
	w := j
	for w < len(src) && (src[w] >= 'a' && src[w] <= 'z') {
		w++
	}
	switch word := src[j:w]; word {
	case "if", "range", "with", "define", "block", "else", "end":
		keyword = word
	}
	for k := j; k < len(src); k++ {
		switch src[k] {
		case '"':
			for k++; k < len(src) && src[k] != '"' && src[k] != '\n'; k++ {
				if src[k] == '\\' {
					k++
				}
			}
		case '\'':
			for k++; k < len(src) && src[k] != '\'' && src[k] != '\n'; k++ {
				if src[k] == '\\' {
					k++
				}
			}
		case '`':
			if e := strings.IndexByte(src[k+1:], '`'); e >= 0 {
				k += 1 + e
			} else {
				return len(src), keyword
			}
		case '}':
			if k+1 < len(src) && src[k+1] == '}' {
				return k + 2, keyword
			}
		}
	}
	return len(src), keyword
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// glob matches rendered text against a template line's literal text, each action standing for
// any text. It is how the indexer tells two candidate template lines apart ("kind: Service"
// against "kind: Deployment", "name: {{ .Release.Name }}-worker" against "name: web").
type glob struct {
	parts []string // literal pieces between actions; len 1 means no action
	lit   int      // number of literal bytes: how specific the pattern is
}

func makeGlob(s string) glob {
	g := glob{parts: strings.Split(s, string(actionMark))}
	for _, p := range g.parts {
		g.lit += len(strings.TrimSpace(p))
	}
	return g
}

func (g glob) valid() bool { return g.parts != nil }

func (g glob) match(s string) bool {
	if !g.valid() {
		return false
	}
	n := len(g.parts)
	if n == 1 {
		return s == g.parts[0]
	}
	first, last := g.parts[0], g.parts[n-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range g.parts[1 : n-1] {
		k := strings.Index(mid, p)
		if k < 0 {
			return false
		}
		mid = mid[k+len(p):]
	}
	return true
}

// tnode is a key or a sequence item written literally in a template, with the keys and items
// written under it.
type tnode struct {
	line   int
	value  glob // the inline value of a key, or the text of a scalar item; invalid when none
	fields map[string][]*tnode
	items  []*tnode
	// ranged marks nodes written inside a {{ range }}: one template item then stands for every
	// item the loop renders.
	ranged bool
}

func (n *tnode) addField(key string, c *tnode) {
	if n.fields == nil {
		n.fields = map[string][]*tnode{}
	}
	n.fields[key] = append(n.fields[key], c)
}

// tdoc is one YAML document of a template (the text between literal "---" lines).
type tdoc struct {
	root *tnode
	// first is the document's first literal line (usually "apiVersion:"); any is its first
	// non-blank line, literal or not.
	first, any int
	// output says the document has actions that write text (not only if/range/end).
	output bool
}

// line is where the document's object starts, as far as the template shows.
func (d *tdoc) line() int {
	if d.first > 0 {
		return d.first
	}
	return d.any
}

// tindex is the index of one template file.
type tindex struct {
	docs []*tdoc
	// lines are the template's literal-led lines, for mapping a rendered line back when no
	// field path is known (errors in the rendered output).
	lines []lineGlob
}

type lineGlob struct {
	num int
	g   glob
}

type frame struct {
	n    *tnode
	col  int
	item bool
}

// indexTemplate builds the key tree of every document of a template. It reads the template as
// YAML whose actions are unknown text: a line whose literal text starts with "key:" (after any
// "- " item markers) is a key at that indentation; lines led by an action, comments, block
// scalar bodies and the bodies of {{ define }} blocks are not.
func indexTemplate(src string) *tindex {
	x := &tindex{}
	doc := &tdoc{root: &tnode{}}
	x.docs = append(x.docs, doc)
	stack := []frame{{n: doc.root, col: -1}}
	var ctl []string // open control blocks
	inRange, inDefine := 0, 0
	blockCol := -1 // indentation of the key owning a block scalar being skipped
	for _, l := range lexTemplate(src) {
		defining := inDefine > 0
		for _, kw := range l.controls {
			switch kw {
			case "if", "with", "range", "define", "block":
				ctl = append(ctl, kw)
				if kw == "range" {
					inRange++
				}
				if kw == "define" {
					inDefine++
				}
			case "end":
				if n := len(ctl); n > 0 {
					switch ctl[n-1] {
					case "range":
						inRange--
					case "define":
						inDefine--
					}
					ctl = ctl[:n-1]
				}
			}
		}
		if defining || inDefine > 0 {
			continue
		}
		indent := 0
		for indent < len(l.content) && l.content[indent] == ' ' {
			indent++
		}
		rest := strings.TrimRight(l.content[indent:], " \t\r")
		if rest == "" {
			continue
		}
		if indent == 0 && (rest == "---" || strings.HasPrefix(rest, "--- ") || rest == "...") {
			doc = &tdoc{root: &tnode{}}
			x.docs = append(x.docs, doc)
			stack = []frame{{n: doc.root, col: -1}}
			blockCol = -1
			continue
		}
		if strings.Count(rest, string(actionMark)) > len(l.controls) {
			doc.output = true
		}
		if doc.any == 0 && (doc.output || rest[0] != actionMark) {
			doc.any = l.num
		}
		if rest[0] == actionMark {
			continue
		}
		if blockCol >= 0 {
			if indent > blockCol {
				continue
			}
			blockCol = -1
		}
		if rest[0] == '#' {
			continue
		}
		x.lines = append(x.lines, lineGlob{l.num, makeGlob(rest)})
		col := indent
		ranged := inRange > 0
		var last *tnode
		// Sequence item markers.
		for len(rest) > 0 && rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
			for len(stack) > 1 {
				top := stack[len(stack)-1]
				if top.col < col || (top.col == col && !top.item && top.n.fields == nil) {
					break
				}
				stack = stack[:len(stack)-1]
			}
			it := &tnode{line: l.num, ranged: ranged}
			parent := stack[len(stack)-1].n
			parent.items = append(parent.items, it)
			stack = append(stack, frame{n: it, col: col, item: true})
			last = it
			k := 1
			for k < len(rest) && rest[k] == ' ' {
				k++
			}
			col += k
			rest = rest[k:]
		}
		if doc.first == 0 {
			doc.first = l.num
		}
		if rest == "" || rest[0] == '#' {
			continue
		}
		key, value, isKey := splitKey(rest)
		if !isKey {
			if last != nil {
				last.value = makeGlob(unquote(stripComment(rest)))
			}
			continue
		}
		for len(stack) > 1 && stack[len(stack)-1].col >= col {
			stack = stack[:len(stack)-1]
		}
		kn := &tnode{line: l.num, ranged: ranged}
		if key != "" {
			stack[len(stack)-1].n.addField(key, kn)
		}
		stack = append(stack, frame{n: kn, col: col})
		if value = stripComment(value); value != "" {
			if isBlockIndicator(value) {
				blockCol = col
			} else {
				kn.value = makeGlob(unquote(value))
			}
		}
	}
	// Documents with no literal text at all (the part before a first "---", a file that only
	// holds {{ define }}s) produce nothing and are dropped; a document made only of actions
	// (an include that writes a whole object) is kept as a candidate.
	docs := x.docs[:0]
	for _, d := range x.docs {
		if d.any > 0 {
			docs = append(docs, d)
		}
	}
	x.docs = docs
	return x
}

// splitKey splits "key: value" (value possibly empty). key is "" when the key is written by an
// action: the line still opens a mapping entry, but no rendered key can be matched to it.
func splitKey(s string) (key, value string, ok bool) {
	switch s[0] {
	case '"', '\'':
		q := s[0]
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' && q == '"' {
				i++
				continue
			}
			if s[i] != q {
				continue
			}
			if q == '\'' && i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			after := s[i+1:]
			if after == ":" || strings.HasPrefix(after, ": ") {
				return unquote(s[:i+1]), strings.TrimSpace(after[1:]), !strings.ContainsRune(s[:i+1], actionMark)
			}
			return "", "", false
		}
		return "", "", false
	case '{', '[', '&', '*', '!', '|', '>', '%', '@', '`':
		return "", "", false
	}
	i := strings.Index(s, ": ")
	if i < 0 {
		if !strings.HasSuffix(s, ":") {
			return "", "", false
		}
		i = len(s) - 1
	}
	if h := strings.Index(s, " #"); h >= 0 && h < i {
		return "", "", false
	}
	key = s[:i]
	if strings.ContainsRune(key, actionMark) {
		return "", strings.TrimSpace(s[i+1:]), true
	}
	return key, strings.TrimSpace(s[i+1:]), true
}

func stripComment(v string) string {
	if v == "" || v[0] == '"' || v[0] == '\'' {
		return strings.TrimSpace(v)
	}
	if v[0] == '#' {
		return ""
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

func isBlockIndicator(v string) bool {
	if v == "" || (v[0] != '|' && v[0] != '>') {
		return false
	}
	for _, c := range v[1:] {
		if c != '-' && c != '+' && (c < '1' || c > '9') {
			return false
		}
	}
	return true
}

// unquote strips the quotes of a quoted scalar so that its glob matches the parsed value.
func unquote(s string) string {
	if len(s) < 2 {
		return s
	}
	switch {
	case s[0] == '"' && s[len(s)-1] == '"':
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	case s[0] == '\'' && s[len(s)-1] == '\'':
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}
