package yamldoc

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	yaml2 "go.yaml.in/yaml/v2"
)

// oracleExcessive reports whether goyaml.v2, which sigs.k8s.io/yaml and kubectl decode with,
// refuses the first document of data for its aliasing.
func oracleExcessive(t *testing.T, data string) bool {
	t.Helper()
	var v any
	err := yaml2.Unmarshal([]byte(data), &v)
	if err != nil && !strings.Contains(err.Error(), "excessive aliasing") {
		t.Fatalf("goyaml.v2 fails otherwise: %v", err)
	}
	return err != nil
}

func seq(n int, item func(i int) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(item(i))
	}
	b.WriteByte(']')
	return b.String()
}

// mergeBomb is a List whose every level is a List of nine items that each merge in the level
// below: a kilobyte or two that a loader reading List items one by one would turn into 9^levels
// objects.
func mergeBomb(levels int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n- &l0\n  apiVersion: v1\n  kind: List\n  items:\n")
	for i := range 9 {
		fmt.Fprintf(&b, "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}, data: {k: v}}\n", i)
	}
	for l := 1; l <= levels; l++ {
		fmt.Fprintf(&b, "- &l%d\n  apiVersion: v1\n  kind: List\n  items: %s\n", l, seq(9, func(int) string { return fmt.Sprintf("{<<: *l%d}", l-1) }))
	}
	return b.String()
}

// TestCheckAliasingAgreesWithGoyaml: CheckAliasing refuses exactly the documents goyaml.v2
// refuses for excessive aliasing, around its thresholds, with plain aliases, merge keys and
// merged sequences, and names the line of the alias being expanded.
func TestCheckAliasingAgreesWithGoyaml(t *testing.T) {
	type tc struct {
		name, doc string
	}
	var cases []tc
	for _, m := range []int{1, 5, 9, 40} {
		for _, k := range []int{20, 50, 99, 100, 101, 150, 300, 900, 3000} {
			cases = append(cases, tc{fmt.Sprintf("sequence of %d, %d aliases", m, k),
				"a: &a " + seq(m, func(i int) string { return fmt.Sprint(i) }) + "\nb: " + seq(k, func(int) string { return "*a" }) + "\n"})
			mapping := "{" + strings.Trim(seq(m, func(i int) string { return fmt.Sprintf("k%d: %d", i, i) }), "[]") + "}"
			cases = append(cases, tc{fmt.Sprintf("mapping of %d, %d merges", m, k),
				"a: &a " + mapping + "\nb: " + seq(k, func(i int) string { return fmt.Sprintf("{<<: [*a, {x: %d}], y: 1}", i) }) + "\n"})
		}
	}
	for _, k := range []int{1, 2, 3, 4, 6, 10, 15, 20, 21, 22, 23, 25, 30, 50} {
		cases = append(cases, tc{fmt.Sprintf("three levels of nine, %d aliases of those", k),
			"a: &a " + seq(9, func(i int) string { return fmt.Sprint(i) }) + "\nb: &b " + seq(9, func(int) string { return "*a" }) +
				"\nc: &c " + seq(9, func(int) string { return "*b" }) + "\nd: " + seq(k, func(int) string { return "*c" }) + "\n"})
		cases = append(cases, tc{fmt.Sprintf("merge chain, %d merges", k),
			"a: &a {x: 1, y: 2}\nb: &b {<<: *a, z: 3}\nc: &c {<<: [*b, *a], w: 4}\nd: &d " + seq(30, func(int) string { return "{<<: *c}" }) +
				"\ne: " + seq(k, func(int) string { return "*d" }) + "\n"})
	}
	for levels := 1; levels <= 6; levels++ {
		cases = append(cases, tc{fmt.Sprintf("merge bomb of %d levels", levels), mergeBomb(levels)})
	}
	// Past 400,000 nodes the share allowed falls: 20,001 nodes copied 24 times pass, 25 times not.
	big := "a: &a " + seq(20000, func(i int) string { return fmt.Sprint(i % 10) }) + "\n"
	for _, k := range []int{24, 25} {
		cases = append(cases, tc{fmt.Sprintf("20,000 nodes, %d aliases", k), big + "b: " + seq(k, func(int) string { return "*a" }) + "\n"})
	}
	var refused, passed int
	for _, c := range cases {
		want := oracleExcessive(t, c.doc)
		docs, errs := ParseString(c.doc, Options{})
		if len(errs) != 0 || len(docs) != 1 {
			t.Fatalf("%s: parse: %v", c.name, errs)
		}
		if docs[0].Aliases == 0 {
			t.Fatalf("%s: no aliases counted", c.name)
		}
		err := CheckAliasing(docs[0].Root, Options{})
		if (err != nil) != want {
			t.Errorf("%s: CheckAliasing %v, goyaml.v2 refuses it: %v", c.name, err, want)
			continue
		}
		if testing.Verbose() {
			t.Logf("%s: %v", c.name, err)
		}
		if err == nil {
			passed++
			continue
		}
		refused++
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "document contains excessive aliasing") {
			t.Errorf("%s: error %v", c.name, err)
			continue
		}
		// The line is an alias's.
		line := strings.Split(c.doc, "\n")[e.Line-1]
		if !strings.Contains(line[e.Column-1:], "*") {
			t.Errorf("%s: error at %d:%d, %q, not at an alias", c.name, e.Line, e.Column, line)
		}
	}
	if refused < 10 || passed < 10 {
		t.Errorf("%d refused, %d passed: the cases do not straddle the thresholds", refused, passed)
	}
}

// TestMergeBombIsRefusedQuickly: a merge bomb of six levels (millions of objects when read
// item by item) is refused after a few thousand nodes, at the line where its expansion takes
// over.
func TestMergeBombIsRefusedQuickly(t *testing.T) {
	doc := mergeBomb(6)
	if len(doc) > 2048 {
		t.Fatalf("bomb of %d bytes", len(doc))
	}
	docs, errs := ParseString(doc, Options{})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var err error
	d, alloc := measure(func() { err = CheckAliasing(docs[0].Root, Options{}) })
	var e *Error
	if !errors.As(err, &e) || e.Line != 28 {
		t.Errorf("error %v, want excessive aliasing at line 28 (the items of the third level)", err)
	}
	if alloc > 1<<20 || d.Seconds() > 1 {
		t.Errorf("took %v and %d bytes", d, alloc)
	}
	// Without aliases, nothing to count; a few aliases in a large document pass.
	docs, _ = ParseString("a: [1, 2, 3]\nb: {c: d}\n", Options{})
	if docs[0].Aliases != 0 || CheckAliasing(docs[0].Root, Options{}) != nil {
		t.Errorf("plain document: %d aliases", docs[0].Aliases)
	}
}
