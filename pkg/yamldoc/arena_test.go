package yamldoc

import (
	"bytes"
	"fmt"
	"testing"
)

// TestNodeArenaMatchesFreshTrees parses every corpus file twice, once into fresh memory and once
// into one arena reset between files (as the manifest loader does), and requires the same
// documents, errors and positions. A node left over from an earlier tree would show here.
func TestNodeArenaMatchesFreshTrees(t *testing.T) {
	files, _ := loadCorpus(t)
	arena := &NodeArena{}
	for _, f := range files {
		want := render(t, f.data, Options{})
		got := render(t, f.data, Options{Nodes: arena})
		arena.Reset()
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: parsed into the arena:\n%s\nfresh:\n%s", f.path, got, want)
		}
	}
}

// render parses data and prints every document as JSON with the line and column of each root,
// and the errors.
func render(t *testing.T, data []byte, opts Options) []byte {
	t.Helper()
	docs, errs := Parse(data, opts)
	var out []byte
	for _, d := range docs {
		out = renderDocument(out, d)
	}
	for _, e := range errs {
		out = append(out, e.Error()...)
		out = append(out, '\n')
	}
	return out
}

// renderEach is render through Each: each document is printed in its callback, the only time
// it is valid when an arena is reused, and the printout is laid out as render's. It fails the
// test unless the documents and errors come with the indexes 0, 1, 2, ... in input order (a
// document after an error in its directives keeps the error's number).
func renderEach(t *testing.T, data []byte, opts Options) []byte {
	t.Helper()
	var docs, errs []byte
	next, afterError := 0, false
	Each(data, opts, func(d Document, err error) bool {
		if d.Index != next && !(afterError && d.Index == next-1) {
			t.Fatalf("document %d came as number %d", d.Index, next)
		}
		next, afterError = d.Index+1, err != nil
		if err != nil {
			if d.Root != nil {
				t.Fatalf("document %d has both a tree and an error", d.Index)
			}
			errs = append(errs, err.Error()...)
			errs = append(errs, '\n')
			return true
		}
		docs = renderDocument(docs, d)
		return true
	})
	return append(docs, errs...)
}

func renderDocument(out []byte, d Document) []byte {
	if d.Root == nil {
		return append(out, "null\n"...)
	}
	out = append(out, d.Root.Kind.String()...)
	out = append(out, ' ')
	j, err := d.Root.AppendJSON(nil, Options{})
	if err != nil {
		out = append(out, err.Error()...)
	}
	out = append(out, j...)
	out = append(out, '\n')
	walkPositions(d.Root, func(n *Node) { out = append(out, byte(n.Line), byte(n.Column)) })
	return append(out, '\n')
}

// TestEachMatchesParse parses every corpus file and some streams with broken documents one
// document at a time, recycling one arena from document to document, and requires what Parse
// gives with fresh memory.
func TestEachMatchesParse(t *testing.T) {
	files, _ := loadCorpus(t)
	inputs := [][]byte{
		[]byte("a: 1\n---\nb: [2\n---\nc: 3\n"),
		[]byte("%YAML 9.9\n--- x\n---\n- &a [1, 2]\n- *a\n...\n--- {d: 4}\n"),
		[]byte("---\n---\nkey: {\n---\n\"q\n"),
		[]byte(""),
	}
	for _, f := range files {
		inputs = append(inputs, f.data)
	}
	arena := &NodeArena{}
	for i, data := range inputs {
		want := render(t, data, Options{})
		if got := renderEach(t, data, Options{Nodes: arena}); !bytes.Equal(got, want) {
			t.Fatalf("input %d one document at a time:\n%s\nParse:\n%s", i, got, want)
		}
		arena.Reset()
	}
}

// TestEachRecyclesArena checks that a long stream parsed with Each keeps only one document's
// tree in its arena, while Parse, which returns them all, keeps every tree there.
func TestEachRecyclesArena(t *testing.T) {
	var b bytes.Buffer
	for i := range 500 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, labels: {a: b, c: d}}\ndata: {k1: v1, k2: v2, k3: v3}\n", i)
	}
	each := &NodeArena{}
	docs := 0
	Each(b.Bytes(), Options{Nodes: each}, func(d Document, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		docs++
		return true
	})
	held := &NodeArena{}
	all, _ := Parse(b.Bytes(), Options{Nodes: held})
	if docs != 500 || len(all) != 500 {
		t.Fatalf("Each gave %d documents, Parse %d; want 500", docs, len(all))
	}
	if len(each.nodes) != 1 || len(each.ptrs) != 1 {
		t.Errorf("Each left %d node chunks and %d pointer chunks in the arena, want one of each", len(each.nodes), len(each.ptrs))
	}
	if len(held.nodes) < 5 {
		t.Errorf("Parse left %d node chunks for 500 documents; the trees must all stay valid", len(held.nodes))
	}
	if all[0].Root.Get("kind").Value != "ConfigMap" || all[499].Root.Get("metadata").Get("name").Value != "c499" {
		t.Error("Parse's trees were overwritten")
	}
}

// TestEachStops checks that Each stops at the first document its callback refuses.
func TestEachStops(t *testing.T) {
	calls := 0
	Each([]byte("a: 1\n---\nb: [\n---\nc: 3\n"), Options{}, func(Document, error) bool {
		calls++
		return calls < 2
	})
	if calls != 2 {
		t.Errorf("callback ran %d times after refusing the second document, want 2", calls)
	}
}

func walkPositions(n *Node, f func(*Node)) {
	if n == nil {
		return
	}
	f(n)
	for _, c := range n.Content {
		walkPositions(c, f)
	}
}
