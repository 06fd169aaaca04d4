package yamldoc

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"
)

// Scalar resolution follows goyaml.v2 (YAML 1.1 flavoured), because that
// is what sigs.k8s.io/yaml.YAMLToJSON, and therefore kubectl and the API
// server, use.

const (
	longTagPrefix = "tag:yaml.org,2002:"
	tagStr        = longTagPrefix + "str"
	tagBool       = longTagPrefix + "bool"
	tagInt        = longTagPrefix + "int"
	tagFloat      = longTagPrefix + "float"
	tagNull       = longTagPrefix + "null"
	tagTimestamp  = longTagPrefix + "timestamp"
	tagBinary     = longTagPrefix + "binary"
	tagMerge      = longTagPrefix + "merge"
)

func shortTag(tag string) string {
	if strings.HasPrefix(tag, longTagPrefix) {
		return "!!" + tag[len(longTagPrefix):]
	}
	return tag
}

type valKind uint8

const (
	vStr valKind = iota
	vNull
	vBool
	vInt
	vUint
	vFloat
	vTimestamp
)

var valKindTag = [...]string{vStr: tagStr, vNull: tagNull, vBool: tagBool, vInt: tagInt, vUint: tagInt, vFloat: tagFloat, vTimestamp: tagTimestamp}

type resolved struct {
	kind valKind
	b    bool
	i    int64
	u    uint64
	f    float64
}

// resolveHint classifies the first byte of a plain scalar: 'D' digit,
// 'S' sign, 'M' may be a bool/null word, '.' may be a float, 0 string.
var resolveHint = func() (t [256]byte) {
	t['+'], t['-'] = 'S', 'S'
	for c := '0'; c <= '9'; c++ {
		t[c] = 'D'
	}
	for _, c := range "yYnNtTfFoO~" {
		t[c] = 'M'
	}
	t['.'] = '.'
	return
}()

// resolveValue resolves an untagged plain scalar (or the value of a
// resolvable tag). Timestamps are only recognized when tryTimestamp is
// set, as goyaml.v2 does for untagged and !!timestamp values.
func resolveValue(v string, tryTimestamp bool) resolved {
	hint := byte('N')
	if v != "" {
		hint = resolveHint[v[0]]
	}
	if hint == 0 {
		return resolved{}
	}
	if r, ok := resolveWord(v); ok {
		return r
	}
	switch hint {
	case '.':
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return resolved{kind: vFloat, f: f}
		}
	case 'D', 'S':
		if tryTimestamp && isTimestamp(v) {
			return resolved{kind: vTimestamp}
		}
		if numberLike(v) {
			return resolveNumber(v)
		}
	}
	return resolved{}
}

// resolveWord recognizes goyaml.v2's table of booleans, nulls and special
// floats. It is on the path of nearly every key and value, so it switches
// on length first instead of comparing against every word.
func resolveWord(v string) (resolved, bool) {
	switch len(v) {
	case 0:
		return resolved{kind: vNull}, true
	case 1:
		switch v[0] {
		case 'y', 'Y':
			return resolved{kind: vBool, b: true}, true
		case 'n', 'N':
			return resolved{kind: vBool}, true
		case '~':
			return resolved{kind: vNull}, true
		}
	case 2:
		switch v {
		case "on", "On", "ON":
			return resolved{kind: vBool, b: true}, true
		case "no", "No", "NO":
			return resolved{kind: vBool}, true
		}
	case 3:
		switch v {
		case "yes", "Yes", "YES":
			return resolved{kind: vBool, b: true}, true
		case "off", "Off", "OFF":
			return resolved{kind: vBool}, true
		}
	case 4:
		switch v {
		case "true", "True", "TRUE":
			return resolved{kind: vBool, b: true}, true
		case "null", "Null", "NULL":
			return resolved{kind: vNull}, true
		case ".nan", ".NaN", ".NAN":
			return resolved{kind: vFloat, f: math.NaN()}, true
		case ".inf", ".Inf", ".INF":
			return resolved{kind: vFloat, f: math.Inf(1)}, true
		}
	case 5:
		switch v {
		case "false", "False", "FALSE":
			return resolved{kind: vBool}, true
		case "+.inf", "+.Inf", "+.INF":
			return resolved{kind: vFloat, f: math.Inf(1)}, true
		case "-.inf", "-.Inf", "-.INF":
			return resolved{kind: vFloat, f: math.Inf(-1)}, true
		}
	}
	return resolved{}, false
}

// resolveNumber tries the integer and float syntaxes of goyaml.v2, in its
// order, on a plain scalar starting with a digit or a sign.
func resolveNumber(v string) resolved {
	plain := v
	if strings.IndexByte(v, '_') >= 0 {
		plain = strings.ReplaceAll(v, "_", "")
	}
	if i, ok := parseDecimal(plain); ok {
		return resolved{kind: vInt, i: i}
	}
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return resolved{kind: vInt, i: i}
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return resolved{kind: vUint, u: u}
	}
	if isYAMLFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return resolved{kind: vFloat, f: f}
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return resolved{kind: vInt, i: i}
		}
		if u, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return resolved{kind: vUint, u: u}
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return resolved{kind: vInt, i: i}
		}
	}
	return resolved{}
}

// numberLike rejects, without calling strconv (whose errors allocate),
// strings that no integer or float syntax goyaml.v2 tries can match:
// after an optional sign a digit or '.' must come, and only digits, hex
// letters, base prefixes, '_', '.', and exponent signs may follow. This
// filters out quantities like 100m and arguments like --port=80.
func numberLike(v string) bool {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	for i < len(v) && v[i] == '_' { // underscores are dropped before parsing
		i++
	}
	if i == len(v) || !(v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		return false
	}
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == 'x', c == 'X', c == 'o', c == 'O', c == '_', c == '.', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
}

// parseDecimal is a fast path for the common [1-9][0-9]* and 0 integers.
func parseDecimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// isYAMLFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}

// resolvePlain is the tag of an untagged plain scalar; it runs for every
// key and value, so the common cases return early.
func resolvePlain(v string) Tag {
	if v == "" {
		return NullTag
	}
	switch resolveHint[v[0]] {
	case 0:
		return StrTag
	case 'M':
		if len(v) > 5 {
			return StrTag
		}
		if r, ok := resolveWord(v); ok {
			return tagOf(r.kind)
		}
		return StrTag
	case 'D':
		if _, ok := parseDecimal(v); ok {
			return IntTag
		}
	}
	return tagOf(resolveValue(v, false).kind)
}

func tagOf(k valKind) Tag {
	switch k {
	case vNull:
		return NullTag
	case vBool:
		return BoolTag
	case vInt, vUint:
		return IntTag
	case vFloat:
		return FloatTag
	}
	return StrTag
}

// resolveTagged resolves a scalar with an explicit tag the way goyaml.v2
// does: standard tags must match the value (a !!float may hold an int),
// !!binary must be base64, and other tags leave the value a string.
func resolveTagged(tag, v string) (Tag, string) {
	switch tag {
	case tagStr:
		return StrTag, ""
	case tagBinary:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return 0, "!!binary value contains invalid base64 data"
		}
		return BinaryTag, ""
	case tagBool, tagInt, tagFloat, tagNull, tagTimestamp:
	default:
		return StrTag, ""
	}
	r := resolveValue(v, tag == tagTimestamp)
	rtag := valKindTag[r.kind]
	switch {
	case rtag == tag:
	case tag == tagFloat && r.kind == vInt:
	default:
		return 0, "cannot decode " + shortTag(rtag) + " " + quoteCap(v) + " as a " + shortTag(tag)
	}
	if r.kind == vTimestamp {
		return StrTag, ""
	}
	if tag == tagFloat {
		return FloatTag, ""
	}
	return tagOf(r.kind), ""
}

// scalarNumber re-resolves the value of an int, float or bool node.
func scalarValue(n *Node) resolved {
	r := resolveValue(n.Value, false)
	if n.Tag == FloatTag && r.kind == vInt {
		r = resolved{kind: vFloat, f: float64(r.i)}
	}
	return r
}

// keyString returns the JSON object key of a mapping key node, converting
// non-string keys the way sigs.k8s.io/yaml does. msg is non-empty when the
// key cannot be a JSON key.
func keyString(n *Node) (key, msg string) {
	if n.Kind == AliasNode && n.Target() != nil {
		n = n.Target()
	}
	switch n.Kind {
	case MappingNode, SequenceNode:
		return "", "a " + n.Kind.String() + " cannot be used as a mapping key"
	}
	switch n.Tag {
	case StrTag:
		return n.Value, ""
	case NullTag:
		return "", "a null mapping key cannot be converted to JSON"
	case BoolTag:
		if resolveValue(n.Value, false).b {
			return "true", ""
		}
		return "false", ""
	case IntTag:
		r := scalarValue(n)
		if r.kind == vInt {
			return strconv.FormatInt(r.i, 10), ""
		}
		return "", "integer mapping key " + capRaw(n.Value) + " is out of range"
	case FloatTag:
		// Formatted as a float32, as sigs.k8s.io/yaml does; a float64
		// beyond float32's range becomes infinite on the way.
		s := strconv.FormatFloat(scalarValue(n).f, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, ""
	case BinaryTag:
		b, _ := base64.StdEncoding.DecodeString(n.Value)
		return string(b), ""
	}
	return n.Value, ""
}
