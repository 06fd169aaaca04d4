package yamldoc

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// The parser is a recursive-descent version of libyaml's parser state
// machine: same productions, same acceptance, but it builds Nodes directly.
// Recursion depth is bounded by Options.MaxDepth.

const flagBusy uint8 = 1 << 7 // anchored collection still being parsed

type tagDirective struct{ handle, prefix string }

type parser struct {
	s        scanner
	opts     Options
	keep     bool // the caller keeps every tree (ParseString): never recycle the arena
	anchors  map[string]*Node
	aliases  int // aliases in the current document
	tagDirs  []tagDirective
	depth    int
	err      *Error
	docStart int  // offset of the last "---" consumed, or -1
	dirErr   bool // the error is in a directive
	// lastResume is where parsing last resumed after an error.
	lastResume int

	nodes     []Node  // current allocation chunk
	ptrs      []*Node // current slab for Content slices
	stack     []*Node // children of open collections
	chunk     int
	ptrChunk  int
	nodesMade int
	ptrsMade  int
	keyIdx    []int
	keyScrach []string
	stackHigh int // highest length of stack in this call
}

// Parse splits data into documents and parses each of them. A syntax error
// in one document is reported with its line, and parsing resumes at the
// next "---" line, so one bad document does not lose the others. Failed
// documents are left out of the result but keep their Index.
//
// Parse does not copy data: scalar values (and strings that Decode stores)
// are substrings of it where possible. data must therefore not be modified
// while the nodes or decoded values are in use; use ParseString, or pass a
// copy, if the buffer is reused.
func Parse(data []byte, opts Options) ([]Document, []error) {
	if len(data) == 0 {
		return ParseString("", opts)
	}
	return ParseString(unsafe.String(&data[0], len(data)), opts)
}

// ParseString is Parse for input held in a string.
func ParseString(src string, opts Options) ([]Document, []error) {
	var docs []Document
	var errs []error
	// All trees are wanted at once, so an arena is not recycled from document to document:
	// they stay valid until its Reset, as documented.
	each(src, opts, true, func(doc Document, err error) bool {
		if err != nil {
			errs = append(errs, err)
		} else {
			docs = append(docs, doc)
		}
		return true
	})
	return docs, errs
}

// Each is Parse one document at a time: it calls fn for every document in input order, with
// the document or, for a document that does not parse, with its error (and a Document that
// only carries its Index), until fn returns false.
//
// A stream of many documents then never holds more than one parse tree. With Options.Nodes
// set, each tree is built in the memory of the one before, so a document passed to fn is valid
// only until fn returns; a loader that decodes each document as it comes keeps its memory at
// the size of the largest document instead of the whole file.
func Each(data []byte, opts Options, fn func(Document, error) bool) {
	if len(data) == 0 {
		EachString("", opts, fn)
		return
	}
	EachString(unsafe.String(&data[0], len(data)), opts, fn)
}

// EachString is Each for input held in a string.
func EachString(src string, opts Options, fn func(Document, error) bool) {
	each(src, opts, false, fn)
}

// each parses src one document at a time; keep says the caller holds on to every tree, so an
// arena must not be recycled between documents.
func each(src string, opts Options, keep bool, fn func(Document, error) bool) {
	eachFrom(src, 0, 0, 0, opts, keep, fn)
}

// eachFrom is each for the part of src from byte start, which is on the 0-based line and is
// taken as the start of a stream (its first column); the first document gets Index index. It
// returns false when fn stopped it.
func eachFrom(src string, start, line, index int, opts Options, keep bool, fn func(Document, error) bool) bool {
	opts = opts.withDefaults()
	if len(src) > math.MaxInt32 {
		return fn(Document{}, &Error{Line: 1, Column: 1, Msg: "input larger than 2 GiB"})
	}
	p := parserPool.Get().(*parser)
	defer p.release()
	p.opts, p.keep, p.docStart, p.lastResume = opts, keep, -1, -1
	p.depth, p.err, p.dirErr = 0, nil, false
	p.nodesMade, p.ptrsMade = 0, 0
	p.s.src = src
	p.s.maxDepth = opts.MaxDepth
	p.s.jsonEscapes = opts.JSONEscapes
	// About one node per 20 bytes of input, in chunks small enough for the
	// allocator's fast path (large allocations cost page faults).
	p.chunk = min(len(src)/19+4, 256)
	p.ptrChunk = min(p.chunk, 1024)
	if start == 0 && strings.HasPrefix(p.s.src, "\xef\xbb\xbf") {
		start = 3
	}
	p.s.reset(start, line)
	p.setLimit(start)
	first := true
	for {
		doc, more := p.parseDocument(first)
		first = false
		if p.err == nil {
			if !more {
				break
			}
			doc.Index = index
			doc.Aliases = p.aliases
			index++
			if !fn(doc, nil) {
				return false
			}
			p.recycle()
			continue
		}
		p.err.Index = index
		if !fn(Document{Index: index}, p.err) {
			return false
		}
		// Bad directives met where a document starts head the document that follows them: it
		// keeps their number. A bad directive line inside a document ends that document.
		if !p.dirErr {
			index++
		}
		p.recycle()
		// Resume at the next document start after the one that failed. After bad directives
		// that is the "---" they head: the document is read without them, as kubectl (which
		// splits a stream at its "---" lines) reads it, rather than lost without a word.
		resume, line, ok := p.nextDocumentStart()
		if !ok {
			break
		}
		p.dirErr = false
		p.err = nil
		p.depth = 0
		p.stackHigh = max(p.stackHigh, len(p.stack))
		p.stack = p.stack[:0]
		p.s.reset(resume, line)
		p.setLimit(resume)
	}
	return true
}

// recycle hands the arena's memory, if there is one and the caller does not keep the trees, to
// the next document: the parser takes its chunks from the arena's start again.
func (p *parser) recycle() {
	if a := p.opts.Nodes; a != nil && !p.keep {
		a.Reset()
		p.nodes, p.ptrs = nil, nil
	}
}

// parserPool recycles the parser's working buffers (token queue, stacks,
// scratch space) between calls; nodes are never recycled, they belong to
// the returned documents.
var parserPool = sync.Pool{New: func() any { return new(parser) }}

func (p *parser) release() {
	p.s.src = ""
	p.nodes, p.ptrs, p.anchors, p.err = nil, nil, nil, nil
	// Drop references to this input's nodes and strings, but only as far
	// as they were used: clearing pointer memory costs write barriers.
	clear(p.stack[:max(p.stackHigh, len(p.stack))])
	p.stack = p.stack[:0]
	p.stackHigh = 0
	clear(p.s.built)
	p.s.built = p.s.built[:0]
	if cap(p.s.buf) > 1<<16 {
		p.s.buf = nil
	}
	parserPool.Put(p)
}

// setLimit makes the scanner stop at the first invalid character at or
// after pos, which it then reports as an error.
func (p *parser) setLimit(pos int) {
	bad, msg := findInvalid(p.s.src, pos)
	p.s.end = bad
	p.s.badMsg = msg
}

// nextDocumentStart finds where to resume after an error: the first line,
// from the one where scanning stopped, that starts with "---" or "..."
// (a document end, which may be followed by directives) beyond the current
// document's start and the previous resumption point.
func (p *parser) nextDocumentStart() (pos, line int, ok bool) {
	src := p.s.src
	i := p.s.lineStart
	line = p.s.line
	for i < len(src) {
		if i > p.docStart && i > p.lastResume && len(src)-i >= 3 &&
			(src[i:i+3] == "---" || src[i:i+3] == "...") && (i+3 == len(src) || isBlankzByte(src, i+3)) {
			p.lastResume = i
			return i, line, true
		}
		// Advance to the next line.
		j := i
		for j < len(src) {
			c := src[j]
			if c == '\n' || c == '\r' || c == 0xC2 || c == 0xE2 {
				if n := breakLenAt(src, j); n != 0 {
					j += n
					line++
					break
				}
			}
			j++
		}
		i = j
	}
	return 0, 0, false
}

func breakLenAt(src string, i int) int {
	switch src[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if i+1 < len(src) && src[i+1] == 0x85 {
			return 2
		}
	case 0xE2:
		if i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

func isBlankzByte(src string, i int) bool {
	switch src[i] {
	case ' ', '\t':
		return true
	}
	return breakLenAt(src, i) != 0
}

func (p *parser) fail(m mark, msg string) *Node {
	if p.err == nil {
		p.err = &Error{Line: int(m.line) + 1, Column: int(m.col) + 1, Msg: msg}
	}
	return nil
}

// peek returns the next token, recording a scanner error if there is one.
func (p *parser) peek() *token {
	t := p.s.peek()
	if t == nil && p.err == nil {
		p.err = p.s.err
	}
	return t
}

func (p *parser) newNode() *Node {
	if len(p.nodes) == cap(p.nodes) {
		if a := p.opts.Nodes; a != nil {
			p.nodes = a.nodeChunk()
		} else {
			p.nodes = make([]Node, 0, p.estimate(p.chunk, &p.nodesMade))
			p.chunk = 0
		}
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	if p.opts.Nodes != nil {
		*n = Node{} // arena memory holds an earlier tree's node
	}
	return n
}

// estimate sizes the next allocation chunk: the first guess comes from
// the input size, later ones extrapolate the density seen so far to the
// rest of the input.
func (p *parser) estimate(first int, made *int) int {
	size := first
	if size == 0 {
		done := p.s.pos
		if done < 1 {
			done = 1
		}
		size = *made*(len(p.s.src)-p.s.pos)/done + 8
		if size > 256 {
			size = 256
		}
	}
	*made += size
	return size
}

// NodeArena lets Parse build each tree in the memory of the trees it built before, instead of
// allocating new nodes for every input: a loader that parses thousands of files one after the
// other, and keeps nothing of a tree once it has decoded it, then touches the same few hundred
// kilobytes again and again rather than tens of megabytes of fresh memory for the collector to
// reclaim. Documents that Parse builds in an arena are valid until its Reset; those that Each
// builds, only until its callback returns. Decode must then copy what it keeps (Options.Strings),
// which it does anyway for strings; nodes are never kept by Decode.
// An arena is not safe for concurrent use.
type NodeArena struct {
	nodes  [][]Node
	ptrs   [][]*Node
	ni, pi int // the next chunk to hand out
}

// arenaNodes and arenaPtrs are the sizes of an arena's chunks.
const (
	arenaNodes = 2048
	arenaPtrs  = 2048
)

// Reset makes the arena's memory free for the next Parse; documents parsed before must no
// longer be used.
func (a *NodeArena) Reset() { a.ni, a.pi = 0, 0 }

func (a *NodeArena) nodeChunk() []Node {
	if a.ni == len(a.nodes) {
		a.nodes = append(a.nodes, make([]Node, 0, arenaNodes))
	}
	c := a.nodes[a.ni][:0]
	a.ni++
	return c
}

// ptrChunk returns room for at least n child pointers.
func (a *NodeArena) ptrChunk(n int) []*Node {
	for a.pi < len(a.ptrs) && cap(a.ptrs[a.pi]) < n {
		a.pi++ // too small for this collection: left for the next Reset
	}
	if a.pi == len(a.ptrs) {
		a.ptrs = append(a.ptrs, make([]*Node, 0, max(n, arenaPtrs)))
	}
	c := a.ptrs[a.pi][:0]
	a.pi++
	return c
}

// content moves the children collected on the stack since base into a
// right-sized slice carved from a shared slab.
func (p *parser) content(base int) []*Node {
	n := len(p.stack) - base
	if n == 0 {
		p.stack = p.stack[:base]
		return nil
	}
	if cap(p.ptrs)-len(p.ptrs) < n {
		if a := p.opts.Nodes; a != nil {
			p.ptrs = a.ptrChunk(n)
		} else {
			size := p.estimate(p.ptrChunk, &p.ptrsMade)
			if size < n {
				size = n
			}
			p.ptrs = make([]*Node, 0, size)
			p.ptrChunk = 0
		}
	}
	if len(p.stack) > p.stackHigh {
		p.stackHigh = len(p.stack)
	}
	l := len(p.ptrs)
	c := p.ptrs[l : l+n : l+n]
	p.ptrs = p.ptrs[:l+n]
	copy(c, p.stack[base:])
	p.stack = p.stack[:base]
	return c
}

func (p *parser) setPos(n *Node, m mark) {
	n.Line = int(m.line) + 1
	n.Column = int(m.col) + 1
}

func (p *parser) emptyScalar(m mark) *Node {
	n := p.newNode()
	n.Kind = ScalarNode
	n.Tag = NullTag
	p.setPos(n, m)
	return n
}

// after returns the mark just after a one-character indicator token.
func after(m mark) mark {
	m.pos++
	m.col++
	return m
}

// parseDocument parses one document. more is false at the end of the
// stream.
func (p *parser) parseDocument(first bool) (doc Document, more bool) {
	p.anchors, p.aliases = nil, 0
	t := p.peek()
	if t == nil {
		return doc, true
	}
	if t.kind == tStreamStart {
		p.s.skip()
		if t = p.peek(); t == nil {
			return doc, true
		}
	}
	if !first {
		for t.kind == tDocumentEnd {
			p.s.skip()
			if t = p.peek(); t == nil {
				return doc, true
			}
		}
	}
	doc.Line = int(t.m.line) + 1
	switch {
	case t.kind == tStreamEnd:
		p.s.skip()
		return doc, false
	case first && t.kind != tVersionDirective && t.kind != tTagDirective && t.kind != tDocumentStart:
		// Implicit document.
		if !p.processDirectives() {
			return doc, true
		}
		doc.Root = p.parseNode(true, false)
		if p.err != nil {
			return doc, true
		}
	default:
		if !p.processDirectives() {
			return doc, true
		}
		if t = p.peek(); t == nil {
			return doc, true
		}
		if t.kind != tDocumentStart {
			p.fail(t.m, "did not find expected document start '---' (found "+tokNames[t.kind]+")")
			return doc, true
		}
		p.docStart = int(t.m.pos)
		p.s.skip()
		if t = p.peek(); t == nil {
			return doc, true
		}
		switch t.kind {
		case tVersionDirective, tTagDirective, tDocumentStart, tDocumentEnd, tStreamEnd:
		default:
			doc.Root = p.parseNode(true, false)
			if p.err != nil {
				return doc, true
			}
		}
	}
	if t = p.peek(); t == nil {
		return doc, true
	}
	if t.kind == tDocumentEnd {
		p.s.skip()
	}
	return doc, true
}

func (p *parser) processDirectives() bool {
	p.tagDirs = p.tagDirs[:0]
	version := false
	for {
		t := p.peek()
		if t == nil {
			// A directive the scanner could not read, met where a document starts: it heads
			// the next document (see each).
			p.dirErr = p.s.dirErr
			return false
		}
		if t.kind == tVersionDirective {
			if version {
				p.dirErr = true
				p.fail(t.m, "found duplicate %YAML directive")
				return false
			}
			if t.major != 1 {
				p.dirErr = true
				p.fail(t.m, "found incompatible YAML document (version "+itoa(int(t.major))+"."+itoa(int(t.minor))+")")
				return false
			}
			version = true
		} else if t.kind == tTagDirective {
			for _, d := range p.tagDirs {
				if d.handle == p.s.str(t.value) {
					p.dirErr = true
					p.fail(t.m, "found duplicate %TAG directive")
					return false
				}
			}
			p.tagDirs = append(p.tagDirs, tagDirective{p.s.str(t.value), p.s.str(t.extra)})
		} else {
			break
		}
		p.s.skip()
	}
	for _, def := range [...]tagDirective{{"!", "!"}, {"!!", longTagPrefix}} {
		found := false
		for _, d := range p.tagDirs {
			if d.handle == def.handle {
				found = true
				break
			}
		}
		if !found {
			p.tagDirs = append(p.tagDirs, def)
		}
	}
	return true
}

// parseNode parses a node; block allows block collections, indentless
// allows a "- " sequence at the indentation of the enclosing mapping.
func (p *parser) parseNode(block, indentless bool) *Node {
	t := p.peek()
	if t == nil {
		return nil
	}
	if t.kind == tAlias {
		n := p.newNode()
		n.Kind = AliasNode
		n.Value = p.s.str(t.value)
		p.setPos(n, t.m)
		target := p.anchors[n.Value]
		if target == nil {
			return p.fail(t.m, "unknown anchor '"+capRaw(n.Value)+"' referenced")
		}
		if target.flags&flagBusy != 0 {
			return p.fail(t.m, "anchor '"+capRaw(n.Value)+"' value contains itself")
		}
		n.props = &nodeProps{alias: target}
		p.aliases++
		p.s.skip()
		return n
	}

	start := t.m
	var anchor, handle, suffix string
	var tagMark mark
	hasTag := false
	if t.kind == tAnchor {
		anchor = p.s.str(t.value)
		p.s.skip()
		if t = p.peek(); t == nil {
			return nil
		}
		if t.kind == tTag {
			hasTag, handle, suffix, tagMark = true, p.s.str(t.value), p.s.str(t.extra), t.m
			p.s.skip()
			if t = p.peek(); t == nil {
				return nil
			}
		}
	} else if t.kind == tTag {
		hasTag, handle, suffix, tagMark = true, p.s.str(t.value), p.s.str(t.extra), t.m
		p.s.skip()
		if t = p.peek(); t == nil {
			return nil
		}
		if t.kind == tAnchor {
			anchor = p.s.str(t.value)
			p.s.skip()
			if t = p.peek(); t == nil {
				return nil
			}
		}
	}
	tag := ""
	if hasTag {
		if handle == "" {
			tag = suffix
		} else {
			for _, d := range p.tagDirs {
				if d.handle == handle {
					tag = d.prefix + suffix
					break
				}
			}
			if tag == "" {
				return p.fail(tagMark, "found undefined tag handle "+capRaw(handle))
			}
		}
	}

	if indentless && t.kind == tBlockEntry {
		n := p.collectionNode(SequenceNode, start, anchor, tag)
		if !p.enter(start) {
			return nil
		}
		ok := p.parseIndentlessSequence(n)
		return p.leave(n, ok)
	}
	switch t.kind {
	case tScalar:
		n := p.newNode()
		n.Kind = ScalarNode
		n.Style = t.style
		n.Value = p.s.str(t.value)
		p.setPos(n, start)
		p.anchor(n, anchor)
		if tag == "" {
			if t.style == PlainStyle {
				n.Tag = resolvePlain(n.Value)
				if n.Value == "<<" {
					n.flags |= flagMerge
				}
			} else {
				n.Tag = StrTag
			}
		} else if !p.tagScalar(n, tag, true, start) {
			return nil
		}
		p.s.skip()
		return n
	case tFlowSequenceStart:
		n := p.collectionNode(SequenceNode, start, anchor, tag)
		n.Style = FlowStyle
		if !p.enter(start) {
			return nil
		}
		return p.leave(n, p.parseFlowSequence(n))
	case tFlowMappingStart:
		n := p.collectionNode(MappingNode, start, anchor, tag)
		n.Style = FlowStyle
		if !p.enter(start) {
			return nil
		}
		return p.leave(n, p.parseFlowMapping(n))
	case tBlockSequenceStart:
		if block {
			n := p.collectionNode(SequenceNode, start, anchor, tag)
			if !p.enter(start) {
				return nil
			}
			return p.leave(n, p.parseBlockSequence(n))
		}
	case tBlockMappingStart:
		if block {
			n := p.collectionNode(MappingNode, start, anchor, tag)
			if !p.enter(start) {
				return nil
			}
			return p.leave(n, p.parseBlockMapping(n))
		}
	}
	if anchor != "" || tag != "" {
		// Properties without content: an empty scalar.
		n := p.newNode()
		n.Kind = ScalarNode
		p.setPos(n, start)
		p.anchor(n, anchor)
		if tag == "" {
			n.Tag = NullTag
		} else if !p.tagScalar(n, tag, false, start) {
			return nil
		}
		return n
	}
	return p.fail(t.m, "did not find expected node content (found "+tokNames[t.kind]+")")
}

// tagScalar resolves a scalar with an explicit tag. withContent tells
// whether the scalar has text: then the non-specific tag '!' makes "<<" a
// merge key, as it does in goyaml.v2.
func (p *parser) tagScalar(n *Node, tag string, withContent bool, m mark) bool {
	n.setProps("", shortTag(tag))
	if tag == "!" {
		n.Tag = StrTag
		if withContent && n.Value == "<<" {
			n.flags |= flagMerge
		}
		return true
	}
	tg, msg := resolveTagged(tag, n.Value)
	if msg != "" {
		p.fail(m, msg)
		return false
	}
	n.Tag = tg
	if tag == tagMerge && n.Value == "<<" {
		n.flags |= flagMerge
	}
	return true
}

func (p *parser) anchor(n *Node, name string) {
	if name == "" {
		return
	}
	n.setProps(name, "")
	if p.anchors == nil {
		p.anchors = make(map[string]*Node)
	}
	p.anchors[name] = n
}

func (p *parser) collectionNode(kind Kind, m mark, anchor, tag string) *Node {
	n := p.newNode()
	n.Kind = kind
	p.setPos(n, m)
	if tag != "" {
		n.setProps("", shortTag(tag))
	}
	if anchor != "" {
		p.anchor(n, anchor)
		n.flags |= flagBusy
	}
	return n
}

func (p *parser) enter(m mark) bool {
	p.depth++
	if p.depth > p.opts.MaxDepth {
		p.fail(m, "nesting exceeds the maximum depth of "+itoa(p.opts.MaxDepth))
		return false
	}
	return true
}

func (p *parser) leave(n *Node, ok bool) *Node {
	p.depth--
	n.flags &^= flagBusy
	if !ok {
		return nil
	}
	return n
}

func (p *parser) parseBlockSequence(n *Node) bool {
	p.s.skip() // BLOCK-SEQUENCE-START
	base := len(p.stack)
	for {
		t := p.peek()
		if t == nil {
			return false
		}
		switch t.kind {
		case tBlockEntry:
			m := after(t.m)
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			var item *Node
			if t.kind != tBlockEntry && t.kind != tBlockEnd {
				if item = p.parseNode(true, false); item == nil {
					return false
				}
			} else {
				item = p.emptyScalar(m)
			}
			p.stack = append(p.stack, item)
		case tBlockEnd:
			p.s.skip()
			n.Content = p.content(base)
			return true
		default:
			p.fail(t.m, "did not find expected '-' indicator of a block sequence item (found "+tokNames[t.kind]+")")
			return false
		}
	}
}

func (p *parser) parseIndentlessSequence(n *Node) bool {
	base := len(p.stack)
	for {
		t := p.peek()
		if t == nil {
			return false
		}
		if t.kind != tBlockEntry {
			n.Content = p.content(base)
			return true
		}
		m := after(t.m)
		p.s.skip()
		if t = p.peek(); t == nil {
			return false
		}
		var item *Node
		switch t.kind {
		case tBlockEntry, tKey, tValue, tBlockEnd:
			item = p.emptyScalar(m)
		default:
			if item = p.parseNode(true, false); item == nil {
				return false
			}
		}
		p.stack = append(p.stack, item)
	}
}

func (p *parser) parseBlockMapping(n *Node) bool {
	p.s.skip() // BLOCK-MAPPING-START
	base := len(p.stack)
	for {
		t := p.peek()
		if t == nil {
			return false
		}
		switch t.kind {
		case tKey:
			m := after(t.m)
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			var key, val *Node
			switch t.kind {
			case tKey, tValue, tBlockEnd:
				key = p.emptyScalar(m)
			default:
				if key = p.parseNode(true, true); key == nil {
					return false
				}
			}
			if t = p.peek(); t == nil {
				return false
			}
			if t.kind == tValue {
				m = after(t.m)
				p.s.skip()
				if t = p.peek(); t == nil {
					return false
				}
				switch t.kind {
				case tKey, tValue, tBlockEnd:
					val = p.emptyScalar(m)
				default:
					if val = p.parseNode(true, true); val == nil {
						return false
					}
				}
			} else {
				val = p.emptyScalar(t.m)
			}
			p.stack = append(p.stack, key, val)
		case tBlockEnd:
			p.s.skip()
			n.Content = p.content(base)
			return p.finishMapping(n)
		default:
			if t.kind == tBlockMappingStart || t.kind == tScalar {
				p.fail(t.m, "did not find expected key (is the indentation of this line wrong?)")
			} else {
				p.fail(t.m, "did not find expected key (found "+tokNames[t.kind]+")")
			}
			return false
		}
	}
}

func (p *parser) unclosed(t *token, what string, start mark) {
	if t.kind == tStreamEnd || t.kind == tDocumentStart || t.kind == tDocumentEnd {
		p.fail(start, what+" is not closed (found "+tokNames[t.kind]+" on line "+itoa(int(t.m.line)+1)+")")
		return
	}
	closer := "']'"
	if what == "flow mapping" {
		closer = "'}'"
	}
	p.fail(t.m, "did not find expected ',' or "+closer+" in "+what+" started at line "+itoa(int(start.line)+1)+" (found "+tokNames[t.kind]+")")
}

// atEnd reports (as an unclosed collection) a document or stream end
// reached inside a flow collection.
func (p *parser) atEnd(t *token, what string, start mark) bool {
	if t.kind == tStreamEnd || t.kind == tDocumentStart || t.kind == tDocumentEnd {
		p.unclosed(t, what, start)
		return true
	}
	return false
}

func (p *parser) parseFlowSequence(n *Node) bool {
	start := p.s.tokens[p.s.head].m
	p.s.skip() // FLOW-SEQUENCE-START
	base := len(p.stack)
	first := true
	for {
		t := p.peek()
		if t == nil {
			return false
		}
		if t.kind == tFlowSequenceEnd {
			break
		}
		if !first {
			if t.kind != tFlowEntry {
				p.unclosed(t, "flow sequence", start)
				return false
			}
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			if t.kind == tFlowSequenceEnd {
				break
			}
		}
		first = false
		if t.kind == tKey {
			// A single-pair mapping: [a: b].
			pair := p.newNode()
			pair.Kind = MappingNode
			pair.Style = FlowStyle
			p.setPos(pair, t.m)
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			var key, val *Node
			switch t.kind {
			case tValue, tFlowEntry, tFlowSequenceEnd:
				// libyaml consumes this token here; so do we.
				key = p.emptyScalar(after(t.m))
				p.s.skip()
			default:
				if p.atEnd(t, "flow sequence", start) {
					return false
				}
				if key = p.parseNode(false, false); key == nil {
					return false
				}
			}
			if t = p.peek(); t == nil {
				return false
			}
			if t.kind == tValue {
				p.s.skip()
				if t = p.peek(); t == nil {
					return false
				}
				if t.kind != tFlowEntry && t.kind != tFlowSequenceEnd {
					if p.atEnd(t, "flow sequence", start) {
						return false
					}
					if val = p.parseNode(false, false); val == nil {
						return false
					}
				}
			}
			if val == nil {
				val = p.emptyScalar(t.m)
			}
			pbase := len(p.stack)
			p.stack = append(p.stack, key, val)
			pair.Content = p.content(pbase)
			if !p.finishMapping(pair) {
				return false
			}
			p.stack = append(p.stack, pair)
			continue
		}
		if p.atEnd(t, "flow sequence", start) {
			return false
		}
		item := p.parseNode(false, false)
		if item == nil {
			return false
		}
		p.stack = append(p.stack, item)
	}
	p.s.skip() // FLOW-SEQUENCE-END
	n.Content = p.content(base)
	return true
}

func (p *parser) parseFlowMapping(n *Node) bool {
	start := p.s.tokens[p.s.head].m
	p.s.skip() // FLOW-MAPPING-START
	base := len(p.stack)
	first := true
	for {
		t := p.peek()
		if t == nil {
			return false
		}
		if t.kind == tFlowMappingEnd {
			break
		}
		if !first {
			if t.kind != tFlowEntry {
				p.unclosed(t, "flow mapping", start)
				return false
			}
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			if t.kind == tFlowMappingEnd {
				break
			}
		}
		first = false
		var key, val *Node
		if t.kind == tKey {
			p.s.skip()
			if t = p.peek(); t == nil {
				return false
			}
			switch t.kind {
			case tValue, tFlowEntry, tFlowMappingEnd:
				key = p.emptyScalar(t.m)
			default:
				if p.atEnd(t, "flow mapping", start) {
					return false
				}
				if key = p.parseNode(false, false); key == nil {
					return false
				}
			}
			if t = p.peek(); t == nil {
				return false
			}
			if t.kind == tValue {
				p.s.skip()
				if t = p.peek(); t == nil {
					return false
				}
				if t.kind != tFlowEntry && t.kind != tFlowMappingEnd {
					if p.atEnd(t, "flow mapping", start) {
						return false
					}
					if val = p.parseNode(false, false); val == nil {
						return false
					}
				}
			}
			if val == nil {
				val = p.emptyScalar(t.m)
			}
		} else {
			if p.atEnd(t, "flow mapping", start) {
				return false
			}
			if key = p.parseNode(false, false); key == nil {
				return false
			}
			t = p.peek()
			if t == nil {
				return false
			}
			val = p.emptyScalar(t.m)
		}
		p.stack = append(p.stack, key, val)
	}
	p.s.skip() // FLOW-MAPPING-END
	n.Content = p.content(base)
	return p.finishMapping(n)
}

// finishMapping flags merge keys and rejects duplicate keys. Keys are
// compared by the JSON key they become, so 1 and "1" collide too.
func (p *parser) finishMapping(n *Node) bool {
	c := n.Content
	cnt := len(c) / 2
	if cnt < 2 {
		if cnt == 1 && c[0].flags&flagMerge != 0 {
			n.flags |= flagHasMerge
		}
		return true
	}
	if cnt <= 12 {
		// Common case: a few plain string keys, compared in place.
		simple := true
		for i := 0; i < len(c); i += 2 {
			if k := c[i]; k.Kind != ScalarNode || k.Tag != StrTag || k.flags&flagMerge != 0 {
				simple = false
				break
			}
		}
		if simple {
			for i := 2; i < len(c); i += 2 {
				for j := 0; j < i; j += 2 {
					if c[i].Value == c[j].Value {
						k := c[i]
						p.err = &Error{Line: k.Line, Column: k.Column,
							Msg: "mapping key " + quoteCap(k.Value) + " already defined at line " + itoa(c[j].Line)}
						return false
					}
				}
			}
			return true
		}
	}
	keys := p.keyScrach[:0]
	idx := p.keyIdx[:0]
	for i := 0; i < len(c); i += 2 {
		k := c[i]
		if k.flags&flagMerge != 0 {
			n.flags |= flagHasMerge
			continue
		}
		var ks string
		if k.Kind == ScalarNode && k.Tag == StrTag {
			ks = k.Value
		} else {
			var msg string
			if ks, msg = keyString(k); msg != "" {
				continue
			}
		}
		keys = append(keys, ks)
		idx = append(idx, i)
	}
	dup := -1
	if len(keys) <= 12 {
		for i := 1; i < len(keys) && dup < 0; i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] {
					dup = i
					break
				}
			}
		}
	} else {
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := strings.Compare(keys[a], keys[b]); c != 0 {
				return c
			}
			return a - b
		})
		for i := 1; i < len(order); i++ {
			if keys[order[i]] == keys[order[i-1]] && (dup < 0 || order[i] < dup) {
				dup = order[i]
			}
		}
	}
	p.keyScrach, p.keyIdx = keys[:0], idx[:0]
	defer clear(keys) // do not keep strings of this input alive in the pool
	if dup >= 0 {
		k := c[idx[dup]]
		firstLine := 0
		for j := 0; j < dup; j++ {
			if keys[j] == keys[dup] {
				firstLine = c[idx[j]].Line
				break
			}
		}
		p.err = &Error{Line: k.Line, Column: k.Column,
			Msg: "mapping key " + quoteCap(keys[dup]) + " already defined at line " + itoa(firstLine)}
		return false
	}
	return true
}
