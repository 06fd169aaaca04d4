package yamldoc

import (
	"bytes"
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
		if d.Root == nil {
			out = append(out, "null\n"...)
			continue
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
		out = append(out, '\n')
	}
	for _, e := range errs {
		out = append(out, e.Error()...)
		out = append(out, '\n')
	}
	return out
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
