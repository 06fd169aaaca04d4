package kustomize

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// patch is one strategic-merge or JSON 6902 patch of a kustomization, as the fields it sets.
type patch struct {
	file   string          // the patch file, or the kustomization holding an inline patch
	target *types.Selector // nil: a strategic-merge patch names its target itself
	kind   string          // a strategic-merge patch's own kind, name and namespace
	name   string
	ns     string
	sets   []setting
	// appends counts the items this patch appends to each list (JSON 6902 "add" at ".../-"),
	// by the list's JSON pointer: a patch applied after another moves the other's appended
	// items back from the end of the list by that many.
	appends map[string]int
}

// setting is one scalar a patch writes, at a path resolved against the built object.
type setting struct {
	path  []step
	value string
	line  int
	// appendList is the JSON pointer of the list an append writes into, and appendAt the
	// index in path of the appended item's step; "" when the setting is not in an append.
	appendList string
	appendAt   int
}

// step is one step of a patch path: a key, a list index (negative: counted from the end, as
// appends are placed, -1 the last), or the list item whose
// name is itemName (strategic merge identifies containers, volumes, env vars... by name).
type step struct {
	key      string
	index    int
	itemName string
	isIndex  bool
	isNamed  bool
}

var parseOpts = yamldoc.Options{MaxDepth: 512, MaxAliasNodes: 1_000_000}

// readPatches collects the patches a kustomization declares, in all three spellings.
func (t *tree) readPatches(dir, kf string, k *types.Kustomization, kroot *yamldoc.Node) {
	// inline finds the node of an inline patch in the kustomization, for its lines.
	inline := func(field string, i int, key string) *yamldoc.Node {
		n := get(kroot, field)
		if n == nil || n.Kind != yamldoc.SequenceNode || i >= len(n.Content) {
			return nil
		}
		if key == "" {
			return n.Content[i]
		}
		return get(n.Content[i], key)
	}
	add := func(field string, i int, p types.Patch) {
		if p.Path != "" {
			file := filepath.Join(dir, filepath.FromSlash(p.Path))
			if data, err := os.ReadFile(file); err == nil {
				t.patches = append(t.patches, parsePatch(data, file, 0, false, p.Target)...)
			}
			return
		}
		if p.Patch == "" {
			return
		}
		offset, flat := 0, true
		if n := inline(field, i, "patch"); n != nil {
			offset = n.Line
			flat = n.Style != yamldoc.LiteralStyle
		}
		t.patches = append(t.patches, parsePatch([]byte(p.Patch), kf, offset, flat, p.Target)...)
	}
	// In the order kustomize applies them (strategic-merge patches, then patches, then JSON
	// 6902 patches, each in the order listed), reversed below: where two patches of one
	// kustomization write the same field, the one applied last is the one to name.
	start := len(t.patches)
	for i, e := range k.PatchesStrategicMerge {
		s := string(e)
		file := filepath.Join(dir, filepath.FromSlash(s))
		if st, err := os.Stat(file); err == nil && !st.IsDir() && !strings.Contains(s, "\n") {
			if data, err := os.ReadFile(file); err == nil {
				t.patches = append(t.patches, parsePatch(data, file, 0, false, nil)...)
			}
			continue
		}
		offset, flat := 0, true
		if n := inline("patchesStrategicMerge", i, ""); n != nil {
			offset = n.Line
			flat = n.Style != yamldoc.LiteralStyle
		}
		t.patches = append(t.patches, parsePatch([]byte(s), kf, offset, flat, nil)...)
	}
	for i, p := range k.Patches {
		add("patches", i, p)
	}
	for i, p := range k.PatchesJson6902 {
		add("patchesJson6902", i, p)
	}
	slices.Reverse(t.patches[start:])
}

// parsePatch reads a patch's text. Lines are offset by the line an inline patch starts at in
// its kustomization; flat says the inline text is not a literal block, so that every setting
// gets the offset line itself.
func parsePatch(data []byte, file string, offset int, flat bool, target *types.Selector) []*patch {
	docs, _ := yamldoc.Parse(data, parseOpts)
	line := func(n *yamldoc.Node) int {
		if flat && offset > 0 {
			return offset
		}
		return n.Line + offset
	}
	var out []*patch
	for _, d := range docs {
		r := d.Root
		if r == nil {
			continue
		}
		p := &patch{file: file, target: target}
		switch r.Kind {
		case yamldoc.SequenceNode: // JSON 6902 operations
			// An add at ".../-" appends: the k-th of the n appends to one list in the patch
			// ends up n-k items from the end of the built list.
			appends := map[string]int{}
			for _, op := range r.Content {
				if path := scalar(get(op, "path")); scalar(get(op, "op")) == "add" && strings.HasSuffix(path, "/-") {
					appends[path]++
				}
			}
			for _, op := range r.Content {
				kind := scalar(get(op, "op"))
				v := get(op, "value")
				if (kind != "add" && kind != "replace") || v == nil {
					continue
				}
				path := scalar(get(op, "path"))
				steps := pointer(path)
				first, list := len(p.sets), ""
				if n := appends[path]; kind == "add" && n > 0 && len(steps) > 0 {
					steps[len(steps)-1].index = -n
					appends[path]--
					list = strings.TrimSuffix(path, "/-")
					if p.appends == nil {
						p.appends = map[string]int{}
					}
					p.appends[list]++
				}
				leaves(v, steps, line, &p.sets)
				if list != "" {
					for i := first; i < len(p.sets); i++ {
						p.sets[i].appendList, p.sets[i].appendAt = list, len(steps)-1
					}
				}
			}
		case yamldoc.MappingNode: // strategic merge
			p.kind = scalar(get(r, "kind"))
			p.name = scalar(get(get(r, "metadata"), "name"))
			p.ns = scalar(get(get(r, "metadata"), "namespace"))
			for i := 0; i+1 < len(r.Content); i += 2 {
				key := r.Content[i].Value
				if key == "apiVersion" || key == "kind" {
					continue
				}
				v := r.Content[i+1]
				if key == "metadata" && v.Kind == yamldoc.MappingNode {
					for j := 0; j+1 < len(v.Content); j += 2 {
						if mk := v.Content[j].Value; mk != "name" && mk != "namespace" {
							leaves(v.Content[j+1], []step{{key: key}, {key: mk}}, line, &p.sets)
						}
					}
					continue
				}
				leaves(v, []step{{key: key}}, line, &p.sets)
			}
		}
		if len(p.sets) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// leaves records every scalar under n.
func leaves(n *yamldoc.Node, path []step, line func(*yamldoc.Node) int, out *[]setting) {
	if len(path) > 256 {
		return
	}
	switch n.Kind {
	case yamldoc.ScalarNode:
		*out = append(*out, setting{path: path, value: n.Value, line: line(n)})
	case yamldoc.MappingNode:
		named := len(path) > 0 && path[len(path)-1].isNamed
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if strings.HasPrefix(k, "$") || (named && k == "name") {
				continue // patch directives; the merge key only says which item
			}
			leaves(n.Content[i+1], append(path[:len(path):len(path)], step{key: k}), line, out)
		}
	case yamldoc.SequenceNode:
		for i, item := range n.Content {
			s := step{index: i, isIndex: true}
			if name := scalar(get(item, "name")); name != "" {
				s = step{itemName: name, isNamed: true}
			}
			leaves(item, append(path[:len(path):len(path)], s), line, out)
		}
	}
}

// pointer parses a JSON pointer (RFC 6901) into steps.
func pointer(p string) []step {
	if p == "" || p == "/" {
		return nil
	}
	var out []step
	for _, s := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		if s == "-" {
			out = append(out, step{key: s, index: -1, isIndex: true})
		} else if i, err := strconv.Atoi(s); err == nil && i >= 0 {
			out = append(out, step{key: s, index: i, isIndex: true})
		} else {
			out = append(out, step{key: s})
		}
	}
	return out
}

// resolve walks path in the built object and returns the field path as findings spell it.
func resolve(n *yamldoc.Node, path []step) (string, *yamldoc.Node) {
	p := ""
	for _, s := range path {
		if n == nil {
			return "", nil
		}
		switch {
		case n.Kind == yamldoc.MappingNode:
			key := s.key
			if s.isNamed {
				return "", nil
			}
			n = get(n, key)
			p = inventory.Field(p, key)
		case n.Kind == yamldoc.SequenceNode && s.isNamed:
			i := -1
			for j, item := range n.Content {
				if scalar(get(item, "name")) == s.itemName {
					i = j
					break
				}
			}
			if i < 0 {
				return "", nil
			}
			n, p = n.Content[i], inventory.Index(p, i)
		case n.Kind == yamldoc.SequenceNode && s.isIndex:
			i := s.index
			if i < 0 {
				i += len(n.Content)
			}
			if i < 0 || i >= len(n.Content) {
				return "", nil
			}
			n, p = n.Content[i], inventory.Index(p, i)
		default:
			return "", nil
		}
	}
	return p, n
}

// applies tells whether the patch targets o (built from the resource named srcName).
func (p *patch) applies(o *inventory.Object, srcName, srcNamespace string) bool {
	if p.target == nil {
		// A strategic-merge patch names its target, namespace included when it gives one.
		return p.kind == o.Kind && p.name != "" && (p.name == o.Name || p.name == srcName) &&
			(p.ns == "" || sameNamespace(p.ns, o.Namespace) || sameNamespace(p.ns, srcNamespace))
	}
	sel, err := types.NewSelectorRegex(p.target)
	if err != nil {
		return false
	}
	group, version := resid.ParseGroupVersion(o.APIVersion)
	if !sel.MatchGvk(resid.NewGvk(group, version, o.Kind)) ||
		!(sel.MatchName(o.Name) || sel.MatchName(srcName)) ||
		!(sel.MatchNamespace(o.Namespace) || sel.MatchNamespace(srcNamespace)) {
		return false
	}
	var lbls, annos map[string]string
	if o.Meta != nil {
		lbls, annos = o.Meta.Labels, o.Meta.Annotations
	}
	for _, s := range []struct {
		expr string
		set  map[string]string
	}{{p.target.LabelSelector, lbls}, {p.target.AnnotationSelector, annos}} {
		if s.expr == "" {
			continue
		}
		sel, err := labels.Parse(s.expr)
		if err != nil || !sel.Matches(labels.Set(s.set)) {
			return false
		}
	}
	return true
}

// patched lists the fields of a built object that a patch set, with the patch's file and line.
// The outermost kustomization's patch wins when several set the same field to the same value,
// since kustomize applies it last.
func (t *tree) patched(o *inventory.Object, src *inventory.Object, root *yamldoc.Node) []inventory.PatchedField {
	if len(t.patches) == 0 || root == nil {
		return nil
	}
	srcName, srcNS := o.Name, o.Namespace
	if src != nil {
		srcName, srcNS = src.Name, src.Namespace
	}
	var fields []inventory.PatchedField
	done := map[string]bool{}
	// t.patches runs from the patch applied last to the first: later counts the items the
	// patches applied after the current one appended to each list, which stand after its own.
	later := map[string]int{}
	for _, p := range t.patches {
		if !p.applies(o, srcName, srcNS) {
			continue
		}
		for _, s := range p.sets {
			steps := s.path
			if n := later[s.appendList]; s.appendList != "" && n > 0 {
				steps = slices.Clone(steps)
				steps[s.appendAt].index -= n
			}
			path, n := resolve(root, steps)
			if n == nil || n.Kind != yamldoc.ScalarNode || n.Value != s.value || done[path] {
				continue
			}
			done[path] = true
			fields = append(fields, inventory.PatchedField{Path: path, File: p.file, Line: s.line})
		}
		for list, n := range p.appends {
			later[list] += n
		}
	}
	// In the order the patches are written, whichever was applied last.
	slices.SortStableFunc(fields, func(a, b inventory.PatchedField) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return fields
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

func scalar(n *yamldoc.Node) string {
	if n == nil || n.Kind != yamldoc.ScalarNode {
		return ""
	}
	return n.Value
}

// sameNamespace compares namespaces as kustomize's resource IDs do: none is "default".
func sameNamespace(a, b string) bool {
	if a == "" {
		a = "default"
	}
	if b == "" {
		b = "default"
	}
	return a == b
}
