package yamldoc

import (
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/internal/jsonquote"
)

// AppendJSON appends the JSON form of n to dst, byte for byte as
// sigs.k8s.io/yaml.YAMLToJSON produces it: same scalar resolution, object
// keys stringified and sorted like encoding/json, merge keys ('<<')
// applied with goyaml.v2's precedence, HTML characters escaped. Aliases
// are expanded up to opts.MaxAliasNodes nodes and opts.MaxDepth levels.
// A nil node renders as null.
func (n *Node) AppendJSON(dst []byte, opts Options) ([]byte, error) {
	if n == nil {
		return append(dst, "null"...), nil
	}
	e := jsonEncoder{expansion: expansion{opts: opts.withDefaults()}}
	return e.node(dst, n)
}

type jsonEntry struct {
	key   string
	val   *Node
	alias bool  // reached through an alias (merge of *x)
	line  int32 // the key's line (Decode reports unknown fields there)
}

// expansion tracks the bounds shared by AppendJSON and Decode.
type expansion struct {
	opts       Options
	outer      *Node // outermost alias being expanded
	depth      int
	inAlias    int
	aliasNodes int
}

func (x *expansion) visit(n *Node) *DecodeError {
	if x.inAlias > 0 {
		x.aliasNodes++
		if x.aliasNodes > x.opts.MaxAliasNodes {
			// Point at the alias in the document whose expansion went over
			// the limit, not at a node deep inside the anchored value.
			at := x.outer
			if at == nil {
				at = n
			}
			return &DecodeError{Line: at.Line, Column: at.Column, Msg: "alias expansion exceeds " + itoa(x.opts.MaxAliasNodes) + " nodes"}
		}
	} else if n.Kind == AliasNode {
		x.outer = n
	}
	return nil
}

func (x *expansion) enter(n *Node) *DecodeError {
	x.depth++
	if x.depth > x.opts.MaxDepth {
		return &DecodeError{Line: n.Line, Column: n.Column, Msg: "nesting exceeds the maximum depth of " + itoa(x.opts.MaxDepth)}
	}
	return nil
}

type jsonEncoder struct {
	expansion
	ents []jsonEntry
}

func (e *jsonEncoder) node(b []byte, n *Node) ([]byte, error) {
	if err := e.visit(n); err != nil {
		return b, err
	}
	switch n.Kind {
	case ScalarNode:
		return appendScalarJSON(b, n)
	case AliasNode:
		if n.Target() == nil {
			return b, &DecodeError{Line: n.Line, Column: n.Column, Msg: "unknown anchor '" + capRaw(n.Value) + "' referenced"}
		}
		e.inAlias++
		b, err := e.node(b, n.Target())
		e.inAlias--
		return b, err
	case SequenceNode:
		if err := e.enter(n); err != nil {
			return b, err
		}
		b = append(b, '[')
		for i, c := range n.Content {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = e.node(b, c); err != nil {
				return b, err
			}
		}
		e.depth--
		return append(b, ']'), nil
	case MappingNode:
		if err := e.enter(n); err != nil {
			return b, err
		}
		b, err := e.mapping(b, n)
		e.depth--
		return b, err
	}
	return b, &DecodeError{Line: n.Line, Column: n.Column, Msg: "invalid node"}
}

func (e *jsonEncoder) mapping(b []byte, n *Node) ([]byte, error) {
	base := len(e.ents)
	if n.flags&flagHasMerge != 0 {
		m := mergedMap{ents: &e.ents, base: base}
		if err := m.collect(&e.expansion, n, false); err != nil {
			return b, err
		}
	} else {
		c := n.Content
		for i := 0; i+1 < len(c); i += 2 {
			k := c[i]
			var ks string
			if k.Kind == ScalarNode && k.Tag == StrTag {
				ks = k.Value
			} else {
				if err := e.keyVisit(k); err != nil {
					return b, err
				}
				var msg string
				if ks, msg = keyString(k); msg != "" {
					return b, &DecodeError{Line: k.Line, Column: k.Column, Msg: msg}
				}
			}
			e.ents = append(e.ents, jsonEntry{key: ks, val: c[i+1]})
		}
	}
	sortEntries(e.ents[base:])
	b = append(b, '{')
	for i := base; i < len(e.ents); i++ {
		if i > base {
			b = append(b, ',')
		}
		ent := e.ents[i]
		b = appendJSONString(b, ent.key, true)
		b = append(b, ':')
		if ent.alias {
			e.inAlias++
		}
		var err error
		b, err = e.node(b, ent.val)
		if ent.alias {
			e.inAlias--
		}
		if err != nil {
			return b, err
		}
	}
	e.ents = e.ents[:base]
	return append(b, '}'), nil
}

// keyVisit counts an alias used as a key.
func (x *expansion) keyVisit(k *Node) *DecodeError {
	if k.Kind == AliasNode {
		if x.inAlias == 0 {
			x.outer = k
		}
		x.inAlias++
		err := x.visit(k.Target())
		x.inAlias--
		return err
	}
	return nil
}

func sortEntries(ents []jsonEntry) {
	if len(ents) <= 12 {
		for i := 1; i < len(ents); i++ {
			for j := i; j > 0 && ents[j].key < ents[j-1].key; j-- {
				ents[j], ents[j-1] = ents[j-1], ents[j]
			}
		}
		return
	}
	slices.SortStableFunc(ents, func(a, b jsonEntry) int { return strings.Compare(a.key, b.key) })
}

// mergedMap builds the effective entries of a mapping with merge keys.
// goyaml.v2 decodes entries in order into one map, so a later entry, merged
// or not, replaces an earlier one; within a merged sequence the first
// mapping wins because the sequence is applied backwards.
type mergedMap struct {
	ents  *[]jsonEntry
	base  int
	index map[string]int
}

func (m *mergedMap) set(key string, val *Node, alias bool, line int) {
	if m.index == nil {
		m.index = make(map[string]int)
	}
	if i, ok := m.index[key]; ok {
		(*m.ents)[i].val = val
		(*m.ents)[i].alias = alias
		(*m.ents)[i].line = int32(line)
		return
	}
	m.index[key] = len(*m.ents)
	*m.ents = append(*m.ents, jsonEntry{key: key, val: val, alias: alias, line: int32(line)})
}

func (m *mergedMap) collect(x *expansion, n *Node, alias bool) *DecodeError {
	c := n.Content
	for i := 0; i+1 < len(c); i += 2 {
		k, v := c[i], c[i+1]
		if k.flags&flagMerge != 0 {
			if err := m.merge(x, v, alias); err != nil {
				return err
			}
			continue
		}
		if err := x.keyVisit(k); err != nil {
			return err
		}
		ks, msg := keyString(k)
		if msg != "" {
			return &DecodeError{Line: k.Line, Column: k.Column, Msg: msg}
		}
		m.set(ks, v, alias, k.Line)
	}
	return nil
}

func mergeError(n *Node) *DecodeError {
	return &DecodeError{Line: n.Line, Column: n.Column, Msg: "map merge requires map or sequence of maps as the value"}
}

func (m *mergedMap) merge(x *expansion, v *Node, alias bool) *DecodeError {
	switch v.Kind {
	case MappingNode:
		if err := x.enter(v); err != nil {
			return err
		}
		err := m.collect(x, v, alias)
		x.depth--
		return err
	case AliasNode:
		if v.Target() == nil || v.Target().Kind != MappingNode {
			return mergeError(v)
		}
		if x.inAlias == 0 {
			x.outer = v
		}
		x.inAlias++
		defer func() { x.inAlias-- }()
		if err := x.visit(v.Target()); err != nil {
			return err
		}
		if err := x.enter(v); err != nil {
			return err
		}
		err := m.collect(x, v.Target(), true)
		x.depth--
		return err
	case SequenceNode:
		for i := len(v.Content) - 1; i >= 0; i-- {
			it := v.Content[i]
			if it.Kind == AliasNode {
				if it.Target() == nil || it.Target().Kind != MappingNode {
					return mergeError(it)
				}
			} else if it.Kind != MappingNode {
				return mergeError(it)
			}
			if err := m.merge(x, it, alias); err != nil {
				return err
			}
		}
		return nil
	}
	return mergeError(v)
}

func appendScalarJSON(b []byte, n *Node) ([]byte, error) {
	switch n.Tag {
	case StrTag:
		return appendJSONString(b, n.Value, false), nil
	case NullTag:
		return append(b, "null"...), nil
	case BoolTag:
		if resolveValue(n.Value, false).b {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case IntTag:
		if i, ok := parseDecimal(n.Value); ok {
			return strconv.AppendInt(b, i, 10), nil
		}
		r := scalarValue(n)
		if r.kind == vUint {
			return strconv.AppendUint(b, r.u, 10), nil
		}
		return strconv.AppendInt(b, r.i, 10), nil
	case FloatTag:
		r := scalarValue(n)
		if math.IsInf(r.f, 0) || math.IsNaN(r.f) {
			return b, &DecodeError{Line: n.Line, Column: n.Column, Msg: "cannot convert " + n.Value + " to JSON (infinity and NaN are not JSON numbers)"}
		}
		return appendJSONFloat(b, r.f), nil
	case BinaryTag:
		d, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return b, &DecodeError{Line: n.Line, Column: n.Column, Msg: "!!binary value contains invalid base64 data"}
		}
		return appendJSONString(b, string(d), true), nil
	}
	return appendJSONString(b, n.Value, false), nil
}

// appendJSONFloat formats like encoding/json: shortest representation, 'e'
// notation only below 1e-6 or from 1e21 on, with a one-digit exponent
// where possible.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString quotes s like encoding/json (HTML escaping on). checkUTF8 must be set when
// s may hold invalid UTF-8 (which becomes U+FFFD).
func appendJSONString(b []byte, s string, checkUTF8 bool) []byte {
	return jsonquote.Append(b, s, jsonquote.Options{EscapeHTML: true, CheckUTF8: checkUTF8})
}
