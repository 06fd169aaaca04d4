package yamldoc

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// dump renders a node tree compactly with positions: scalars as
// tag"value"@line:col, mappings as {k: v}, sequences as [a, b], aliases as
// *name. Anchors and explicit tags prefix the node.
func dump(n *Node) string {
	var b strings.Builder
	dumpTo(&b, n)
	return b.String()
}

func dumpTo(b *strings.Builder, n *Node) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	if n.Anchor() != "" {
		b.WriteString("&" + n.Anchor() + " ")
	}
	if n.TagName() != "" {
		b.WriteString(n.TagName() + " ")
	}
	pos := fmt.Sprintf("@%d:%d", n.Line, n.Column)
	switch n.Kind {
	case ScalarNode:
		b.WriteString(n.Tag.String() + strconv.Quote(n.Value) + pos)
	case AliasNode:
		b.WriteString("*" + n.Value + pos)
	case SequenceNode:
		b.WriteString("[")
		for i, c := range n.Content {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpTo(b, c)
		}
		b.WriteString("]" + pos)
	case MappingNode:
		b.WriteString("{")
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpTo(b, n.Content[i])
			b.WriteString(": ")
			dumpTo(b, n.Content[i+1])
		}
		b.WriteString("}" + pos)
	}
}

func parseOne(t *testing.T, in string) *Node {
	t.Helper()
	docs, errs := Parse([]byte(in), Options{})
	if len(errs) > 0 {
		t.Fatalf("Parse(%q): %v", in, errs)
	}
	if len(docs) != 1 {
		t.Fatalf("Parse(%q): %d documents, want 1", in, len(docs))
	}
	return docs[0].Root
}

func toJSON(t *testing.T, n *Node) string {
	t.Helper()
	b, err := n.AppendJSON(nil, Options{})
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	return string(b)
}

// TestTrees checks exact trees, with the line and column of every node.
func TestTrees(t *testing.T) {
	tests := []struct{ name, in, tree string }{
		{"block mapping", "a: 1\nb:\n  c: x\n",
			`{string"a"@1:1: int"1"@1:4, string"b"@2:1: {string"c"@3:3: string"x"@3:6}@3:3}@1:1`},
		{"sequence at key indent", "k:\n- a\n- b\nz: 1",
			`{string"k"@1:1: [string"a"@2:3, string"b"@3:3]@2:1, string"z"@4:1: int"1"@4:4}@1:1`},
		{"compact nested", "- k: v\n  l: w\n- - x\n  - y\n",
			`[{string"k"@1:3: string"v"@1:6, string"l"@2:3: string"w"@2:6}@1:3, [string"x"@3:5, bool"y"@4:5]@3:3]@1:1`},
		{"empty values", "a:\nb: \n- \n",
			`{string"a"@1:1: null""@1:3, string"b"@2:1: [null""@3:2]@3:1}@1:1`},
		{"nulls in sequence", "-\n- ~\n-\n",
			`[null""@1:2, null"~"@2:3, null""@3:2]@1:1`},
		{"flow", "{a: [1, {b: c}], d}",
			`{string"a"@1:2: [int"1"@1:6, {string"b"@1:10: string"c"@1:13}@1:9]@1:5, string"d"@1:18: null""@1:19}@1:1`},
		{"flow pair in sequence", "[a: 1, b]",
			`[{string"a"@1:2: int"1"@1:5}@1:2, string"b"@1:8]@1:1`},
		{"anchor and alias", "a: &x [1]\nb: *x\n",
			`{string"a"@1:1: &x [int"1"@1:8]@1:4, string"b"@2:1: *x@2:4}@1:1`},
		{"tags", "- !!str 1\n- !Ref name\n- !!int '2'\n",
			`[!!str string"1"@1:3, !Ref string"name"@2:3, !!int int"2"@3:3]@1:1`},
		{"explicit key", "? a\n: b\n? c\n",
			`{string"a"@1:3: string"b"@2:3, string"c"@3:3: null""@4:1}@1:1`},
		{"multi-line plain", "a: one\n  two\n\n  three\nb: x",
			`{string"a"@1:1: string"one two\nthree"@1:4, string"b"@5:1: string"x"@5:4}@1:1`},
		{"block scalar position", "a: |\n  x\nb: >-\n  y\n",
			`{string"a"@1:1: string"x\n"@1:4, string"b"@3:1: string"y"@3:4}@1:1`},
		{"unicode columns", "é: [ü, \"ß\": x]\n",
			`{string"é"@1:1: [string"ü"@1:5, {string"ß"@1:8: string"x"@1:13}@1:8]@1:4}@1:1`},
		{"crlf", "a: 1\r\nb:\r\n  - x\r\n",
			`{string"a"@1:1: int"1"@1:4, string"b"@2:1: [string"x"@3:5]@3:3}@1:1`},
		{"bom", "\ufeffa: b\n", `{string"a"@1:1: string"b"@1:4}@1:1`},
		{"quoted keys", "'a b': 1\n\"c\\td\": 2\n",
			`{string"a b"@1:1: int"1"@1:8, string"c\td"@2:1: int"2"@2:9}@1:1`},
		{"merge key kept in tree", "<<: {a: 1}\nb: 2\n",
			`{string"<<"@1:1: {string"a"@1:6: int"1"@1:9}@1:5, string"b"@2:1: int"2"@2:4}@1:1`},
	}
	for _, tc := range tests {
		if tc.tree == "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			got := dump(parseOne(t, tc.in))
			if got != tc.tree {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.tree)
			}
		})
	}
}

// TestJSON checks the JSON form of many constructs; every expectation is
// also what sigs.k8s.io/yaml.YAMLToJSON gives (checked in
// TestJSONMatchesOracle).
var jsonCases = []struct{ name, in, json string }{
	// Block structure.
	{"mapping", "a: 1\nb: two\n", `{"a":1,"b":"two"}`},
	{"keys sorted like encoding/json", "b: 1\na: 2\nB: 3\n", `{"B":3,"a":2,"b":1}`},
	{"nested", "a:\n  b:\n    c: d\n", `{"a":{"b":{"c":"d"}}}`},
	{"sequence", "- a\n- b\n", `["a","b"]`},
	{"sequence under key same indent", "a:\n- 1\n- 2\nb: 3\n", `{"a":[1,2],"b":3}`},
	{"sequence under key indented", "a:\n  - 1\n  - 2\n", `{"a":[1,2]}`},
	{"compact mapping in sequence", "- a: 1\n  b: 2\n- c: 3\n", `[{"a":1,"b":2},{"c":3}]`},
	{"compact sequences", "- - a\n  - b\n- - - c\n", `[["a","b"],[["c"]]]`},
	{"empty values", "a:\nb: \nc: ~\n", `{"a":null,"b":null,"c":null}`},
	{"empty items", "-\n- \n- x\n", `[null,null,"x"]`},
	{"keys with spaces", "a key: a value\n", `{"a key":"a value"}`},
	{"colon in plain", "url: http://x:80/a\nt: 12:30\n", `{"t":"12:30","url":"http://x:80/a"}`},
	{"hash in plain", "a: b#c\nd: e #comment\n", `{"a":"b#c","d":"e"}`},
	{"comments everywhere", "# head\na: # after key\n  # own line\n  b: 1 # trailing\n# between\nc: [1, # in flow\n  2]\n", `{"a":{"b":1},"c":[1,2]}`},
	{"explicit keys", "? a\n: 1\n? b\n", `{"a":1,"b":null}`},
	{"explicit key with sequence value", "? a\n: - 1\n  - 2\n", `{"a":[1,2]}`},
	{"long line", "k: " + strings.Repeat("x", 5000) + "\n", `{"k":"` + strings.Repeat("x", 5000) + `"}`},
	{"crlf", "a: 1\r\nb: |\r\n  x\r\n  y\r\n", `{"a":1,"b":"x\ny\n"}`},
	{"bom", "\ufeffa: 1\n", `{"a":1}`},
	{"tab after value indicator", "a:\tb\n", `{"a":"b"}`},
	// Plain scalars.
	{"plain folding", "a: one\n  two\n\n  three\n", `{"a":"one two\nthree"}`},
	{"plain top-level folding", "one\ntwo\n", `"one two"`},
	{"plain with leading dash and question", "a: -x\nb: ?y\nc: :z\n", `{"a":"-x","b":"?y","c":":z"}`},
	// Quoted scalars.
	{"single quoted", `a: 'it''s'`, `{"a":"it's"}`},
	{"single quoted folding", "a: 'x\n  y\n\n  z '\n", `{"a":"x y\nz "}`},
	{"double escapes", `a: "\t\n\r\\\"\/x"`, ""}, // \/ is not a YAML 1.1 escape: error, tested below
	{"double escapes ok", `a: "\t|\n|\r|\\|\"|\a|\b|\e|\f|\v|\0|\ |\_|\N|\L|\P"`, `{"a":"\t|\n|\r|\\|\"|\u0007|\b|\u001b|\f|\u000b|\u0000| |` + "\u00a0|\u0085|\\u2028|\\u2029" + `"}`},
	{"double unicode", `a: "\x41\u00e9\U0001F600"`, `{"a":"Aé😀"}`},
	{"double folding", "a: \"x  \n   y\n\n  z\\\n  w\"\n", `{"a":"x y\nzw"}`},
	{"html escaped like encoding/json", `a: "<b>&"`, `{"a":"\u003cb\u003e\u0026"}`},
	// Block scalars.
	{"literal clip", "a: |\n  x\n  y\n\n", `{"a":"x\ny\n"}`},
	{"literal strip", "a: |-\n  x\n\n", `{"a":"x"}`},
	{"literal keep", "a: |+\n  x\n\n", `{"a":"x\n\n"}`},
	{"literal indentation indicator", "a: |2\n    x\n  y\n", `{"a":"  x\ny\n"}`},
	{"literal leading blank lines", "a: |\n\n  x\n", `{"a":"\nx\n"}`},
	{"folded", "a: >\n  one\n  two\n\n  three\n    more\n  four\n", `{"a":"one two\nthree\n  more\nfour\n"}`},
	{"folded strip", "a: >-\n  one\n  two\n", `{"a":"one two"}`},
	{"block scalar comment", "a: | # note\n  x\n", `{"a":"x\n"}`},
	{"block scalar at end of input", "a: |\n  x", `{"a":"x"}`},
	{"block scalar in sequence", "- |\n  x\n- z\n", `["x\n","z"]`},
	// Flow collections.
	{"flow nested", "a: {b: [1, {c: d}], e: f}", `{"a":{"b":[1,{"c":"d"}],"e":"f"}}`},
	{"flow multi-line", "a: [\n  1,\n  2\n]\n", `{"a":[1,2]}`},
	{"flow trailing commas", "a: [1, 2, ]\nb: {c: d, }\n", `{"a":[1,2],"b":{"c":"d"}}`},
	{"flow key without value", "{a, b: 1}", `{"a":null,"b":1}`},
	{"flow single pair", "[a: 1, b]", `[{"a":1},"b"]`},
	{"flow quoted", `{"a": 'b', 'c': "d"}`, `{"a":"b","c":"d"}`},
	{"flow colon inside plain", "[a:b, c]", `["a:b","c"]`},
	{"flow empty", "a: []\nb: {}\n", `{"a":[],"b":{}}`},
	// Anchors, aliases, merges.
	{"alias", "a: &x 1\nb: *x\n", `{"a":1,"b":1}`},
	{"alias collection", "a: &x {k: v}\nb: [*x, *x]\n", `{"a":{"k":"v"},"b":[{"k":"v"},{"k":"v"}]}`},
	{"merge", "base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\n", `{"base":{"x":1,"z":2},"d":{"x":1,"z":3}}`},
	{"merge list first wins", "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n", `{"a":{"x":1},"b":{"x":2,"z":2},"c":{"x":1,"z":2}}`},
	{"y is a bool key", "y: 1\n", `{"true":1}`},
	{"merge inline mapping", "a:\n  <<: {x: 1}\n  z: 2\n", `{"a":{"x":1,"z":2}}`},
	// goyaml.v2 applies entries in order, so a merge after a key wins.
	{"merge after key overrides", "a: &a {x: 1}\nb:\n  x: 2\n  <<: *a\n", `{"a":{"x":1},"b":{"x":1}}`},
	{"quoted merge key is a plain key", "'<<': 1\n", `{"\u003c\u003c":1}`},
	{"merge value as plain value", "a: <<\n", `{"a":"\u003c\u003c"}`},
	// Scalar resolution (YAML 1.1 as in goyaml.v2).
	{"bools", "[yes, Yes, YES, no, on, Off, y, N, true, False, TRUE, yES]", `[true,true,true,false,true,false,true,false,true,false,true,"yES"]`},
	{"nulls", "[~, null, Null, NULL, nULL]", `[null,null,null,null,"nULL"]`},
	{"ints", "[0, -1, +1, 0x1F, 0X1f, 0o17, 017, 1_000, 0b101, -0b11, 9223372036854775807, 18446744073709551615]", `[0,-1,1,31,31,15,15,1000,5,-3,9223372036854775807,18446744073709551615]`},
	{"int-like floats", "[08, 09.5, 99999999999999999999]", `[8,9.5,100000000000000000000]`},
	{"floats", "[1.5, -.5, .5, 1e3, 1.0, -0.0, 1e-7, 1.5e21, 1_0.5, 6.02e+23]", `[1.5,-0.5,0.5,1000,1,-0,1e-7,1.5e+21,10.5,6.02e+23]`},
	{"float out of range is a string", "a: 1e400\n", `{"a":"1e400"}`},
	{"underscores anywhere", "[-_5, +__0x_1F, 1_._5, 1_e_3]", `[-5,31,1.5,1000]`},
	{"number-like strings", "[100m, 1Gi, --port=80, -c, 1.25.3, 0xZZ, 1e, 2d]", `["100m","1Gi","--port=80","-c","1.25.3","0xZZ","1e","2d"]`},
	{"not numbers", "[0x, 1.2.3, 1e, +, -, ., 12:30, 1__]", `["0x","1.2.3","1e","+","-",".","12:30",1]`},
	{"timestamps are strings", "a: 2024-01-02\nb: 2024-01-02T03:04:05Z\n", `{"a":"2024-01-02","b":"2024-01-02T03:04:05Z"}`},
	{"quoted are strings", `["1", 'true', "null", '']`, `["1","true","null",""]`},
	{"block scalars are strings", "- |-\n  123\n- >-\n  true\n", `["123","true"]`},
	// Non-string keys are stringified like sigs.k8s.io/yaml does.
	{"int keys", "1: a\n0x10: b\n", `{"1":"a","16":"b"}`},
	{"bool keys", "yes: a\noff: b\n", `{"false":"b","true":"a"}`},
	{"float keys use float32 formatting", "1.5: a\n0.1234567890123: b\n1e21: c\n", `{"0.12345679":"b","1.5":"a","1e+21":"c"}`},
	{"inf keys", ".inf: a\n-.inf: b\n", `{"-.inf":"b",".inf":"a"}`},
	{"float keys beyond float32", "1e39: a\n-1e39: b\n", `{"-.inf":"b",".inf":"a"}`},
	// Tags.
	{"standard tags", "[!!str 1, !!int '2', !!float 3, !!bool 'yes', !!null '', !!str ]", `["1",2,3,true,null,""]`},
	{"tag characters run into flow indicators", "[!!str, a]", `["a"]`},
	{"verbatim and local tags", "[!<tag:yaml.org,2002:int> '7', !Ref x, !custom 12, ! 13]", `[7,"x","12","13"]`},
	{"tag directive", "%TAG !e! tag:yaml.org,2002:\n---\na: !e!int '5'\n", `{"a":5}`},
	{"binary", "a: !!binary aGVsbG8=\n", `{"a":"hello"}`},
	{"binary with invalid UTF-8", "? !!binary /w==\n: !!binary /2E=\n", `{"\ufffd":"\ufffda"}`},
	{"tags on collections ignored", "a: !!str {b: 1}\nc: !!map [1]\n", `{"a":{"b":1},"c":[1]}`},
	// Documents.
	{"explicit document", "---\na: 1\n...\n", `{"a":1}`},
	{"document with directive", "%YAML 1.1\n---\na: 1\n", `{"a":1}`},
	{"document start with content", "--- text\n", `"text"`},
	{"document start with block scalar", "--- |\n  text\n", `"text\n"`},
}

func TestJSON(t *testing.T) {
	for _, tc := range jsonCases {
		if tc.json == "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			if got := toJSON(t, parseOne(t, tc.in)); got != tc.json {
				t.Errorf("AppendJSON(%q)\n got %s\nwant %s", tc.in, got, tc.json)
			}
		})
	}
}

// TestJSONMatchesOracle keeps the table above honest.
func TestJSONMatchesOracle(t *testing.T) {
	for _, tc := range jsonCases {
		if tc.json == "" || strings.Contains(tc.in, "%YAML") {
			continue
		}
		want, err := oracleDocs([]byte(tc.in))
		if err != nil || len(want) != 1 {
			t.Errorf("%s: oracle: %v (%d docs)", tc.name, err, len(want))
			continue
		}
		if string(want[0]) != tc.json {
			t.Errorf("%s: table says %s, YAMLToJSON says %s", tc.name, tc.json, want[0])
		}
	}
}

func TestDocuments(t *testing.T) {
	in := "# leading comment\n---\na: 1\n---\n# only a comment\n---\n--- ~\n...\n---\n- x\n"
	docs, errs := Parse([]byte(in), Options{})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := []struct {
		line int
		json string
	}{{2, `{"a":1}`}, {4, "null"}, {6, "null"}, {7, "null"}, {9, `["x"]`}}
	if len(docs) != len(want) {
		t.Fatalf("got %d documents, want %d", len(docs), len(want))
	}
	for i, w := range want {
		if docs[i].Index != i || docs[i].Line != w.line {
			t.Errorf("doc %d: index %d line %d, want line %d", i, docs[i].Index, docs[i].Line, w.line)
		}
		if got := toJSON(t, docs[i].Root); got != w.json {
			t.Errorf("doc %d: %s, want %s", i, got, w.json)
		}
	}
	if docs[1].Root != nil || docs[2].Root != nil {
		t.Errorf("empty documents should have a nil Root")
	}
	if docs[3].Root == nil || docs[3].Root.Tag != NullTag {
		t.Errorf("'--- ~' should have a null scalar root")
	}
	for _, empty := range []string{"", "# nothing\n", "\n\n"} {
		if docs, errs := Parse([]byte(empty), Options{}); len(docs) != 0 || len(errs) != 0 {
			t.Errorf("Parse(%q) = %d docs, %v", empty, len(docs), errs)
		}
	}
}

func TestHelpers(t *testing.T) {
	root := parseOne(t, "a: &x {b: [10, 20], 80: port}\nc: *x\nd:\n  <<: *x\n  e: 1\n")
	if got := root.Lookup("a", "b").Index(1).Value; got != "20" {
		t.Errorf("Lookup a.b[1] = %q", got)
	}
	if got := root.Get("c").Get("80").Text(); got != "port" {
		t.Errorf("Get through alias and int key = %q", got)
	}
	if got := root.Get("d").Get("b").Len(); got != 2 {
		t.Errorf("Get through merge: len %d", got)
	}
	// Get agrees with AppendJSON on merge precedence.
	m := parseOne(t, "a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc:\n  p: 0\n  <<: [*a, *b]\n  r: 3\n")
	for key, want := range map[string]string{"p": "1", "q": "1", "r": "3"} {
		if got := m.Get("c").Get(key); got == nil || got.Value != want {
			t.Errorf("c.%s = %s, want %s (JSON %s)", key, dump(got), want, toJSON(t, m.Get("c")))
		}
	}
	if root.Get("missing") != nil || root.Get("a").Get("b").Get("x") != nil || root.Lookup("a", "b", "0") != nil {
		t.Errorf("missing lookups should be nil")
	}
	var keys []string
	for k, v := range root.Get("d").Entries() {
		keys = append(keys, k+"="+toJSON(t, v))
	}
	if got := strings.Join(keys, " "); got != "b=[10,20] 80=\"port\" e=1" {
		t.Errorf("Entries: %s", got)
	}
	if !root.Get("d").Content[0].IsMergeKey() || root.Get("d").Content[2].IsMergeKey() {
		t.Errorf("IsMergeKey")
	}
	if !root.Get("nothing").IsNull() || root.Get("a").IsNull() {
		t.Errorf("IsNull")
	}
	if root.Len() != 3 || root.Get("a").Get("b").Len() != 2 || root.Get("c").Len() != 2 {
		t.Errorf("Len")
	}
}

// TestNumberLike: the quick filter never rejects a string that the full
// number resolution would accept.
func TestNumberLike(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789+-_.eExXoObBaAfFgGimk "
	for n := 0; n < 200000; n++ {
		b := make([]byte, 1+rng.IntN(8))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if h := resolveHint[s[0]]; h != 'D' && h != 'S' {
			continue // only these reach number resolution
		}
		if !numberLike(s) {
			if r := resolveNumber(s); r.kind != vStr {
				t.Fatalf("numberLike(%q) = false, but it resolves as %v", s, r)
			}
		}
	}
}
