package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// tree is what kubeharden reads of a kustomization and everything it includes before asking
// kustomize to build it: enough to refuse builds that would use the network, and the patches,
// to tell which fields they set.
type tree struct {
	errors  []inventory.InputError
	patches []*patch // outermost kustomization first
	seen    map[string]bool
	// kustomizations are the kustomization files read, outermost first, with their parsed
	// text (nil for one that does not read).
	kustomizations []kustomizationFile
}

func readTree(dir string) *tree {
	t := &tree{seen: map[string]bool{}}
	t.read(dir)
	return t
}

// read reads the kustomization in dir and, depth first, the kustomizations it includes.
func (t *tree) read(dir string) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		if t.seen[abs] {
			return
		}
		t.seen[abs] = true
	}
	kf := File(dir)
	if kf == "" {
		// kustomize says what is wrong with a folder that is not a kustomization.
		return
	}
	t.kustomizations = append(t.kustomizations, kustomizationFile{path: kf})
	k, data, err := readKustomization(kf)
	if err != nil {
		line := syntaxErrorLine(kf)
		if line == 0 {
			line = yamlErrorLine(err.Error())
		}
		t.fail(kf, line, err.Error())
		return
	}
	fail := func(format string, args ...any) { t.fail(kf, 0, fmt.Sprintf(format, args...)) }
	if len(k.HelmCharts) > 0 || k.HelmGlobals != nil {
		fail("helmCharts need `kustomize build --enable-helm` and the helm binary, which kubeharden does not run; scan the chart folder itself (with --values) instead")
	}
	var dirs, components []string
	check := func(field, entry string, mayBeDir bool) {
		p := filepath.Join(dir, filepath.FromSlash(entry))
		st, err := os.Stat(p)
		switch {
		case err == nil && st.IsDir() && mayBeDir && field == "component":
			components = append(components, p)
		case err == nil && st.IsDir() && mayBeDir:
			dirs = append(dirs, p)
		case err == nil:
		case isRemote(entry):
			fail("%s %q is remote: kubeharden does not fetch remote bases or resources (no network access); build it with `kustomize build %s | kubeharden scan -`", field, entry, dir)
		default:
			fail("%s %q: no such file or folder", field, entry)
		}
	}
	for _, r := range k.Resources {
		check("resource", r, true)
	}
	for _, c := range k.Components {
		check("component", c, true)
	}
	for _, group := range []struct {
		field   string
		entries []string
	}{{"crds", k.Crds}, {"configurations", k.Configurations}, {"generators", k.Generators}, {"transformers", k.Transformers}, {"validators", k.Validators}} {
		for _, e := range group.entries {
			if strings.Contains(e, "\n") || strings.Contains(e, ": ") {
				continue // an inline configuration
			}
			check(group.field, e, true)
		}
	}
	// t.patches runs from the patch kustomize applies last to the first: this kustomization's
	// own, then its components' (applied in the order listed, after the resources are built),
	// the last listed first, then its resources', which are built before anything else.
	var root *yamldoc.Node
	if docs, _ := yamldoc.Parse(data, parseOpts); len(docs) > 0 {
		root = docs[0].Root
	}
	t.kustomizations[len(t.kustomizations)-1].root = root
	t.readPatches(dir, kf, k, root)
	for i := len(components) - 1; i >= 0; i-- {
		t.read(components[i])
	}
	for _, d := range dirs {
		t.read(d)
	}
}

func (t *tree) fail(file string, line int, msg string) {
	t.errors = append(t.errors, inventory.InputError{File: file, Line: line, Message: msg + " (nothing in this kustomization is assessed)"})
}

func readKustomization(kf string) (*types.Kustomization, []byte, error) {
	data, err := os.ReadFile(kf)
	if err != nil {
		return nil, nil, err
	}
	k := &types.Kustomization{}
	if err := k.Unmarshal(data); err != nil {
		return nil, nil, err
	}
	k.FixKustomization()
	return k, data, nil
}

// isRemote tells a remote base or resource from a local path that does not exist, the way
// kustomize's loader would try it: URLs, scp-like git addresses, and host names.
func isRemote(entry string) bool {
	if strings.Contains(entry, "://") || strings.HasPrefix(entry, "git@") || strings.Contains(entry, "?ref=") ||
		strings.Contains(entry, "?version=") || strings.Contains(entry, "?submodules=") || strings.Contains(entry, "?timeout=") {
		return true
	}
	first, _, found := strings.Cut(entry, "/")
	return found && strings.Contains(first, ".") && first != "." && first != ".."
}

// inspect reads the kustomization in dir for what selectExcept needs: the folders it includes, and
// whether it is a Component (which only means something inside another kustomization).
func inspect(dir string) (refs []string, component bool) {
	kf := File(dir)
	if kf == "" {
		return nil, false
	}
	k, _, err := readKustomization(kf)
	if err != nil {
		return nil, false
	}
	for _, e := range append(append([]string(nil), k.Resources...), k.Components...) {
		p := filepath.Join(dir, filepath.FromSlash(e))
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			if abs, err := filepath.Abs(p); err == nil {
				refs = append(refs, abs)
			}
		}
	}
	return refs, k.Kind == types.ComponentKind
}

// foundDir is a kustomization folder with what selectExcept needs of its kustomization, read
// once.
type foundDir struct {
	dir, abs  string
	refs      []string
	component bool
}

func inspectAll(dirs []string) []foundDir {
	found := make([]foundDir, len(dirs))
	for i, d := range dirs {
		refs, comp := inspect(d)
		found[i] = foundDir{dir: d, abs: absPath(d), refs: refs, component: comp}
	}
	return found
}

// selectExcept returns the kustomization folders found to build. A base that an overlay
// includes is built as part of the overlay, so when both were found while walking a folder, only
// the overlay is built; a scan of a folder with one base and two overlays reports the base's
// objects once per overlay (each is a different deployment of them) and never on their own.
// Components found while walking are not built on their own either: kustomize cannot build one
// alone. Folders the user named (explicit) are always built. Folders are compared by absolute
// path, so each is built once. The kustomizations in failed (absolute paths) cover nothing: they
// did not build, so what they include is not assessed through them.
func selectExcept(found []foundDir, explicit func(dir string) bool, failed map[string]bool) []foundDir {
	referenced := map[string]bool{}
	for _, f := range found {
		if !failed[f.abs] {
			for _, r := range f.refs {
				referenced[r] = true
			}
		}
	}
	seen := map[string]bool{}
	var out []foundDir
	for _, f := range found {
		named := explicit != nil && explicit(f.dir)
		if seen[f.abs] || (!named && (referenced[f.abs] || f.component)) {
			continue
		}
		seen[f.abs] = true
		out = append(out, f)
	}
	return out
}

// BuildSelected builds the kustomizations selectExcept chooses from dirs. When one fails to build,
// the kustomizations found in dirs that it would have covered are built on their own in its
// place (and, if one of those fails, what it covers in turn), so that one broken overlay does
// not take its valid bases out of the scan without a word: the overlay's error stands, and the
// bases' objects are assessed as the bases define them.
func BuildSelected(dirs []string, explicit func(dir string) bool, opts Options) *inventory.Inventory {
	inv := &inventory.Inventory{}
	found := inspectAll(dirs)
	failed := map[string]bool{}
	built := map[string]bool{}
	for {
		var round []foundDir
		for _, f := range selectExcept(found, explicit, failed) {
			if !built[f.abs] {
				built[f.abs] = true
				round = append(round, f)
			}
		}
		if len(round) == 0 {
			return inv
		}
		for _, f := range round {
			b := Build(f.dir, opts)
			if len(b.Objects) == 0 && len(b.Errors) > 0 {
				failed[f.abs] = true
			}
			inv.Merge(b)
		}
	}
}

// absPath is p made absolute, or p when that fails.
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// kustomizationFile is a kustomization file of the tree and its parsed text.
type kustomizationFile struct {
	path string
	root *yamldoc.Node
}

// kustomization returns the tree's record of kustomization file kf, whatever the spelling of
// its path; one of its own, read now, if kf is not in the tree.
func (t *tree) kustomization(kf string) *kustomizationFile {
	for i := range t.kustomizations {
		if sameFile(t.kustomizations[i].path, kf) {
			return &t.kustomizations[i]
		}
	}
	k := &kustomizationFile{path: kf}
	if data, err := os.ReadFile(kf); err == nil {
		if docs, _ := yamldoc.Parse(data, parseOpts); len(docs) > 0 {
			k.root = docs[0].Root
		}
	}
	return k
}
