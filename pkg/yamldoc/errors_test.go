package yamldoc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string // substring of the message
	}{
		{"indentation too small", "a:\n  b: 1\n c: 2\n", 3, "did not find expected key"},
		{"sequence indentation", "a:\n  - x\n - y\n", 3, "did not find expected key"},
		{"value on deeper line", "key: value\n  bad: indent\n", 2, "mapping values are not allowed"},
		{"key without colon", "a: 1\nb\nc: 2\n", 2, "could not find expected ':'"},
		{"scalar then key", "a:\n  b\n  c: d\n", 3, "mapping values are not allowed"},
		{"nested value on same line", "a: b: c\n", 1, "mapping values are not allowed"},
		{"sequence then key", "- a\nb: c\n", 2, "expected '-'"},
		{"unterminated double quote", "a: \"abc\nb: 1\n", 1, "quoted scalar is not closed"},
		{"unterminated single quote", "x: 1\na: 'abc\n", 2, "quoted scalar is not closed"},
		{"quote cut by document marker", "a: \"abc\n---\nb: 1\n", 1, "document marker on line 2"},
		{"unterminated flow sequence", "a: [1, 2\n", 1, "flow sequence is not closed"},
		{"unterminated flow mapping", "a:\n  b: {c: 1,\n     d: 2\n", 2, "flow mapping is not closed"},
		{"missing comma in flow", "a: [1, 2\nb: 3]\n", 2, "did not find expected ',' or ']' in flow sequence started at line 1"},
		{"stray bracket", "a: 1\n]\n", 2, "did not find expected key"},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", 3, `mapping key "a" already defined at line 1`},
		{"duplicate nested key", "spec:\n  containers:\n  - name: x\n    image: y\n    name: z\n", 5, `mapping key "name" already defined at line 3`},
		{"duplicate flow key", "{a: 1, a: 2}", 1, `mapping key "a" already defined at line 1`},
		{"duplicate key by JSON form", "1: a\n\"1\": b\n", 2, `mapping key "1" already defined at line 1`},
		{"duplicate key through alias", "a: &k x\nb:\n  x: 1\n  *k : 2\n", 4, `mapping key "x" already defined at line 3`},
		{"tab indentation", "a:\n\tb: 1\n", 2, "tab character"},
		{"tab indentation in sequence", "a:\n  - x\n\t- y\n", 3, "tab character"},
		{"tab in block scalar indentation", "a: |\n  x\n\ty\n", 3, "tab character"},
		{"invalid UTF-8", "a: 1\nb: \xff\n", 2, "invalid UTF-8"},
		{"NUL byte", "a: 1\nb: x\x00y\n", 2, "NUL"},
		{"control character", "a: \x07\n", 1, "control character"},
		{"unknown anchor", "a: *x\n", 1, "unknown anchor 'x'"},
		{"anchor in its own value", "a: &x [*x]\n", 1, "contains itself"},
		{"anchors are per document", "a: &a [1]\n---\nb: *a\n", 3, "unknown anchor"},
		{"undefined tag handle", "a: !e!x y\n", 1, "undefined tag handle"},
		{"wrong YAML version", "%YAML 2.0\n---\na\n", 1, "incompatible YAML document"},
		{"unknown directive", "%FOO bar\n---\na\n", 1, "unknown directive"},
		{"tag mismatch", "a: !!int abc\n", 1, `cannot decode !!str "abc" as a !!int`},
		{"bad binary", "a: !!binary '%%%'\n", 1, "invalid base64"},
		{"unknown escape", "a: \"\\/\"\n", 1, "unknown escape"},
		{"bad character", "a: @x\n", 1, `found character "@"`},
		{"content after document", "[a, b]]\n", 1, "did not find expected document start"},
		{"content after end marker", "a: 1\n...\nb: 2\n", 3, "did not find expected document start"},
		{"bad anchor name", "a: &x.y 1\n", 1, "invalid anchor name"},
		{"block entry in flow", "[- a]\n", 1, "did not find expected node content"},
		{"long simple key", strings.Repeat("k", 1100) + ": v\n", 1, "mapping values are not allowed"},
		{"multi-line simple key", "\"a\nb\": c\n", 2, "mapping values are not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Parse([]byte(tc.in), Options{})
			if len(errs) == 0 {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.in)
			}
			var e *Error
			if !errors.As(errs[0], &e) {
				t.Fatalf("error %T is not *Error", errs[0])
			}
			if e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("Parse(%q) = %v (line %d), want line %d and %q", tc.in, e, e.Line, tc.line, tc.msg)
			}
			if !strings.HasPrefix(e.Error(), "line ") {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

// TestOracleAgreesOnErrors: every syntax error above (apart from the
// deliberate differences) is an error for YAMLToJSON too.
func TestOracleAgreesOnErrors(t *testing.T) {
	for _, in := range []string{
		"a:\n  b: 1\n c: 2\n", "a: \"abc\n", "a: [1, 2\n", "a:\n\tb: 1\n", "a: *x\n",
		"a: &x [*x]\n", "a: !!int abc\n", "a: \"\\/\"\n", "a: b: c\n", "[- a]\n",
		strings.Repeat("k", 1100) + ": v\n", "a: &x.y 1\n", "\"a\nb\": c\n",
	} {
		if _, err := oracleDocs([]byte(in)); err == nil {
			t.Errorf("oracle accepts %q", in)
		}
	}
}

// TestDirectiveNumbers: bad directives where a document starts head the next document, which
// keeps their number; a bad directive line inside a document ends that document, and the next
// one takes the next number.
func TestDirectiveNumbers(t *testing.T) {
	for in, want := range map[string][2]int{
		"%YAML 2.0\n---\na: 1\n":       {0, 0},
		"a: 1\n%foo\n---\nb: 2\n":      {0, 1},
		"a: 1\n---\n%FOO\n---\nb: 2\n": {1, 2},
	} {
		docs, errs := Parse([]byte(in), Options{})
		if len(errs) != 1 || len(docs) == 0 {
			t.Fatalf("%q: %d docs, errors %v", in, len(docs), errs)
		}
		if got := [2]int{errs[0].(*Error).Index, docs[len(docs)-1].Index}; got != want {
			t.Errorf("%q: error in document %d, last document %d; want %v", in, got[0], got[1], want)
		}
	}
}

func TestResumeAfterError(t *testing.T) {
	in := "a: 1\n---\nb: [\n---\nc: 3\n---\nd: \"\n---\ne: 5\nf: 6\ne: 7\n...\n%YAML 9.9\n---\ng: 8\n---\nh: 9\n"
	docs, errs := Parse([]byte(in), Options{})
	var got []string
	for _, d := range docs {
		got = append(got, toJSON(t, d.Root))
	}
	// The document after bad directives is read without them, as kubectl reads it, and keeps
	// the number of the document they head.
	want := []string{`{"a":1}`, `{"c":3}`, `{"g":8}`, `{"h":9}`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("documents %v, want %v", got, want)
	}
	wantIdx := []int{0, 2, 5, 6}
	for i, d := range docs {
		if i < len(wantIdx) && d.Index != wantIdx[i] {
			t.Errorf("doc %d has Index %d, want %d", i, d.Index, wantIdx[i])
		}
	}
	wantLines := []int{3, 7, 11, 13}
	if len(errs) != len(wantLines) {
		t.Fatalf("errors %v, want %d", errs, len(wantLines))
	}
	wantErrIdx := []int{1, 3, 4, 5}
	for i, err := range errs {
		if l := err.(*Error).Line; l != wantLines[i] {
			t.Errorf("error %d %v: line %d, want %d", i, err, l, wantLines[i])
		}
		if x := err.(*Error).Index; x != wantErrIdx[i] {
			t.Errorf("error %d %v: document %d, want %d", i, err, x, wantErrIdx[i])
		}
	}
}

const lolBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// measure runs f and returns the time and bytes allocated.
func measure(f func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc
}

func TestAliasBomb(t *testing.T) {
	root := parseOne(t, lolBomb)
	check := func(what string, err error, d time.Duration, alloc uint64) {
		t.Helper()
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(de.Msg, "alias expansion exceeds 100000 nodes") {
			t.Errorf("%s: error %v, want alias expansion limit", what, err)
			return
		}
		if de.Line < 2 || de.Line > 9 {
			t.Errorf("%s: error line %d", what, de.Line)
		}
		if d > 2*time.Second || alloc > 64<<20 {
			t.Errorf("%s: took %v and %d bytes", what, d, alloc)
		}
	}
	var err error
	d, alloc := measure(func() { _, err = root.AppendJSON(nil, Options{}) })
	check("AppendJSON", err, d, alloc)
	var x any
	d, alloc = measure(func() { err = Decode(root, &x, Options{}) })
	check("Decode into any", err, d, alloc)
	var typed struct {
		I [][][][][][][][][]string `json:"i"`
	}
	d, alloc = measure(func() { err = Decode(root, &typed, Options{}) })
	check("Decode into a typed map", err, d, alloc)

	// Merge keys are aliases too.
	merge := "a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9}\n" +
		"b: &b {k1: *a, k2: *a, k3: *a, k4: *a, k5: *a, k6: *a, k7: *a, k8: *a, k9: *a}\n" +
		"c: &c {k1: *b, k2: *b, k3: *b, k4: *b, k5: *b, k6: *b, k7: *b, k8: *b, k9: *b}\n" +
		"d: &d {k1: *c, k2: *c, k3: *c, k4: *c, k5: *c, k6: *c, k7: *c, k8: *c, k9: *c}\n" +
		"e: &e {k1: *d, k2: *d, k3: *d, k4: *d, k5: *d, k6: *d, k7: *d, k8: *d, k9: *d}\n" +
		"f: &f {k1: *e, k2: *e, k3: *e, k4: *e, k5: *e, k6: *e, k7: *e, k8: *e, k9: *e}\n" +
		"g: {<<: [*f, *e, *d]}\n"
	root = parseOne(t, merge)
	d, alloc = measure(func() { _, err = root.AppendJSON(nil, Options{}) })
	check("AppendJSON with merges", err, d, alloc)

	// A small, legitimate use of aliases passes, and the bound is an option.
	root = parseOne(t, "a: &a [1, 2, 3]\nb: [*a, *a]\n")
	if _, err := root.AppendJSON(nil, Options{MaxAliasNodes: 8}); err != nil {
		t.Errorf("8 alias nodes: %v", err)
	}
	if _, err := root.AppendJSON(nil, Options{MaxAliasNodes: 7}); err == nil {
		t.Errorf("7 alias nodes: no error")
	}
}

func TestDepthBomb(t *testing.T) {
	var errs []error
	d, alloc := measure(func() { _, errs = Parse([]byte(strings.Repeat("[", 100000)), Options{}) })
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "maximum depth of 1000") || errs[0].(*Error).Line != 1 {
		t.Errorf("flow depth bomb: %v", errs)
	}
	if d > 2*time.Second || alloc > 64<<20 {
		t.Errorf("flow depth bomb took %v and %d bytes", d, alloc)
	}

	// Block nesting: 2000 levels, one per line.
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	_, errs = Parse([]byte(b.String()), Options{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "maximum depth") || errs[0].(*Error).Line != 1001 {
		t.Errorf("block depth bomb: %v", errs)
	}
	// Indentless sequences nest without adding indentation levels.
	b.Reset()
	b.WriteString("k:\n")
	for i := 0; i < 1500; i++ {
		b.WriteString(strings.Repeat(" ", 2*i) + "- k:\n")
	}
	_, errs = Parse([]byte(b.String()), Options{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "maximum depth") {
		t.Errorf("indentless depth bomb: %v", errs)
	}

	// Depth reached through aliases is bounded as well.
	var deep strings.Builder
	deep.WriteString("a: &a " + strings.Repeat("[", 600) + strings.Repeat("]", 600) + "\n")
	deep.WriteString("b: &b " + strings.Repeat("[", 600) + "*a" + strings.Repeat("]", 600) + "\n")
	root := parseOne(t, deep.String())
	if _, err := root.AppendJSON(nil, Options{}); err == nil || !strings.Contains(err.Error(), "maximum depth") {
		t.Errorf("depth through alias: %v", err)
	}
	var x any
	if err := Decode(root, &x, Options{}); err == nil || !strings.Contains(err.Error(), "maximum depth") {
		t.Errorf("Decode depth through alias: %v", err)
	}
	if _, errs := Parse([]byte(deep.String()), Options{MaxDepth: 100}); len(errs) == 0 {
		t.Errorf("MaxDepth option ignored")
	}
}

func TestJSONErrors(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"~: 1\n", "null mapping key"},
		{"? [a]\n: 1\n", "sequence cannot be used as a mapping key"},
		{"? {a: 1}\n: 1\n", "mapping cannot be used as a mapping key"},
		{"18446744073709551615: a\n", "out of range"},
		{"a: .inf\n", "infinity and NaN"},
		{"a: [.nan]\n", "infinity and NaN"},
		{"a: {<<: 1}\n", "map merge requires map"},
		{"a: {<<: [{b: 1}, 2]}\n", "map merge requires map"},
	} {
		root := parseOne(t, tc.in)
		_, err := root.AppendJSON(nil, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("AppendJSON(%q) = %v, want %q", tc.in, err, tc.msg)
		}
		if _, oerr := oracleDocs([]byte(tc.in)); oerr == nil {
			t.Errorf("oracle accepts %q", tc.in)
		}
		var x any
		if err := Decode(root, &x, Options{}); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Decode(%q) = %v, want %q", tc.in, err, tc.msg)
		}
	}
}

// TestFindInvalid checks the word-at-a-time validation against a plain
// loop over runes.
func TestFindInvalid(t *testing.T) {
	ref := func(s string) int {
		for i, r := range s {
			switch {
			case r == utf8.RuneError:
				if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
					return i
				}
			case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7F,
				r >= 0x80 && r <= 0x9F && r != 0x85, r == 0xFFFE, r == 0xFFFF:
				return i
			}
		}
		return len(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", " ", "\n", "\t", "\r", "\x00", "\x01", "\x1f", "\x7f", "\x7e", "\x20", "é", "\u0085", "\u0086", "\ufffe", "\uffff", "\xff", "\xc3", "😀", "\u2028"}
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for l := rng.IntN(40); l > 0; l-- {
			if rng.IntN(10) < 8 {
				b.WriteString(alphabet[rng.IntN(5)])
			} else {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
		}
		s := b.String()
		from := 0
		if len(s) > 0 {
			from = rng.IntN(len(s))
			for from > 0 && !utf8.RuneStart(s[from]) {
				from--
			}
		}
		got, _ := findInvalid(s, from)
		if want := from + ref(s[from:]); got != want {
			t.Fatalf("findInvalid(%q, %d) = %d, want %d", s, from, got, want)
		}
	}
}

// TestAliasBombTyped: expansion into typed maps and structs is bounded too.
func TestAliasBombTyped(t *testing.T) {
	var b strings.Builder
	b.WriteString("big: &big {")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "k%d: v, ", i)
	}
	b.WriteString("}\nlist: [")
	for i := 0; i < 2000; i++ {
		b.WriteString("*big, ")
	}
	b.WriteString("]\n")
	root := parseOne(t, b.String())
	var v struct {
		List []map[string]string `json:"list"`
	}
	var err error
	d, alloc := measure(func() { err = Decode(root, &v, Options{}) })
	if err == nil || !strings.Contains(err.Error(), "alias expansion exceeds") {
		t.Errorf("Decode: %v", err)
	}
	if d > 2*time.Second || alloc > 64<<20 {
		t.Errorf("took %v and %d bytes", d, alloc)
	}
}
