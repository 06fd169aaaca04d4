// Package kustomize builds kustomizations with the kustomize API (krusty, as `kustomize build`
// with default options: no plugins, load restrictions to the kustomization's folder) and reads
// the result into an inventory whose objects name the file that defined each resource.
//
// Positions. The build asks kustomize to record each resource's origin (the
// config.kubernetes.io/origin annotation, as `buildMetadata: [originAnnotations]` would; the
// user's files are not changed and the annotation is removed again). An object then names its
// resource file, with the line of every field as that file has it, so a finding on a base
// Deployment points into base/deployment.yaml even when an overlay renamed it. Generated
// objects (configMapGenerator, secretGenerator) name the kustomization that generates them, at
// the generator's entry, and their keys where each is written (generators.go). A field that a patch set (strategic merge or JSON 6902, in an overlay or
// a component) is placed in the patch instead: the object's Patched fields name the patch file
// and line, which findings on that field report, and its Origin.Detail lists them
// ("spec.template.spec.hostNetwork from overlays/prod/host.yaml:8"). A field counts as patched
// when a patch that targets the object writes that field with the value the build produced;
// later transformers (replacements, images) are not attributed, and a field absent from both
// the resource file and the patches reports its nearest ancestor in the resource file.
//
// No network. Remote bases and resources (git repositories, URLs) are not fetched: the build is
// refused with an input error saying so, since building the rest would hide whatever the remote
// part changes. So are helmCharts, which need the helm binary; kubeharden renders charts
// itself.
package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// Options configure a build.
type Options struct {
	// DefaultNamespace is where objects land that neither their file nor the kustomization's
	// namespace field place anywhere; "" means "default".
	DefaultNamespace string
}

// File returns the kustomization file in dir, or "" when dir holds none.
func File(dir string) string {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// HasKustomization reports whether a folder holds a kustomization file, given a function telling
// whether it has an entry of a name (the manifest walker's listing).
func HasKustomization(has func(name string) bool) bool {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if has(name) {
			return true
		}
	}
	return false
}

// IsKustomization reports whether dir holds a kustomization file.
func IsKustomization(dir string) bool { return File(dir) != "" }

// Build runs `kustomize build dir` and reads the objects. Problems become inventory errors; Build
// itself never fails. Builds must not run concurrently: kustomize keeps the OpenAPI schema it
// merges with in a package variable.
func Build(dir string, opts Options) *inventory.Inventory {
	inv := &inventory.Inventory{}
	kf := File(dir)
	if kf == "" {
		inv.Errors = append(inv.Errors, inventory.InputError{File: dir, Message: "no kustomization.yaml, kustomization.yml or Kustomization file"})
		return inv
	}
	tree := readTree(dir)
	if len(tree.errors) > 0 {
		inv.Errors = append(inv.Errors, tree.errors...)
		return inv
	}
	fsys, err := newOriginFS(kf)
	if err != nil {
		inv.Errors = append(inv.Errors, inventory.InputError{File: kf, Message: redact.Message(err.Error())})
		return inv
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		what := "kustomize build"
		file, line := buildErrorPlace(dir, err.Error())
		if file == "" {
			file = kf
		} else {
			what += " of " + dir // the error is placed in one of its resources
		}
		inv.Errors = append(inv.Errors, inventory.InputError{File: file, Line: line, Message: what + ": " + redactBuildError(err.Error()) + " (nothing in this kustomization is assessed)"})
		return inv
	}
	detail := "kustomize build " + dir
	mopts := manifest.Options{DefaultNamespace: opts.DefaultNamespace}
	src := &sources{files: map[string]*sourceFile{}}
	for _, res := range m.Resources() {
		origin, _ := res.GetOrigin()
		if fsys.injected {
			if err := res.SetOrigin(nil); err != nil {
				inv.Errors = append(inv.Errors, inventory.InputError{File: kf, Message: redact.Message(err.Error())})
			}
		}
		data, err := res.AsYAML()
		if err != nil {
			inv.Errors = append(inv.Errors, inventory.InputError{File: kf, Message: fmt.Sprintf("%s %s: %s", res.GetKind(), res.GetName(), redact.Message(err.Error()))})
			continue
		}
		file, srcObj, srcNode, line := src.locate(dir, kf, origin, res)
		var genLines *inventory.LineIndex
		var genElsewhere []inventory.PatchedField
		if origin != nil && origin.ConfiguredIn != "" {
			line, genLines, genElsewhere = tree.generated(file, res)
		}
		built := manifest.Parse(file, data, detail, mopts)
		var builtRoot *yamldoc.Node
		if docs, _ := yamldoc.Parse(data, parseOpts); len(docs) > 0 {
			builtRoot = docs[0].Root
		}
		// Objects that did not decode are placed like the others, and so are their errors.
		objs := append(slices.Clip(built.Objects), built.Unreadable...)
		for _, o := range objs {
			o.Origin.Line = line
			o.Lines = genLines
			if srcObj != nil {
				o.Origin.Doc = srcObj.Origin.Doc
				if builtRoot != nil && srcNode != nil {
					o.Lines = alignLines(builtRoot, srcNode)
				}
			}
			fields := tree.patched(o, srcObj, builtRoot)
			// A generated object's keys written elsewhere; a patch applied after the generator
			// wins.
			for _, g := range genElsewhere {
				if !slices.ContainsFunc(fields, func(f inventory.PatchedField) bool { return f.Path == g.Path }) {
					fields = append(fields, g)
				}
			}
			if len(fields) > 0 {
				o.Patched = &inventory.PatchedFields{Fields: fields}
				o.Origin.Detail += "; " + summarize(fields)
			}
		}
		// The loader's lines count in the built YAML, which nobody can open: an error is placed
		// where its field is written, in the resource file or the patch that set it, else at
		// the object's line in its own file.
		var paths map[int]string
		for i := range built.Errors {
			e := &built.Errors[i]
			e.Message = "built " + res.GetKind() + " " + res.GetName() + ": " + e.Message
			builtLine := e.Line
			e.Line = line
			if len(objs) != 1 || builtRoot == nil {
				continue
			}
			if paths == nil {
				paths = map[int]string{}
				pathsByLine(builtRoot, "", paths, 0)
			}
			if path, ok := paths[builtLine]; ok {
				e.File, e.Line = objs[0].Place(path)
			}
		}
		built.Stats.Files, built.Stats.Bytes = 0, 0
		inv.Merge(built)
	}
	inv.Stats.Files += len(src.files)
	inv.Stats.Bytes += src.bytes
	return inv
}

// pathsByLine records the path of each field and list item under n by the line it starts on
// (the first one on a line), as findings spell paths.
func pathsByLine(n *yamldoc.Node, path string, out map[int]string, depth int) {
	if depth > parseOpts.MaxDepth {
		return
	}
	switch n.Kind {
	case yamldoc.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := inventory.Field(path, k.Value)
			if _, ok := out[k.Line]; !ok {
				out[k.Line] = p
			}
			pathsByLine(n.Content[i+1], p, out, depth+1)
		}
	case yamldoc.SequenceNode:
		for i, item := range n.Content {
			p := inventory.Index(path, i)
			if _, ok := out[item.Line]; !ok {
				out[item.Line] = p
			}
			pathsByLine(item, p, out, depth+1)
		}
	}
}

// summarize lists patched fields for Origin.Detail, as "path from file:line", a few at most.
func summarize(fields []inventory.PatchedField) string {
	const most = 4
	notes := make([]string, 0, most)
	for _, f := range fields[:min(len(fields), most)] {
		notes = append(notes, f.Path+" from "+f.File+":"+strconv.Itoa(f.Line))
	}
	s := strings.Join(notes, ", ")
	if len(fields) > most {
		s += fmt.Sprintf(" and %d more patched fields", len(fields)-most)
	}
	return s
}

// sources parses the resource files the build read, once each, to find objects' lines.
type sources struct {
	files map[string]*sourceFile
	bytes int64
}

type sourceFile struct {
	inv   *inventory.Inventory
	roots map[int]*yamldoc.Node // object roots by line
}

// locate returns the file to name for a built resource, the object in that file it was built
// from and its parsed tree (nil for generated objects), and its line.
func (s *sources) locate(dir, kf string, origin *resource.Origin, res *resource.Resource) (string, *inventory.Object, *yamldoc.Node, int) {
	switch {
	case origin == nil:
		return kf, nil, nil, 0
	case origin.ConfiguredIn != "":
		// A generated object: Build places it and its keys (tree.generated).
		return filepath.Join(dir, filepath.FromSlash(origin.ConfiguredIn)), nil, nil, 0
	case origin.Path == "":
		return kf, nil, nil, 0
	}
	file := filepath.Join(dir, filepath.FromSlash(origin.Path))
	sf, ok := s.files[file]
	if !ok {
		if data, err := os.ReadFile(file); err == nil {
			sf = &sourceFile{inv: manifest.Parse(file, data, "", manifest.Options{}), roots: map[int]*yamldoc.Node{}}
			docs, _ := yamldoc.Parse(data, parseOpts)
			for _, d := range docs {
				if d.Root == nil {
					continue
				}
				sf.roots[d.Root.Line] = d.Root
				if items := get(d.Root, "items"); items != nil && items.Kind == yamldoc.SequenceNode {
					for _, it := range items.Content {
						sf.roots[it.Line] = it
					}
				}
			}
			s.bytes += int64(len(data))
		}
		s.files[file] = sf
	}
	if sf == nil {
		return file, nil, nil, 0
	}
	o := sourceObject(sf.inv.Objects, res.GetKind(), res.GetName(), res.GetNamespace())
	if o == nil {
		return file, nil, nil, 0
	}
	return file, o, sf.roots[o.Origin.Line], o.Origin.Line
}

// alignLines gives the built object the lines of its resource file: each field of the built
// object that the file has too gets the file's line. List items are paired by name where they
// have one (a patch may insert a container before the others), else by position; fields the
// file does not have (added by a patch or a transformer) get none, so they report the nearest
// ancestor the file has.
func alignLines(built, src *yamldoc.Node) *inventory.LineIndex {
	li := &inventory.LineIndex{}
	li.Add(inventory.RootHash, src.Line)
	align(li, built, src, inventory.RootHash, true, 0)
	li.Seal()
	return li
}

func align(li *inventory.LineIndex, b, s *yamldoc.Node, h inventory.PathHash, isRoot bool, depth int) {
	if depth > parseOpts.MaxDepth || b.Kind != s.Kind {
		return
	}
	switch b.Kind {
	case yamldoc.MappingNode:
		for i := 0; i+1 < len(b.Content); i += 2 {
			k := b.Content[i]
			if k.Kind != yamldoc.ScalarNode {
				continue
			}
			for j := 0; j+1 < len(s.Content); j += 2 {
				if sk := s.Content[j]; sk.Kind == yamldoc.ScalarNode && sk.Value == k.Value && sk.Value != "<<" {
					kh := h.Field(k.Value, isRoot)
					li.Add(kh, sk.Line)
					align(li, b.Content[i+1], s.Content[j+1], kh, false, depth+1)
					break
				}
			}
		}
	case yamldoc.SequenceNode:
		for i, item := range b.Content {
			var match *yamldoc.Node
			if name := scalar(get(item, "name")); name != "" {
				for _, si := range s.Content {
					if scalar(get(si, "name")) == name {
						match = si
						break
					}
				}
			} else if i < len(s.Content) && scalar(get(s.Content[i], "name")) == "" {
				match = s.Content[i]
			}
			if match == nil {
				continue
			}
			ih := h.Index(i)
			li.Add(ih, match.Line)
			align(li, item, match, ih, false, depth+1)
		}
	}
}

// sourceObject finds the object a built resource came from among the objects of its file: the
// only one of its kind, else the one whose name the built name contains (prefixes, suffixes and
// hashes only add to a name), the longest such, in the built object's namespace where several
// are alike.
func sourceObject(objs []*inventory.Object, kind, built, namespace string) *inventory.Object {
	var best *inventory.Object
	n := 0
	for _, o := range objs {
		if o.Kind != kind {
			continue
		}
		n++
		if !strings.Contains(built, o.Name) {
			continue
		}
		// Of objects of one name in several namespaces, the one the built object is in, unless
		// a namespace transformer moved them all.
		sameNS, bestSameNS := o.Namespace == namespace, best != nil && best.Namespace == namespace
		if best == nil || len(o.Name) > len(best.Name) || len(o.Name) == len(best.Name) && sameNS && !bestSameNS {
			best = o
		}
	}
	if best == nil && n == 1 {
		for _, o := range objs {
			if o.Kind == kind {
				return o
			}
		}
	}
	return best
}

// originFS is the disk, except that the root kustomization file reads as if it asked for origin
// annotations. The user's file is not changed.
type originFS struct {
	filesys.FileSystem
	root     string // the root kustomization file, absolute and with symlinks resolved
	data     []byte
	injected bool
}

func newOriginFS(kf string) (*originFS, error) {
	abs, err := filepath.Abs(kf)
	if err != nil {
		return nil, err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	raw, err := os.ReadFile(kf)
	if err != nil {
		return nil, err
	}
	fs := &originFS{FileSystem: filesys.MakeFsOnDisk(), root: abs, data: raw}
	var k map[string]any
	if err := yaml.Unmarshal(raw, &k); err != nil || k == nil {
		// kustomize reports a broken kustomization file itself, in its own words.
		return fs, nil
	}
	md, _ := k["buildMetadata"].([]any)
	for _, v := range md {
		if v == types.OriginAnnotations {
			return fs, nil
		}
	}
	k["buildMetadata"] = append(md, types.OriginAnnotations)
	if fs.data, err = yaml.Marshal(k); err != nil {
		return nil, err
	}
	fs.injected = true
	return fs, nil
}

func (f *originFS) ReadFile(path string) ([]byte, error) {
	if f.injected {
		p := path
		if r, err := filepath.EvalSymlinks(path); err == nil {
			p = r
		}
		if p == f.root {
			return append([]byte(nil), f.data...), nil
		}
	}
	return f.FileSystem.ReadFile(path)
}

// originAnnotation is the annotation kustomize records a resource's origin in.
const originAnnotation = "config.kubernetes.io/origin"

// buildErrorPlace finds the resource file a build error is about, and its line, where the
// error is a YAML parser's about a resource ("accumulating resources from 'base': ...
// accumulating resources from 'pod.yaml': MalformedYAMLError: yaml: line 6: ..."): each
// resource named is relative to the one before it, starting from dir. It returns "" when the
// error names no file that exists.
func buildErrorPlace(dir, msg string) (string, int) {
	line := yamlErrorLine(msg)
	if line == 0 {
		return "", 0
	}
	p := dir
	for rest := msg; ; {
		_, after, ok := strings.Cut(rest, "accumulating resources from '")
		if !ok {
			break
		}
		name, tail, ok := strings.Cut(after, "'")
		if !ok {
			break
		}
		p, rest = filepath.Join(p, filepath.FromSlash(name)), tail
	}
	if st, err := os.Stat(p); p == dir || err != nil || st.IsDir() {
		return "", 0
	}
	if l := syntaxErrorLine(p); l > 0 {
		line = l
	}
	return p, line
}

// syntaxErrorLine parses file with kubeharden's own YAML parser and returns the line of its
// first syntax error, 0 if it parses. go-yaml's "line N" is often the line where the broken
// construct began, a line or two before the mistake; the manifest reader would name the
// mistake's own line, and a kustomize build should name the same.
func syntaxErrorLine(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	_, errs := yamldoc.Parse(data, parseOpts)
	for _, e := range errs {
		var ye *yamldoc.Error
		if errors.As(e, &ye) && ye.Line > 0 {
			return ye.Line
		}
	}
	return 0
}

// yamlErrorLine reads the line of go-yaml's "yaml: line N: ..." errors, 0 if there is none.
func yamlErrorLine(msg string) int {
	_, after, ok := strings.Cut(msg, "yaml: line ")
	if !ok {
		return 0
	}
	digits, _, _ := strings.Cut(after, ":")
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// redactBuildError removes the values kustomize quotes in its build errors, besides what its
// YAML parser quotes (redact.Message): when one of a generator's literal sources is
// not key=value, the error prints it and every other literal of the generator, and an env file's
// line that is not valid UTF-8 is printed whole. Either may be a Secret's. Where kustomize
// prints the content it failed on (a patch, a node, an object, a value), after one of
// contentMarkers or on the lines after the first, the rest of the message is left out.
func redactBuildError(msg string) string {
	msg = redact.Message(msg)
	// "trouble configuring builtin PatchTransformer with config: `<patch>`: <what went wrong>":
	// the patch goes, what went wrong stays.
	// kustomize writes it as "with config: `\n<yaml>`: <error>"; a backquote inside the YAML
	// does not end it.
	if i := strings.Index(msg, configMarker); i >= 0 {
		if j := strings.Index(msg[i+len(configMarker):], "\n`: "); j >= 0 {
			msg = msg[:i] + msg[i+len(configMarker)+j+2:]
		}
	}
	for _, m := range contentMarkers {
		if i := strings.Index(msg, m); i >= 0 {
			msg = strings.TrimRight(msg[:i], " :") + " (the content it quotes left out)"
		}
	}
	if strings.Contains(msg, "literal source") {
		msg = literalSources().ReplaceAllString(msg, "literal sources: one is not written key=value")
	}
	if strings.Contains(msg, "invalid utf8 bytes") {
		msg = envLine().ReplaceAllString(msg, "a line is not valid UTF-8")
	}
	return msg
}

// contentMarkers are the words after which kustomize's errors print input: "trouble
// configuring builtin PatchTransformer with config: <patch>" (where the patch is not
// backquoted as usual), "unable to parse SM or JSON patch from [<patch>]", "must specify a
// target for JSON patch [patch: <patch>]", a generator's "file sources: [<sources>]" and
// "source <source> key name or file path contains '='" (a literal written as a file source),
// "options.index 3 is out of bounds for value <value>", "node contents: <node>", "missing
// metadata.name in object <object>", and multi-line messages whose later lines are the patch or
// file they failed on.
var contentMarkers = []string{" with config:", " patch from [", "[patch: ", "file sources: [", ` source "`, " for value ", "node contents:", " in object ", "\n"}

const configMarker = " with config: `"

// The patterns are built on first use, as few builds fail.
var (
	literalSources = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`literal sources \[(?s:.*)invalid literal source (?s:.*), expected key=value`)
	})
	envLine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`line \[[0-9 ]*\] has invalid utf8 bytes : (?s:.*)`)
	})
)
