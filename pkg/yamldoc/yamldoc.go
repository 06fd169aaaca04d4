// Package yamldoc is a fast, strict YAML parser and decoder for Kubernetes
// manifests.
//
// Parse accepts the same YAML as the libyaml-derived parser inside
// sigs.k8s.io/yaml (goyaml.v2), which kubectl and the API machinery use,
// and resolves scalars the same way (YAML 1.1 style: yes/no/on/off are
// booleans, 0x1F and 017 are integers, and so on): its scanner reproduces
// libyaml's token model, quirks included, so that a document means here
// what it means to the cluster. AppendJSON renders a node byte for byte
// as sigs.k8s.io/yaml.YAMLToJSON would, and Decode fills Go values
// (k8s.io/api types included) the way the API server does after that
// conversion. Nodes keep line and column numbers for reporting.
//
// # Deliberate differences from YAMLToJSON
//
// A scanner that silently picks one of two values hides problems, and a
// hostile manifest must not exhaust memory, so this package is stricter:
//
//   - Duplicate mapping keys are errors naming both lines (YAMLToJSON keeps
//     one of them). Keys that differ in YAML but become the same JSON key
//     (1 and "1") count as duplicates.
//   - Alias expansion is bounded by Options.MaxAliasNodes in each
//     AppendJSON or Decode call (YAMLToJSON uses a ratio heuristic,
//     "excessive aliasing"), so either may reject a document that uses many
//     aliases and the other accepts. CheckAliasing applies YAMLToJSON's
//     heuristic to a whole document, for callers that decode a document in
//     pieces (each within the bound) and must refuse what kubectl refuses.
//   - Nesting is bounded by Options.MaxDepth while parsing and while
//     expanding aliases (goyaml.v2 allows 10000 levels and does not bound
//     expansion depth).
//   - NUL bytes, other control characters and invalid UTF-8 fail the
//     document that holds them (goyaml.v2's reader fails the stream when it
//     reads them, which can be ahead of the current document).
//   - A broken document does not stop parsing: Parse resumes at the next
//     "---" (or "...") line. YAMLToJSON reads only the first document.
//   - %YAML 1.x directives are accepted; goyaml.v2 rejects anything but 1.1.
//     Scalars resolve with the YAML 1.1 rules either way.
//   - A byte order mark at the start of any line outside a scalar is
//     ignored.
//
// Decode follows the API server (sigs.k8s.io/json after YAMLToJSON), which
// differs from sigs.k8s.io/yaml.Unmarshal: numbers and booleans are never
// turned into strings for string fields, field names are case-sensitive,
// integers decode into interface values as int64, and decoding carries on
// after a value that does not fit (the first error is returned).
//
// # Not supported
//
//   - UTF-16 and UTF-32 input (goyaml.v2 reads UTF-16 with a byte order
//     mark): it is reported as invalid UTF-8.
//   - Mapping keys that JSON cannot represent (collections as "? " keys,
//     null, integers beyond int64) parse into the tree, but AppendJSON and
//     Decode report them, as YAMLToJSON does.
//   - Inputs of 2 GiB or more.
//
// Parsing is zero-copy where possible: scalar values that need no
// unescaping or folding are substrings of the input (see Parse).
package yamldoc

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"
)

// Kind is the kind of a Node.
type Kind uint8

const (
	ScalarNode Kind = iota + 1
	MappingNode
	SequenceNode
	// AliasNode is a reference (*name) to an anchored node; Target returns
	// it. Aliases are kept as references so that parsing stays linear; they
	// are expanded, with a bound, by AppendJSON and Decode.
	AliasNode
)

func (k Kind) String() string {
	switch k {
	case ScalarNode:
		return "scalar"
	case MappingNode:
		return "mapping"
	case SequenceNode:
		return "sequence"
	case AliasNode:
		return "alias"
	}
	return "invalid"
}

// Tag is the resolved type of a scalar node. Collections and aliases have
// no Tag (zero).
type Tag uint8

const (
	NullTag Tag = iota + 1
	BoolTag
	IntTag
	FloatTag
	StrTag
	// BinaryTag marks a !!binary scalar. Value holds the base64 text; its
	// JSON form is the decoded bytes as a string, as in goyaml.v2.
	BinaryTag
)

func (t Tag) String() string {
	switch t {
	case NullTag:
		return "null"
	case BoolTag:
		return "bool"
	case IntTag:
		return "int"
	case FloatTag:
		return "float"
	case StrTag:
		return "string"
	case BinaryTag:
		return "binary"
	}
	return ""
}

// Style is the presentation style of a scalar (or flow/block style of a
// collection, for which only FlowStyle is set).
type Style uint8

const (
	PlainStyle Style = iota
	SingleQuotedStyle
	DoubleQuotedStyle
	LiteralStyle
	FoldedStyle
	// FlowStyle marks a collection written as [..] or {..}.
	FlowStyle
)

// Node is one node of a parsed document.
type Node struct {
	Kind  Kind
	Tag   Tag // scalars only
	Style Style
	flags uint8

	Line   int // 1-based line of the node's first character (anchor or tag included)
	Column int // 1-based column, counted in characters

	// Value is the scalar text after unescaping and folding. For aliases
	// it is the alias name.
	Value string
	// Content holds the children: key0, value0, key1, value1, ... for a
	// mapping and the items for a sequence.
	Content []*Node

	// Anchors, explicit tags and alias targets are rare; keeping them out
	// of line keeps Node small (manifests have a node per 20 bytes).
	props *nodeProps
}

type nodeProps struct {
	anchor, tag string
	alias       *Node
}

// Target returns the node an AliasNode refers to (nil for other nodes).
// Resolve is the same but returns n itself for non-aliases.
func (n *Node) Target() *Node {
	if n.props == nil {
		return nil
	}
	return n.props.alias
}

// Anchor returns the anchor name defined on this node, if any.
func (n *Node) Anchor() string {
	if n.props == nil {
		return ""
	}
	return n.props.anchor
}

// TagName returns the explicit tag written on the node, with the standard
// prefix shortened ("!!int", "!Ref", "tag:example.com,2000:x"), or "" when
// the node has no tag.
func (n *Node) TagName() string {
	if n.props == nil {
		return ""
	}
	return n.props.tag
}

func (n *Node) setProps(anchor, tag string) {
	if n.props == nil {
		n.props = &nodeProps{}
	}
	if anchor != "" {
		n.props.anchor = anchor
	}
	if tag != "" {
		n.props.tag = tag
	}
}

const (
	flagMerge    uint8 = 1 << iota // plain "<<" or !!merge "<<" key
	flagHasMerge                   // mapping containing a merge key
)

// Document is one YAML document of a stream.
type Document struct {
	Root  *Node // nil for an empty document (only comments / '---')
	Index int   // 0-based position in the stream, counting failed documents too
	Line  int   // 1-based line where the document starts
	// Aliases is the number of aliases (*name) written in the document. A document without
	// any cannot expand beyond its own size, so CheckAliasing need not walk it.
	Aliases int
}

// Options bound the work done on hostile input. Zero fields take defaults.
type Options struct {
	// MaxDepth limits nesting of collections, while parsing and while
	// expanding aliases (default 1000).
	MaxDepth int
	// MaxAliasNodes limits the number of nodes visited through alias
	// expansion by one AppendJSON or Decode call (default 100000).
	MaxAliasNodes int
	// Strings, when set, makes Decode copy every string it stores into the
	// arena instead of pointing into the parsed input. Without it, one short
	// string kept from a file (a name, a label) keeps the whole file's text
	// alive; with it, what is kept is only the strings themselves, packed.
	Strings *StringArena
	// Nodes, when set, is where Parse builds its trees, reusing the memory of the trees of
	// earlier calls (see NodeArena).
	Nodes *NodeArena
	// UnknownField, when set, is told the path and line of every mapping key that Decode
	// ignores because the struct it decodes into has no such field (encoding/json ignores
	// them; kubectl's strict validation refuses them).
	UnknownField func(path string, line int)
	// JSONEscapes makes double-quoted scalars take \u escapes as encoding/json does: a UTF-16
	// surrogate pair is one character ("\ud83d\ude80"), and a lone surrogate is U+FFFD. YAML
	// refuses both; kubectl decodes JSON input with encoding/json. EachYAMLOrJSON sets it for
	// input it reads as JSON.
	JSONEscapes bool
}

// StringArena packs copied strings into shared chunks, so that copying the
// many short strings of decoded objects costs one allocation per chunk, not
// one per string. A chunk stays alive while any string in it does. It is
// not safe for concurrent use.
type StringArena struct {
	buf []byte
}

// arenaChunk is the size of the arena's chunks; longer strings get their own
// allocation.
const arenaChunk = 16 << 10

// Keep returns a copy of s that does not share memory with s.
func (a *StringArena) Keep(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > arenaChunk/4 {
		return strings.Clone(s)
	}
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]byte, 0, arenaChunk)
	}
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[start], len(s))
}

const (
	defaultMaxDepth      = 1000
	defaultMaxAliasNodes = 100000
)

func (o Options) withDefaults() Options {
	if o.MaxDepth <= 0 {
		o.MaxDepth = defaultMaxDepth
	}
	if o.MaxAliasNodes <= 0 {
		o.MaxAliasNodes = defaultMaxAliasNodes
	}
	return o
}

// Error is a syntax or structure error with its position.
type Error struct {
	Line, Column int // 1-based
	Msg          string
	Index        int // position of the failed document in the stream (0-based)
}

func (e *Error) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// DecodeError reports a value that does not fit the Go type it is decoded
// into, or a document that cannot be converted to JSON.
type DecodeError struct {
	Line, Column int
	Path         string // e.g. spec.template.spec.containers[0].ports[0].containerPort
	Msg          string
}

func (e *DecodeError) Error() string {
	s := "line " + strconv.Itoa(e.Line) + ": "
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Msg
}

// quoteCap quotes s for an error message, shortening long values so that
// a secret or a whole script never ends up in a log line.
func quoteCap(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func errorf(line, col int, format string, args ...any) *Error {
	return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}
