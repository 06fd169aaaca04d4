package helm

import (
	"strconv"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// remap rewrites the positions of objects parsed from a template's output (rd, traced while it
// was rendered: see trace.go) so that they name lines of the template, and maps the lines of
// input errors the same way.
//
// A field whose key the template writes as literal text reports that line, wherever it sits:
// inside an if/else branch, a range, a document that another document of the same kind and
// shape precedes. A field written by an action (toYaml, include, tpl, a templated key) is not
// indexed, so it reports its nearest literal ancestor, for example the `securityContext:` line
// above `{{- toYaml ... | nindent }}`. An object is at the line that wrote its first key: a
// literal line, or the action that wrote the whole object ({{ include "pod" . }} directly after
// a "---" line, a tpl call); when neither is known its line is 0, the file alone, rather than
// a guess. Nothing points into values.yaml or into the files that define named templates.
//
// Errors in the rendered output (bad YAML, a value of the wrong type) carry a rendered line;
// they are given the template line that wrote the start of that line, or none, and their
// message keeps the rendered line number.
func remap(inv *inventory.Inventory, rd *rendering) {
	starts := lineStarts(rd.text)
	roots := renderedRoots(rd.text)
	for _, o := range inv.Objects {
		r := roots[o.Origin.Line]
		li := &inventory.LineIndex{}
		line := 0
		if r != nil {
			line, _ = rd.at(offset(rd.text, starts, r.Line, r.Column))
			if line > 0 {
				li.Add(inventory.RootHash, line)
			}
			mapNode(li, rd, starts, r, inventory.RootHash, true, 0)
		}
		li.Seal()
		o.Origin.Line = line
		o.Lines = li
	}
	for i, e := range inv.Errors {
		if e.Line <= 0 || e.Line > len(starts) {
			continue
		}
		off := starts[e.Line-1]
		for off < len(rd.text) && (rd.text[off] == ' ' || rd.text[off] == '\t') {
			off++
		}
		inv.Errors[i].Message = "rendered line " + strconv.Itoa(e.Line) + ": " + e.Message
		inv.Errors[i].Line, _ = rd.at(off)
	}
}

// renderedRoots parses the rendered text again to walk its field tree, keyed by the line of each
// object root (the line manifest.Parse records as Origin.Line): each document's, and each item's
// of a List, Lists in Lists included.
func renderedRoots(text string) map[int]*yamldoc.Node {
	docs, _ := yamldoc.Parse([]byte(text), yamldoc.Options{MaxDepth: 512, MaxAliasNodes: 1_000_000})
	roots := map[int]*yamldoc.Node{}
	var add func(n *yamldoc.Node, depth int)
	add = func(n *yamldoc.Node, depth int) {
		if n == nil || n.Kind != yamldoc.MappingNode || depth > 64 {
			return
		}
		roots[n.Line] = n
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "items" && v.Kind == yamldoc.SequenceNode {
				for _, it := range v.Content {
					add(it, depth+1)
				}
			}
		}
	}
	for _, d := range docs {
		add(d.Root, 0)
	}
	return roots
}

// mapNode adds the template line of every field under the rendered node r whose key (or, for a
// list item, whose first character) the template wrote as literal text.
func mapNode(li *inventory.LineIndex, rd *rendering, starts []int, r *yamldoc.Node, h inventory.PathHash, isRoot bool, depth int) {
	if depth > 512 {
		return
	}
	literal := func(n *yamldoc.Node) int {
		if l, lit := rd.at(offset(rd.text, starts, n.Line, n.Column)); lit {
			return l
		}
		return 0
	}
	switch r.Kind {
	case yamldoc.MappingNode:
		for i := 0; i+1 < len(r.Content); i += 2 {
			k, v := r.Content[i], r.Content[i+1]
			if k.Kind != yamldoc.ScalarNode || k.Value == "<<" {
				continue
			}
			kh := h.Field(k.Value, isRoot)
			if l := literal(k); l > 0 {
				li.Add(kh, l)
			}
			mapNode(li, rd, starts, v, kh, false, depth+1)
		}
	case yamldoc.SequenceNode:
		for i, item := range r.Content {
			ih := h.Index(i)
			if l := literal(item); l > 0 {
				li.Add(ih, l)
			}
			mapNode(li, rd, starts, item, ih, false, depth+1)
		}
	}
}
