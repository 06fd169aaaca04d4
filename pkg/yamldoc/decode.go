package yamldoc

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/internal/jsonquote"
)

// Decode stores n into the Go value pointed to by v.
//
// The result is what the Kubernetes API machinery gets for the same
// document: sigs.k8s.io/yaml.YAMLToJSON (without a target type, so numbers
// and booleans are never turned into strings) followed by
// sigs.k8s.io/json's case-sensitive decoding that keeps integers as int64.
// That means encoding/json's rules for struct tags (names, "-", embedded
// structs), unknown fields ignored, null leaving scalars and structs
// unchanged, []byte from base64, and, for any type implementing
// json.Unmarshaler (resource.Quantity, intstr.IntOrString, metav1.Time,
// runtime.RawExtension, ...), UnmarshalJSON called with the JSON form of
// the subtree (see AppendJSON).
//
// A value that does not fit its Go type (a string for an int32, a bool for
// a string, an out-of-range number) is reported as a *DecodeError with the
// line and path of the value. Like encoding/json, decoding carries on
// with the rest of the document and the first such error is returned.
func Decode(n *Node, v any, opts Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Msg: "Decode needs a non-nil pointer, not " + typeName(reflect.TypeOf(v))}
	}
	d := decoder{arena: opts.Strings}
	d.opts = opts.withDefaults()
	d.enc.expansion.opts = d.opts
	if n == nil {
		n = &Node{Kind: ScalarNode, Tag: NullTag, Line: 1, Column: 1}
	}
	e := rv.Elem()
	d.decode(n, e, planFor(e.Type()))
	if d.err != nil {
		return d.err
	}
	return nil
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}

type pathElem struct {
	key string
	idx int // -1 for a key
}

type decoder struct {
	expansion
	enc     jsonEncoder // renders json.Unmarshaler values; its bounds are synced with ours
	path    []pathElem
	err     *DecodeError
	fatal   bool // expansion limits hit: stop decoding
	scratch []byte
	ents    []jsonEntry
	arena   *StringArena
}

// keep returns s itself, or a copy in the string arena when the caller asked for one.
func (d *decoder) keep(s string) string {
	if d.arena == nil {
		return s
	}
	return d.arena.Keep(s)
}

func (d *decoder) fail(n *Node, msg string) {
	if d.err != nil {
		return
	}
	d.err = &DecodeError{Line: n.Line, Column: n.Column, Path: d.pathString(), Msg: msg}
}

func (d *decoder) failFatal(err *DecodeError) {
	d.fatal = true
	if d.err == nil {
		err.Path = d.pathString()
		d.err = err
	}
}

func (d *decoder) pathString() string {
	var b strings.Builder
	for _, p := range d.path {
		if p.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.idx))
			b.WriteByte(']')
			continue
		}
		if plainPathKey(p.key) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p.key)
		} else {
			b.WriteByte('[')
			b.WriteString(quoteCap(p.key))
			b.WriteByte(']')
		}
	}
	return b.String()
}

func plainPathKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) {
			return false
		}
	}
	return true
}

// describe names a node's value for an error message.
func describe(n *Node) string {
	switch n.Kind {
	case MappingNode:
		return "mapping"
	case SequenceNode:
		return "sequence"
	}
	switch n.Tag {
	case NullTag:
		return "null"
	case BoolTag:
		return "bool " + n.Value
	case IntTag:
		return "int " + capRaw(n.Value)
	case FloatTag:
		return "float " + capRaw(n.Value)
	}
	return "string " + quoteCap(n.Value)
}

func capRaw(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (d *decoder) typeError(n *Node, t reflect.Type) {
	d.fail(n, "cannot use "+describe(n)+" as "+t.String())
}

// decode is the entry for every value: it follows aliases with bounds and
// hands the node to the type's plan.
func (d *decoder) decode(n *Node, v reflect.Value, p *plan) {
	if d.fatal {
		return
	}
	if err := d.visit(n); err != nil {
		d.failFatal(err)
		return
	}
	if n.Kind == AliasNode {
		if n.Target() == nil {
			d.failFatal(&DecodeError{Line: n.Line, Column: n.Column, Msg: "unknown anchor '" + capRaw(n.Value) + "' referenced"})
			return
		}
		d.inAlias++
		d.decode(n.Target(), v, p)
		d.inAlias--
		return
	}
	p.fn(d, n, v, p)
}

// ---- plans ----

type decodeFunc func(d *decoder, n *Node, v reflect.Value, p *plan)

// plan is the cached decoding recipe for one Go type, built once with
// reflection.
type plan struct {
	t       reflect.Type
	fn      decodeFunc
	elem    *plan // pointer, slice, array and map element
	key     reflect.Type
	fields  []field
	byName  map[string]int
	isNum   bool // json.Number
	textKey bool // map key type implements encoding.TextUnmarshaler
}

type field struct {
	name  string
	index []int
	typ   reflect.Type
	// plan is built on the field's first decode, not with its struct's: a Deployment reaches
	// some two hundred struct types (thirty kinds of volume among them), and building plans for
	// all of them was most of a one-file scan's decoding.
	plan      atomic.Pointer[plan]
	quoted    bool // ",string"
	throughPt bool // index goes through an embedded pointer
}

// planOf returns the field's plan, building it on first use.
func (f *field) planOf() *plan {
	if p := f.plan.Load(); p != nil {
		return p
	}
	p := planFor(f.typ)
	f.plan.Store(p)
	return p
}

var (
	plans      sync.Map // reflect.Type -> *plan
	plansMu    sync.Mutex
	building   = map[reflect.Type]*plan{}
	unmarshT   = reflect.TypeFor[json.Unmarshaler]()
	textUnmT   = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberT    = reflect.TypeFor[json.Number]()
	anyT       = reflect.TypeFor[any]()
	mapAnyT    = reflect.TypeFor[map[string]any]()
	mapStringT = reflect.TypeFor[map[string]string]()
	sliceAnyT  = reflect.TypeFor[[]any]()
)

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t)
	// Publish everything built in this round (recursive types included).
	for bt, bp := range building {
		plans.Store(bt, bp)
		delete(building, bt)
	}
	return p
}

// buildPlan must be called with plansMu held.
func buildPlan(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{t: t}
	building[t] = p
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshT) {
		p.fn = decodeUnmarshaler
		return p
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmT) {
		p.fn = decodeTextUnmarshaler
		return p
	}
	switch t.Kind() {
	case reflect.Pointer:
		p.elem = buildPlan(t.Elem())
		p.fn = decodePointer
	case reflect.Interface:
		p.fn = decodeInterface
	case reflect.Struct:
		p.fn = decodeStruct
		buildFields(p)
	case reflect.Map:
		p.key = t.Key()
		p.textKey = reflect.PointerTo(p.key).Implements(textUnmT)
		p.elem = buildPlan(t.Elem())
		p.fn = decodeMap
	case reflect.Slice:
		p.elem = buildPlan(t.Elem())
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(unmarshT) && !reflect.PointerTo(t.Elem()).Implements(textUnmT) {
			p.fn = decodeBytes
		} else {
			p.fn = decodeSlice
		}
	case reflect.Array:
		p.elem = buildPlan(t.Elem())
		p.fn = decodeArray
	case reflect.String:
		p.isNum = t == numberT
		p.fn = decodeString
	case reflect.Bool:
		p.fn = decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.fn = decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.fn = decodeUint
	case reflect.Float32, reflect.Float64:
		p.fn = decodeFloat
	default:
		p.fn = decodeUnsupported
	}
	return p
}

// ---- scalars ----

// numberLiteral returns the JSON text of an int or float node, as
// YAMLToJSON would write it.
func (d *decoder) numberLiteral(n *Node) (string, bool) {
	b, err := appendScalarJSON(d.scratch[:0], n)
	d.scratch = b[:0]
	if err != nil {
		d.fail(n, err.(*DecodeError).Msg)
		return "", false
	}
	return string(b), true
}

func decodeInt(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case IntTag, FloatTag:
			if i, ok := parseDecimal(n.Value); ok && n.Tag == IntTag {
				if v.OverflowInt(i) {
					d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+" (out of range)")
					return
				}
				v.SetInt(i)
				return
			}
			lit, ok := d.numberLiteral(n)
			if !ok {
				return
			}
			i, err := strconv.ParseInt(lit, 10, 64)
			if err != nil || v.OverflowInt(i) {
				if err != nil && strings.ContainsAny(lit, ".eE") {
					d.typeError(n, p.t)
				} else {
					d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+" (out of range)")
				}
				return
			}
			v.SetInt(i)
			return
		}
	}
	d.typeError(n, p.t)
}

func decodeUint(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case IntTag, FloatTag:
			lit, ok := d.numberLiteral(n)
			if !ok {
				return
			}
			u, err := strconv.ParseUint(lit, 10, 64)
			if err != nil || v.OverflowUint(u) {
				if err != nil && strings.ContainsAny(lit, ".eE") {
					d.typeError(n, p.t)
				} else {
					d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+" (out of range)")
				}
				return
			}
			v.SetUint(u)
			return
		}
	}
	d.typeError(n, p.t)
}

func decodeFloat(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case IntTag, FloatTag:
			lit, ok := d.numberLiteral(n)
			if !ok {
				return
			}
			f, err := strconv.ParseFloat(lit, v.Type().Bits())
			if err != nil || v.OverflowFloat(f) {
				d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+" (out of range)")
				return
			}
			v.SetFloat(f)
			return
		}
	}
	d.typeError(n, p.t)
}

func decodeBool(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case BoolTag:
			v.SetBool(resolveValue(n.Value, false).b)
			return
		}
	}
	d.typeError(n, p.t)
}

// stringValue returns the string a StrTag or BinaryTag node becomes in
// JSON (binary data with invalid UTF-8 gets U+FFFD, as in encoding/json).
func stringValue(n *Node) string {
	if n.Tag != BinaryTag {
		return n.Value
	}
	b, _ := base64.StdEncoding.DecodeString(n.Value)
	return validString(string(b))
}

// validString replaces each byte of invalid UTF-8 with U+FFFD, as a
// round trip through encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteString("\uFFFD")
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

func decodeString(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case StrTag, BinaryTag:
			if p.isNum {
				d.typeError(n, p.t)
				return
			}
			v.SetString(d.keep(stringValue(n)))
			return
		case IntTag, FloatTag:
			if p.isNum {
				if lit, ok := d.numberLiteral(n); ok {
					v.SetString(lit)
				}
				return
			}
		}
	}
	d.typeError(n, p.t)
}

func decodeBytes(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			v.SetZero()
			return
		case StrTag, BinaryTag:
			s := stringValue(n)
			b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
			m, err := base64.StdEncoding.Decode(b, []byte(s))
			if err != nil {
				d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+": "+err.Error())
				return
			}
			v.SetBytes(b[:m])
			return
		}
	}
	if n.Kind == SequenceNode {
		decodeSlice(d, n, v, p)
		return
	}
	d.typeError(n, p.t)
}

func decodeUnsupported(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		return
	}
	d.fail(n, "cannot decode into unsupported type "+p.t.String())
}

// ---- pointers and interfaces ----

func decodePointer(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		v.SetZero()
		return
	}
	if v.IsNil() {
		v.Set(reflect.New(p.t.Elem()))
	}
	d.decode(n, v.Elem(), p.elem)
}

func decodeInterface(d *decoder, n *Node, v reflect.Value, p *plan) {
	isNull := n.Kind == ScalarNode && n.Tag == NullTag
	if !v.IsNil() {
		// Like encoding/json, decode into a non-nil pointer held by the
		// interface.
		e := v.Elem()
		if e.Kind() == reflect.Pointer && !e.IsNil() && (!isNull || e.Elem().Kind() == reflect.Pointer) {
			d.decode(n, e, planFor(e.Type()))
			return
		}
	}
	if isNull {
		v.SetZero()
		return
	}
	if v.NumMethod() != 0 {
		d.fail(n, "cannot use "+describe(n)+" as "+p.t.String())
		return
	}
	if x, ok := d.genericNode(n); ok {
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
	}
}

// generic decodes n into map[string]any, []any, string, bool, int64,
// float64 or nil, as sigs.k8s.io/json does for an interface{}.
func (d *decoder) generic(n *Node) (any, bool) {
	if d.fatal {
		return nil, false
	}
	if err := d.visit(n); err != nil {
		d.failFatal(err)
		return nil, false
	}
	if n.Kind == AliasNode {
		if n.Target() == nil {
			d.failFatal(&DecodeError{Line: n.Line, Column: n.Column, Msg: "unknown anchor '" + capRaw(n.Value) + "' referenced"})
			return nil, false
		}
		d.inAlias++
		x, ok := d.generic(n.Target())
		d.inAlias--
		return x, ok
	}
	return d.genericNode(n)
}

func (d *decoder) genericNode(n *Node) (any, bool) {
	switch n.Kind {
	case ScalarNode:
		switch n.Tag {
		case NullTag:
			return nil, true
		case BoolTag:
			return resolveValue(n.Value, false).b, true
		case IntTag, FloatTag:
			if n.Tag == IntTag {
				if i, ok := parseDecimal(n.Value); ok {
					return i, true
				}
			}
			lit, ok := d.numberLiteral(n)
			if !ok {
				return nil, false
			}
			if !strings.Contains(lit, ".") {
				if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
					return i, true
				}
			}
			f, _ := strconv.ParseFloat(lit, 64)
			return f, true
		}
		return d.keep(stringValue(n)), true
	case SequenceNode:
		if err := d.enter(n); err != nil {
			d.failFatal(err)
			return nil, false
		}
		defer func() { d.depth-- }()
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			d.path = append(d.path, pathElem{idx: i})
			x, ok := d.generic(c)
			d.path = d.path[:len(d.path)-1]
			if d.fatal {
				return nil, false
			}
			if ok {
				a[i] = x
			}
		}
		return a, true
	case MappingNode:
		if err := d.enter(n); err != nil {
			d.failFatal(err)
			return nil, false
		}
		defer func() { d.depth-- }()
		base := len(d.ents)
		if !d.entries(n) {
			return nil, false
		}
		m := make(map[string]any, len(d.ents)-base)
		for i := base; i < len(d.ents); i++ {
			ent := d.ents[i]
			if ent.alias {
				d.inAlias++
			}
			d.path = append(d.path, pathElem{key: ent.key, idx: -1})
			x, ok := d.generic(ent.val)
			d.path = d.path[:len(d.path)-1]
			if ent.alias {
				d.inAlias--
			}
			if d.fatal {
				return nil, false
			}
			if ok {
				m[ent.key] = x
			}
		}
		d.ents = d.ents[:base]
		return m, true
	}
	return nil, false
}

// entries appends the effective (key, value) pairs of a mapping to
// d.ents: keys converted to JSON strings and merge keys applied.
func (d *decoder) entries(n *Node) bool {
	if n.flags&flagHasMerge != 0 {
		base := len(d.ents)
		m := mergedMap{ents: &d.ents, base: base}
		if err := m.collect(&d.expansion, n, false); err != nil {
			d.failFatal(err)
			return false
		}
		for i := base; i < len(d.ents); i++ {
			d.ents[i].key = validString(d.ents[i].key)
		}
		return true
	}
	c := n.Content
	for i := 0; i+1 < len(c); i += 2 {
		k := c[i]
		if k.Kind == ScalarNode && k.Tag == StrTag {
			d.ents = append(d.ents, jsonEntry{key: k.Value, val: c[i+1], line: int32(k.Line)})
			continue
		}
		if err := d.keyVisit(k); err != nil {
			d.failFatal(err)
			return false
		}
		ks, msg := keyString(k)
		if msg != "" {
			d.failFatal(&DecodeError{Line: k.Line, Column: k.Column, Msg: msg})
			return false
		}
		d.ents = append(d.ents, jsonEntry{key: validString(ks), val: c[i+1], line: int32(k.Line)})
	}
	return true
}

// ---- json.Unmarshaler and encoding.TextUnmarshaler ----

func decodeUnmarshaler(d *decoder, n *Node, v reflect.Value, p *plan) {
	var b []byte
	if n.Kind == ScalarNode && n.Tag == StrTag && !needsEscape(n.Value) {
		b = append(d.scratch[:0], '"')
		b = append(b, n.Value...)
		b = append(b, '"')
	} else {
		d.enc.expansion = d.expansion
		var err error
		b, err = d.enc.node(d.scratch[:0], n)
		d.expansion.aliasNodes = d.enc.aliasNodes
		if err != nil {
			d.failFatal(err.(*DecodeError))
			return
		}
	}
	d.scratch = b[:0]
	u := v.Addr().Interface().(json.Unmarshaler)
	if err := u.UnmarshalJSON(b); err != nil {
		d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+": "+capRaw(err.Error()))
	}
}

func needsEscape(s string) bool {
	return !jsonquote.Verbatim(s, jsonquote.Options{EscapeHTML: true})
}

func decodeTextUnmarshaler(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode {
		switch n.Tag {
		case NullTag:
			return
		case StrTag, BinaryTag:
			u := v.Addr().Interface().(encoding.TextUnmarshaler)
			if err := u.UnmarshalText([]byte(stringValue(n))); err != nil {
				d.fail(n, "cannot use "+describe(n)+" as "+p.t.String()+": "+capRaw(err.Error()))
			}
			return
		}
	}
	d.typeError(n, p.t)
}

// ---- collections ----

func decodeSlice(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		v.SetZero()
		return
	}
	if n.Kind != SequenceNode {
		d.typeError(n, p.t)
		return
	}
	if err := d.enter(n); err != nil {
		d.failFatal(err)
		return
	}
	l := len(n.Content)
	if v.Cap() >= l && !v.IsNil() {
		v.SetLen(l)
	} else {
		s := reflect.MakeSlice(p.t, l, l)
		reflect.Copy(s, v)
		v.Set(s)
	}
	for i, c := range n.Content {
		d.path = append(d.path, pathElem{idx: i})
		d.decode(c, v.Index(i), p.elem)
		d.path = d.path[:len(d.path)-1]
	}
	d.depth--
}

func decodeArray(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		return
	}
	if n.Kind != SequenceNode {
		d.typeError(n, p.t)
		return
	}
	if err := d.enter(n); err != nil {
		d.failFatal(err)
		return
	}
	for i := 0; i < v.Len(); i++ {
		if i < len(n.Content) {
			d.path = append(d.path, pathElem{idx: i})
			d.decode(n.Content[i], v.Index(i), p.elem)
			d.path = d.path[:len(d.path)-1]
		} else {
			v.Index(i).SetZero()
		}
	}
	d.depth--
}

func decodeMap(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		v.SetZero()
		return
	}
	if n.Kind != MappingNode {
		d.typeError(n, p.t)
		return
	}
	kt := p.key
	textKey := p.textKey
	if !textKey {
		switch kt.Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			d.typeError(n, p.t)
			return
		}
	}
	if err := d.enter(n); err != nil {
		d.failFatal(err)
		return
	}
	defer func() { d.depth-- }()
	base := len(d.ents)
	if !d.entries(n) {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(p.t, len(d.ents)-base))
	}
	if p.t == mapStringT {
		// Labels, annotations, ConfigMap data: no reflection per entry.
		m := v.Interface().(map[string]string)
		for i := base; i < len(d.ents); i++ {
			ent := d.ents[i]
			if val := ent.val; val.Kind == ScalarNode && (val.Tag == StrTag || val.Tag == BinaryTag) && d.inAlias == 0 && !ent.alias {
				m[d.keep(ent.key)] = d.keep(stringValue(val))
				continue
			}
			var sv string
			if ent.alias {
				d.inAlias++
			}
			d.path = append(d.path, pathElem{key: ent.key, idx: -1})
			d.decode(ent.val, reflect.ValueOf(&sv).Elem(), p.elem)
			d.path = d.path[:len(d.path)-1]
			if ent.alias {
				d.inAlias--
			}
			if d.fatal {
				break
			}
			m[d.keep(ent.key)] = sv
		}
		d.ents = d.ents[:base]
		return
	}
	et := p.t.Elem()
	for i := base; i < len(d.ents); i++ {
		ent := d.ents[i]
		var kv reflect.Value
		switch {
		case textKey:
			kp := reflect.New(kt)
			if err := kp.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(ent.key)); err != nil {
				d.fail(ent.val, "cannot use key "+quoteCap(ent.key)+" as "+kt.String()+": "+capRaw(err.Error()))
				continue
			}
			kv = kp.Elem()
		case kt.Kind() == reflect.String:
			kv = reflect.ValueOf(d.keep(ent.key))
			if kt != kv.Type() {
				kv = kv.Convert(kt)
			}
		case kt.Kind() >= reflect.Int && kt.Kind() <= reflect.Int64:
			x, err := strconv.ParseInt(ent.key, 10, 64)
			if err != nil || reflect.Zero(kt).OverflowInt(x) {
				d.fail(ent.val, "cannot use key "+quoteCap(ent.key)+" as "+kt.String())
				continue
			}
			kv = reflect.New(kt).Elem()
			kv.SetInt(x)
		default:
			x, err := strconv.ParseUint(ent.key, 10, 64)
			if err != nil || reflect.Zero(kt).OverflowUint(x) {
				d.fail(ent.val, "cannot use key "+quoteCap(ent.key)+" as "+kt.String())
				continue
			}
			kv = reflect.New(kt).Elem()
			kv.SetUint(x)
		}
		ev := reflect.New(et).Elem()
		if ent.alias {
			d.inAlias++
		}
		d.path = append(d.path, pathElem{key: ent.key, idx: -1})
		d.decode(ent.val, ev, p.elem)
		d.path = d.path[:len(d.path)-1]
		if ent.alias {
			d.inAlias--
		}
		if d.fatal {
			break
		}
		v.SetMapIndex(kv, ev)
	}
	d.ents = d.ents[:base]
}

func decodeStruct(d *decoder, n *Node, v reflect.Value, p *plan) {
	if n.Kind == ScalarNode && n.Tag == NullTag {
		return
	}
	if n.Kind != MappingNode {
		d.typeError(n, p.t)
		return
	}
	if err := d.enter(n); err != nil {
		d.failFatal(err)
		return
	}
	defer func() { d.depth-- }()
	if n.flags&flagHasMerge == 0 {
		c := n.Content
		for i := 0; i+1 < len(c); i += 2 {
			k := c[i]
			var key string
			if k.Kind == ScalarNode && k.Tag == StrTag {
				key = k.Value
			} else {
				if err := d.keyVisit(k); err != nil {
					d.failFatal(err)
					return
				}
				var msg string
				if key, msg = keyString(k); msg != "" {
					d.failFatal(&DecodeError{Line: k.Line, Column: k.Column, Msg: msg})
					return
				}
			}
			d.structField(p, v, key, c[i].Line, c[i+1], false)
			if d.fatal {
				return
			}
		}
		return
	}
	base := len(d.ents)
	if !d.entries(n) {
		return
	}
	for i := base; i < len(d.ents); i++ {
		ent := d.ents[i]
		d.structField(p, v, ent.key, int(ent.line), ent.val, ent.alias)
		if d.fatal {
			break
		}
	}
	d.ents = d.ents[:base]
}

func (d *decoder) structField(p *plan, v reflect.Value, key string, keyLine int, val *Node, alias bool) {
	i, ok := p.byName[key]
	if !ok {
		// Ignored, as encoding/json does; reported to a caller that asks.
		if report := d.opts.UnknownField; report != nil {
			d.path = append(d.path, pathElem{key: key, idx: -1})
			report(d.pathString(), keyLine)
			d.path = d.path[:len(d.path)-1]
		}
		return
	}
	f := &p.fields[i]
	fv := v
	if f.throughPt {
		for j, x := range f.index {
			if j > 0 && fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					if !fv.CanSet() {
						d.fail(val, "cannot set embedded pointer to unexported struct "+fv.Type().Elem().String())
						return
					}
					fv.Set(reflect.New(fv.Type().Elem()))
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
	} else if len(f.index) == 1 {
		fv = v.Field(f.index[0])
	} else {
		fv = v.FieldByIndex(f.index)
	}
	if alias {
		d.inAlias++
	}
	d.path = append(d.path, pathElem{key: key, idx: -1})
	if f.quoted {
		d.decodeQuoted(val, fv, f.planOf())
	} else {
		d.decode(val, fv, f.planOf())
	}
	d.path = d.path[:len(d.path)-1]
	if alias {
		d.inAlias--
	}
}

// decodeQuoted implements the ",string" option: the value is a string
// holding a JSON literal.
func (d *decoder) decodeQuoted(n *Node, v reflect.Value, p *plan) {
	r := n.Resolve()
	if r.Kind == ScalarNode && r.Tag == NullTag {
		return
	}
	if r.Kind != ScalarNode || r.Tag != StrTag {
		d.fail(n, "invalid use of ,string struct tag, trying to unmarshal "+describe(r)+" into "+p.t.String())
		return
	}
	var x any
	if err := json.Unmarshal([]byte(r.Value), &x); err != nil {
		if v.Kind() == reflect.String {
			d.fail(n, "invalid use of ,string struct tag, trying to unmarshal "+quoteCap(r.Value)+" into string")
			return
		}
		d.fail(n, "invalid use of ,string struct tag, trying to unmarshal "+quoteCap(r.Value)+" into "+p.t.String())
		return
	}
	lit := &Node{Kind: ScalarNode, Line: n.Line, Column: n.Column}
	switch y := x.(type) {
	case nil:
		lit.Tag = NullTag
	case bool:
		lit.Tag, lit.Value = BoolTag, strconv.FormatBool(y)
	case float64:
		lit.Value = strings.TrimSpace(r.Value)
		lit.Tag = resolvePlain(lit.Value)
	case string:
		lit.Tag, lit.Value = StrTag, y
	default:
		d.fail(n, "invalid use of ,string struct tag, trying to unmarshal "+quoteCap(r.Value)+" into "+p.t.String())
		return
	}
	d.decode(lit, v, p)
}

// buildFields resolves the JSON fields of a struct type with
// encoding/json's rules: tags name fields, untagged embedded structs are
// inlined, and of several fields with one name the shallowest wins, a
// tagged one breaking a tie, or none if still tied.
func buildFields(p *plan) {
	type cand struct {
		name   string
		tagged bool
		index  []int
		typ    reflect.Type
		quoted bool
		ptr    bool
	}
	type level struct {
		typ   reflect.Type
		index []int
		ptr   bool
	}
	var fields []cand
	next := []level{{typ: p.t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					t := sf.Type
					if t.Kind() == reflect.Pointer {
						t = t.Elem()
					}
					if !sf.IsExported() && t.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i
				ft := sf.Type
				throughPtr := f.ptr
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				quoted := false
				if hasOpt(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						quoted = true
					}
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					c := cand{name: name, tagged: name != "", index: index, typ: sf.Type, quoted: quoted, ptr: throughPtr}
					if c.name == "" {
						c.name = sf.Name
					}
					fields = append(fields, c)
					if count[f.typ] > 1 {
						fields = append(fields, c)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index, ptr: throughPtr || sf.Type.Kind() == reflect.Pointer})
				}
			}
		}
	}
	// Sort by name, then depth, then tagged first, then index order.
	sortCands := func(a, b cand) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if len(a.index) != len(b.index) {
			return len(a.index) - len(b.index)
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return compareIndex(a.index, b.index)
	}
	sortFunc(fields, sortCands)
	var out []cand
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].index) != len(group[1].index) || group[0].tagged != group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	sortFunc(out, func(a, b cand) int { return compareIndex(a.index, b.index) })
	p.byName = make(map[string]int, len(out))
	p.fields = make([]field, len(out))
	for i, c := range out {
		p.byName[c.name] = i
		f := &p.fields[i]
		f.name, f.index, f.typ, f.quoted, f.throughPt = c.name, c.index, c.typ, c.quoted, c.ptr
	}
}

func compareIndex(a, b []int) int {
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			return a[k] - b[k]
		}
	}
	return len(a) - len(b)
}

func sortFunc[T any](s []T, cmp func(a, b T) int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && cmp(s[j], s[j-1]) < 0; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func hasOpt(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
