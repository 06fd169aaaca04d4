package kustomize

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/resource"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// Where the keys of a generated ConfigMap or Secret are written: a generator entry's literals
// and files in its kustomization, the lines of its env files, and, for an overlay's entry of the
// same name with behavior merge or replace, that overlay's. A finding on a key points there. The
// kustomizations are the ones the tree parsed already (tree.kustomizations).

// keyPlace is where one key of a generated object is written.
type keyPlace struct {
	key, file string
	line      int
}

// generatorEntry finds, in the parsed kustomization root, the configMapGenerator or
// secretGenerator entry that generated res: the one whose name the built name holds (kustomize
// adds prefixes, suffixes and a hash), the longest such.
func generatorEntry(root *yamldoc.Node, res *resource.Resource) *yamldoc.Node {
	field := "configMapGenerator"
	if res.GetKind() == "Secret" {
		field = "secretGenerator"
	}
	gens := get(root, field)
	if gens == nil || gens.Kind != yamldoc.SequenceNode {
		return nil
	}
	built := res.GetName()
	var entry *yamldoc.Node
	for _, g := range gens.Content {
		if name := scalar(get(g, "name")); name != "" && strings.Contains(built, name) && (entry == nil || len(name) > len(scalar(get(entry, "name")))) {
			entry = g
		}
	}
	return entry
}

// entryKeys lists where an entry of kustomization kf writes each of its keys.
func entryKeys(kf string, entry *yamldoc.Node) []keyPlace {
	var out []keyPlace
	if lits := get(entry, "literals"); lits != nil && lits.Kind == yamldoc.SequenceNode {
		for _, l := range lits.Content {
			if key, _, ok := strings.Cut(scalar(l), "="); ok && key != "" {
				out = append(out, keyPlace{key, kf, l.Line})
			}
		}
	}
	if files := get(entry, "files"); files != nil && files.Kind == yamldoc.SequenceNode {
		for _, f := range files.Content {
			src := scalar(f)
			key, path, ok := strings.Cut(src, "=")
			if !ok {
				key = filepath.Base(filepath.FromSlash(src))
			} else if path == "" {
				continue
			}
			out = append(out, keyPlace{key, kf, f.Line})
		}
	}
	if envs := get(entry, "envs"); envs != nil && envs.Kind == yamldoc.SequenceNode {
		for _, e := range envs.Content {
			out = append(out, envKeys(filepath.Join(filepath.Dir(kf), filepath.FromSlash(scalar(e))))...)
		}
	}
	if env := scalar(get(entry, "env")); env != "" { // the deprecated single env file
		out = append(out, envKeys(filepath.Join(filepath.Dir(kf), filepath.FromSlash(env)))...)
	}
	return out
}

// envKeys lists the keys of an env file ("KEY=value" lines; comments and blank lines skipped,
// as kustomize reads them) with their lines.
func envKeys(file string) []keyPlace {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []keyPlace
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimLeft(sc.Text(), " \t")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		key, _, _ := strings.Cut(line, "=")
		out = append(out, keyPlace{key, file, n})
	}
	return out
}

// generated places the keys of res, which the generator entry of kustomization kf made: it
// returns the line of the entry's name, the lines in kf of the keys written there (literals and
// files), and, placed as a patch's fields are, the keys written elsewhere: in the entry's env
// files, and in the entries of the same name that other kustomizations of the build merge into
// it or replace it with (an outer kustomization's keys win).
func (t *tree) generated(kf string, res *resource.Resource) (int, *inventory.LineIndex, []inventory.PatchedField) {
	own := t.kustomization(kf)
	entry := generatorEntry(own.root, res)
	if entry == nil {
		return 0, nil, nil
	}
	places := map[string]keyPlace{}
	var order []string
	set := func(k keyPlace) {
		if _, ok := places[k.key]; !ok {
			order = append(order, k.key)
		}
		places[k.key] = k
	}
	for _, k := range entryKeys(kf, entry) {
		set(k)
	}
	for i := len(t.kustomizations) - 1; i >= 0; i-- {
		other := &t.kustomizations[i]
		if other == own {
			continue
		}
		e := generatorEntry(other.root, res)
		if b := scalar(get(e, "behavior")); e == nil || b != "merge" && b != "replace" {
			continue
		}
		for _, k := range entryKeys(other.path, e) {
			set(k)
		}
	}
	li := &inventory.LineIndex{}
	var elsewhere []inventory.PatchedField
	for _, key := range order {
		if k := places[key]; k.file == kf {
			li.Add(inventory.RootHash.Field("data", true).Field(key, false), k.line)
		} else {
			elsewhere = append(elsewhere, inventory.PatchedField{Path: inventory.Field("data", key), File: k.file, Line: k.line})
		}
	}
	li.Seal()
	return get(entry, "name").Line, li, elsewhere
}

// sameFile says whether two paths name one file.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
