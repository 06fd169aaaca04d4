package helm

import (
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// remap rewrites the positions of objects parsed from a template's rendered output (text) so
// that they name lines of the template (src), and maps the lines of input errors the same way.
//
// Helm's engine returns plain text per template and keeps no record of which template line
// wrote which output line, so kubeharden reconstructs it. Text outside {{ }} is copied to the
// output verbatim, and chart authors write YAML keys literally with the indentation they will
// have in the output; only values, whole blocks (toYaml, include) and control flow are actions.
// So each template is indexed as YAML whose actions are unknown text (indexTemplate): every
// literal "key:" line becomes a node of a key tree, by indentation, per "---" document. Each
// rendered object is then walked field by field alongside that tree:
//
//   - the template document is the one whose literal kind, apiVersion and metadata.name agree
//     with the object (an action counts as a wildcard, so "name: {{ .Release.Name }}-worker"
//     tells a worker Deployment from the web one); among equals, documents are taken in order;
//   - a rendered key maps to the same key written under the mapped parent; where an if/else
//     writes the key twice, the branch whose literal value matches the rendered value wins;
//   - a rendered list item maps to the template item whose literal scalars ("- name: app")
//     agree with it, else to the item at the same position, else to an item written inside a
//     {{ range }}.
//
// A field found this way reports the template line of its key, so `privileged: true` and
// `hostNetwork: {{ .Values.hostNetwork }}` are both found. A field the template does not write
// literally (produced by toYaml, include, tpl or a templated key) reports the nearest ancestor
// that is literal, for example the `securityContext:` line above `{{- toYaml ... | nindent }}`;
// an object with no literal document at all reports the first line of its template's document.
// The method cannot see through include: a field written by a named template in _helpers.tpl
// reports the line of the include call's parent key. It does not point into values.yaml.
// Keys written at an indentation other than the rendered one (inside an action's output) and
// flow-style YAML in templates are not indexed, and when if/else branches write the same
// literal text the first branch is reported.
//
// Errors in the rendered output (bad YAML, a value of the wrong type) carry a rendered line;
// they are given the template line whose literal text matches that line best, or none, and
// their message keeps the rendered line number.
func remap(inv *inventory.Inventory, text string, src []byte) {
	x := indexTemplate(string(src))
	roots := renderedRoots(text)
	used := map[*tdoc]bool{}
	for _, o := range inv.Objects {
		r := roots[o.Origin.Line]
		d := x.chooseDoc(o, used)
		line := 1
		if d != nil {
			line = d.line()
			used[d] = true
		}
		li := &inventory.LineIndex{}
		li.Add(inventory.RootHash, line)
		if d != nil && r != nil {
			mapNode(li, r, d.root, inventory.RootHash, true, 0)
		}
		li.Seal()
		o.Origin.Line = line
		o.Lines = li
	}
	lines := strings.Split(text, "\n")
	for i, e := range inv.Errors {
		if e.Line <= 0 || e.Line > len(lines) {
			continue
		}
		inv.Errors[i].Message = "rendered line " + strconv.Itoa(e.Line) + ": " + e.Message
		inv.Errors[i].Line = x.lineFor(lines[e.Line-1])
	}
}

// renderedRoots parses the rendered text again to walk its field tree, keyed by the line of each
// object root (the line manifest.Parse records as Origin.Line).
func renderedRoots(text string) map[int]*yamldoc.Node {
	docs, _ := yamldoc.Parse([]byte(text), yamldoc.Options{MaxDepth: 512, MaxAliasNodes: 1_000_000})
	roots := map[int]*yamldoc.Node{}
	for _, d := range docs {
		if d.Root == nil || d.Root.Kind != yamldoc.MappingNode {
			continue
		}
		roots[d.Root.Line] = d.Root
	}
	return roots
}

// chooseDoc picks the template document that best explains the rendered object o (see above).
// Among equals the first one not yet used wins, so documents are taken in order, each once,
// before any is reused (a {{ range }} that writes several objects from one document).
func (x *tindex) chooseDoc(o *inventory.Object, used map[*tdoc]bool) *tdoc {
	var best *tdoc
	bestScore := -1
	for _, d := range x.docs {
		s, ok := docScore(d, o)
		if !ok {
			continue
		}
		if s > bestScore || (s == bestScore && used[best] && !used[d]) {
			best, bestScore = d, s
		}
	}
	return best
}

func docScore(d *tdoc, o *inventory.Object) (int, bool) {
	score := 0
	for _, f := range []struct{ key, val string }{{"kind", o.Kind}, {"apiVersion", o.APIVersion}} {
		s, ok := fieldScore(d.root.fields[f.key], f.val)
		if !ok {
			return 0, false
		}
		score += s
	}
	var names []*tnode
	for _, md := range d.root.fields["metadata"] {
		names = append(names, md.fields["name"]...)
	}
	s, ok := fieldScore(names, o.Name)
	if !ok {
		return 0, false
	}
	return score + s, true
}

// fieldScore tells how well rendered value v agrees with the template's candidate lines for one
// key: not at all when every candidate's literal value contradicts it, else by the number of
// literal characters that agree. No candidate means the template does not say.
func fieldScore(cands []*tnode, v string) (int, bool) {
	if len(cands) == 0 {
		return 0, true
	}
	best := -1
	for _, c := range cands {
		if !c.value.valid() {
			best = max(best, 0)
			continue
		}
		if c.value.match(v) {
			best = max(best, c.value.lit+1)
		}
	}
	return best, best >= 0
}

// mapNode adds the template line of every field under the rendered node r that the template node
// t writes literally.
func mapNode(li *inventory.LineIndex, r *yamldoc.Node, t *tnode, h inventory.PathHash, isRoot bool, depth int) {
	if depth > 512 {
		return
	}
	switch r.Kind {
	case yamldoc.MappingNode:
		if t.fields == nil {
			return
		}
		for i := 0; i+1 < len(r.Content); i += 2 {
			k, v := r.Content[i], r.Content[i+1]
			if k.Kind != yamldoc.ScalarNode || k.Value == "<<" {
				continue
			}
			c := pickField(t.fields[k.Value], v)
			if c == nil {
				continue
			}
			kh := h.Field(k.Value, isRoot)
			li.Add(kh, c.line)
			mapNode(li, v, c, kh, false, depth+1)
		}
	case yamldoc.SequenceNode:
		for i, item := range r.Content {
			c := pickItem(t.items, i, item)
			if c == nil {
				continue
			}
			ih := h.Index(i)
			li.Add(ih, c.line)
			mapNode(li, item, c, ih, false, depth+1)
		}
	}
}

// pickField chooses among the lines that write one key (several when if/else branches each write
// it): the one whose literal text agrees best with the rendered value and what is under it.
func pickField(cands []*tnode, v *yamldoc.Node) *tnode {
	if len(cands) == 1 {
		return cands[0]
	}
	var best *tnode
	bestScore := -1
	for _, c := range cands {
		if s, ok := agree(c, v, 0); ok && s > bestScore {
			best, bestScore = c, s
		}
	}
	if best == nil && len(cands) > 0 {
		return cands[0]
	}
	return best
}

// pickItem chooses the template item for rendered item i.
func pickItem(items []*tnode, i int, r *yamldoc.Node) *tnode {
	if len(items) == 0 {
		return nil
	}
	ok := make([]bool, len(items))
	best, bestScore := -1, 0
	for j, ti := range items {
		s, fits := agree(ti, r, 0)
		ok[j] = fits
		if fits && (s > bestScore || (s == bestScore && s > 0 && j == i)) {
			best, bestScore = j, s
		}
	}
	if best >= 0 {
		return items[best]
	}
	if i < len(items) && ok[i] {
		return items[i]
	}
	for j := len(items) - 1; j >= 0; j-- {
		if ok[j] && items[j].ranged {
			return items[j]
		}
	}
	return nil
}

// agreeDepth bounds how far below a candidate agree looks; the keys that tell branches and list
// items apart (name, a literal flag) sit near the top.
const agreeDepth = 4

// agree compares what a template node writes literally with the rendered node: a literal scalar
// that differs rules the candidate out; literal characters that agree score.
func agree(t *tnode, r *yamldoc.Node, depth int) (int, bool) {
	switch r.Kind {
	case yamldoc.ScalarNode:
		if t.fields != nil || t.items != nil {
			return 0, false
		}
		if t.value.valid() {
			if !t.value.match(r.Value) {
				return 0, false
			}
			return t.value.lit, true
		}
		return 0, true
	case yamldoc.MappingNode:
		if t.fields == nil {
			if t.items != nil {
				return 0, false
			}
			// A flow mapping or an action may write it; a literal plain scalar cannot.
			return 0, !t.value.valid() || t.value.parts[0] == "" || strings.HasPrefix(t.value.parts[0], "{")
		}
		if depth >= agreeDepth {
			return 0, true
		}
		score := 0
		for i := 0; i+1 < len(r.Content); i += 2 {
			k := r.Content[i]
			if k.Kind != yamldoc.ScalarNode {
				continue
			}
			cands := t.fields[k.Value]
			if len(cands) == 0 {
				continue
			}
			best := -1
			for _, c := range cands {
				if s, ok := agree(c, r.Content[i+1], depth+1); ok {
					best = max(best, s)
				}
			}
			if best < 0 {
				return 0, false
			}
			score += best
		}
		return score, true
	case yamldoc.SequenceNode:
		if t.fields != nil {
			return 0, false
		}
		return 0, true
	}
	return 0, true
}

// lineFor maps one rendered line to the template line whose literal text matches it best, or 0.
func (x *tindex) lineFor(rendered string) int {
	s := strings.TrimSpace(rendered)
	best, bestLit := 0, 0
	for _, l := range x.lines {
		if l.g.lit > bestLit && l.g.match(s) {
			best, bestLit = l.num, l.g.lit
		}
	}
	return best
}

func get(n *yamldoc.Node, key string) *yamldoc.Node {
	if n == nil || n.Kind != yamldoc.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yamldoc.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
