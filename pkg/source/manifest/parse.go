package manifest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/kubeharden/kubeharden/internal/slab"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
	corev1 "k8s.io/api/core/v1"
)

// parseOptions bound what one document may cost: alias expansion and nesting depth are the two
// ways a small file can become a huge tree.
var parseOptions = yamldoc.Options{MaxDepth: 512, MaxAliasNodes: 1_000_000}

func parseInto(r *fileResult, data []byte, opts *Options) {
	data = fromUTF16(data)
	if yamldoc.IsJSONStream(data) {
		// JSON allows tabs as whitespace where YAML does not; outside strings (where JSON forbids
		// raw tabs) they can be replaced one for one without moving any line.
		data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	}
	po := parseOptions
	if r.nodes != nil {
		// Each document's tree is decoded before the next is parsed, in the same memory: a
		// file of thousands of documents (a rendered chart, an install bundle) holds one tree
		// at a time, not all of them.
		po.Nodes = r.nodes
		defer r.nodes.Reset()
	}
	// A stream that starts with '{' is JSON values one after another, as kubectl reads it (see
	// yamldoc.EachYAMLOrJSON); anything else is YAML documents.
	yamldoc.EachYAMLOrJSON(data, po, func(d yamldoc.Document, err error) bool {
		switch {
		case err != nil:
			r.fail(errorLine(err), errorMessage(err))
		case d.Aliases > 0 && excessiveAliasing(r, d):
		case d.Root != nil:
			r.documents++
			r.document(d, opts)
		}
		return true
	})
}

// excessiveAliasing reports (and records as an error) a document that kubectl would refuse for
// its aliasing. Each object is decoded within parseOptions.MaxAliasNodes, but the items of a List
// are objects of their own, and items that merge in ("<<: *list") a List that merges in another
// are read through: a kilobyte of such Lists was millions of objects and ran the scan out of
// memory. The document as a whole is held to goyaml.v2's rule instead, as kubectl holds it.
func excessiveAliasing(r *fileResult, d yamldoc.Document) bool {
	err := yamldoc.CheckAliasing(d.Root, parseOptions)
	if err == nil {
		return false
	}
	r.fail(errorLine(err), fmt.Sprintf("document %d: %s", d.Index+1, errorMessage(err)))
	return true
}

func errorLine(err error) int {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return ye.Line
	}
	var de *yamldoc.DecodeError
	if errors.As(err, &de) {
		return de.Line
	}
	return 0
}

func errorMessage(err error) string {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return redact.Message(ye.Msg)
	}
	return redact.Message(err.Error())
}

func scalar(n *yamldoc.Node, key string) string {
	if v := n.Get(key); v != nil && v.Kind == yamldoc.ScalarNode {
		return v.Value
	}
	return ""
}

func (r *fileResult) document(d yamldoc.Document, opts *Options) {
	root := d.Root
	if root.IsNull() {
		return // "null" or "~" alone: an empty document, as kubectl takes it
	}
	if root.Kind != yamldoc.MappingNode {
		r.fail(root.Line, fmt.Sprintf("document %d is a %s, not a Kubernetes object", d.Index+1, kindName(root)))
		return
	}
	apiVersion, kind := scalar(root, "apiVersion"), scalar(root, "kind")
	if (apiVersion == "" || kind == "") && (root.Get("apiVersion") != nil || root.Get("kind") != nil) {
		// Half an object is a manifest with a mistake, not some other YAML file: an error, even
		// in a file found in a folder (which is skipped when it holds no objects at all).
		missing := "apiVersion"
		if apiVersion != "" || root.Get("kind") == nil {
			missing = "kind"
		}
		r.fail(root.Line, fmt.Sprintf("document %d has no %s (or not as a string), so it cannot be read as a Kubernetes object", d.Index+1, missing))
		return
	}
	if apiVersion == "" || kind == "" {
		r.nonObjects = append(r.nonObjects, inventory.InputError{File: r.name, Line: root.Line,
			Message: fmt.Sprintf("document %d has no apiVersion and kind, so it is not a Kubernetes object", d.Index+1)})
		return
	}
	r.sawKubeObject = true
	if items := root.Get("items"); items != nil && strings.HasSuffix(kind, "List") {
		r.items(items, kind, d.Index, opts, kind, 0)
		return
	}
	r.object(root, d.Index, opts, "")
}

// unreadable keeps a placeholder for an object that did not decode (see
// inventory.AddUnreadable): every control that applies to its kind reports it not assessed, and
// the controls that look for such objects in its namespace (a NetworkPolicy, a LimitRange)
// report the namespace not assessed instead of failing it for lacking what could not be read.
func (r *fileResult) unreadable(o *inventory.Object, why string) {
	ph := &inventory.Object{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
		DefaultNamespace: o.DefaultNamespace, Origin: o.Origin, Unreadable: "could not be read: " + why}
	if typed, meta, ok := inventory.NewTyped(o.APIVersion, o.Kind); ok {
		meta.Name, meta.Namespace = o.Name, o.Namespace
		ph.Typed, ph.Meta = typed, meta
	}
	r.unreadables = append(r.unreadables, ph)
}

// items reads the items of a List (kind names the list in messages; where says where it sits in
// the document). A List among the items is read the same way, as kubectl flattens it.
//
// An alias, as the items or as an item, is what it refers to, as it is to kubectl (which then
// creates the object twice): the object read through it has the anchored object's lines.
// Documents whose aliases expand too far never get here (see excessiveAliasing).
func (r *fileResult) items(items *yamldoc.Node, kind string, doc int, opts *Options, where string, depth int) {
	list := items.Resolve()
	if list.Kind != yamldoc.SequenceNode {
		if list.Tag != yamldoc.NullTag {
			r.fail(items.Line, where+": items must be a list")
		}
		return
	}
	for i, written := range list.Content {
		at := fmt.Sprintf("%s item %d", where, i)
		item := written.Resolve()
		if item.Kind != yamldoc.MappingNode {
			r.fail(written.Line, fmt.Sprintf("%s is a %s, not a Kubernetes object", at, kindName(item)))
			continue
		}
		if k := scalar(item, "kind"); strings.HasSuffix(k, "List") && item.Get("items") != nil && depth < 16 {
			r.items(item.Get("items"), k, doc, opts, at, depth+1)
			continue
		}
		r.object(item, doc, opts, at)
	}
}

func kindName(n *yamldoc.Node) string {
	switch n.Kind {
	case yamldoc.SequenceNode:
		return "list"
	case yamldoc.ScalarNode:
		if n.Tag == yamldoc.NullTag {
			return "null"
		}
		return "plain value"
	}
	return "mapping"
}

func (r *fileResult) object(n *yamldoc.Node, doc int, opts *Options, where string) {
	apiVersion, kind := scalar(n, "apiVersion"), scalar(n, "kind")
	switch {
	case apiVersion == "" && kind == "":
		r.fail(n.Line, where+" has no apiVersion and kind")
		return
	case apiVersion == "":
		r.fail(n.Line, where+" has no apiVersion (or not as a string)")
		return
	case kind == "":
		r.fail(n.Line, where+" has no kind (or not as a string)")
		return
	}
	// ids holds the object's identity, which outlives the rest of a streamed object's strings
	// (see inventory.Object.Release); a kept object's strings all go with it.
	strs, lines, ids := r.strs, r.lines, r.strs
	var visit func(*inventory.Object)
	if w := r.reader; w != nil && w.visit != nil {
		visit, ids = w.visit, w.keepStrs
		if w.keeps(kind) {
			strs, lines = w.keepStrs, w.keepLines
		}
	}
	apiVersion, kind = ids.Keep(apiVersion), ids.Keep(kind)
	o := r.newObject()
	o.APIVersion, o.Kind = apiVersion, kind
	o.DefaultNamespace = opts.DefaultNamespace
	o.Origin = inventory.Origin{Source: inventory.SourceManifest, File: r.name, Line: n.Line, Doc: doc}
	if md := n.Get("metadata"); md != nil && md.Kind == yamldoc.MappingNode {
		o.Name, o.Namespace = ids.Keep(scalar(md, "name")), ids.Keep(scalar(md, "namespace"))
	}
	typed, meta, ok := inventory.NewTyped(apiVersion, kind)
	if !ok {
		if builtinGV, known := inventory.BuiltinKind(apiVersion, kind); builtinGV && !known {
			r.noSuchKind(n, o, apiVersion, kind)
			return
		}
		if r.unknown == nil {
			r.unknown = map[string]int{}
		}
		r.unknown[kind]++
		// Checks that read any object (deprecated APIs) report on apiVersion. Its line is the
		// object's unless another key comes first; only then does it cost an index.
		if k := keyNode(n, "apiVersion"); k != nil && k.Line != n.Line {
			lines.Add(inventory.RootHash.Field("apiVersion", true), k.Line)
			o.Lines = lines.Index()
		}
		r.objects = append(r.objects, o)
		if visit != nil {
			visit(o)
		}
		return
	}
	decodeOptions := parseOptions
	decodeOptions.Strings = strs
	// A field the kind does not have is a mistake that kubectl's strict validation (its default)
	// refuses: a typo (protectionDoamin) or a field of an older version (an Ingress's
	// spec.backend). The object is still assessed, as decoded without it.
	decodeOptions.UnknownField = func(path string, line int) {
		r.fail(line, objectLabel(kind, o.Name)+": "+path+": unknown field, ignored (kubectl refuses it)")
	}
	if err := yamldoc.Decode(n, typed, decodeOptions); err != nil {
		label := objectLabel(kind, o.Name)
		var de *yamldoc.DecodeError
		if errors.As(err, &de) {
			// The value is left out whatever the field: a field that is not secret may still
			// hold one (a CSI driver's volumeAttributes.password), and the path and line say
			// where the value is.
			msg := redact.DecodedValues(redact.Message(de.Msg))
			if de.Path != "" {
				msg = de.Path + ": " + msg
			}
			r.fail(de.Line, label+": "+msg+" (object not assessed)")
			r.unreadable(o, msg)
		} else {
			r.fail(n.Line, label+": "+redact.Message(err.Error())+" (object not assessed)")
			r.unreadable(o, err.Error())
		}
		return
	}
	if s, ok := typed.(*corev1.Secret); ok {
		inventory.RedactSecret(s)
	}
	o.Typed, o.Meta = typed, meta
	// What decoding found wins over the first look (a name can come through a merge key).
	if meta.Name != o.Name {
		o.Name = ids.Keep(meta.Name)
	}
	if meta.Namespace != o.Namespace {
		o.Namespace = ids.Keep(meta.Namespace)
	}
	o.Lines = indexLines(n, lines)
	r.objects = append(r.objects, o)
	if visit != nil {
		visit(o)
	}
}

// noSuchKind reports a kind that its built-in group version does not have ("Deploymnet" in
// apps/v1, "pod" or "Pods" in v1) at the kind's line. kubectl refuses such an object ("no
// matches for kind"); counting it among the custom resources would skip it in silence, and a
// privileged Deployment with a typo in its kind would pass. The object is left out: nothing
// about it can be judged when its kind is not known.
func (r *fileResult) noSuchKind(n *yamldoc.Node, o *inventory.Object, apiVersion, kind string) {
	line := n.Line
	if k := keyNode(n, "kind"); k != nil {
		line = k.Line
	}
	msg := objectLabel(kind, o.Name) + ": " + strconv.Quote(apiVersion) + " has no kind " + strconv.Quote(kind)
	if hint := inventory.SuggestKind(apiVersion, kind); hint != "" {
		msg += "; " + hint
	}
	r.fail(line, msg+" (kubectl refuses it; object not assessed)")
}

// newObject returns a zero object from the reading worker's slab. Objects live as long as the
// inventory, so allocating them objectSlab at a time keeps them together in memory (what is
// freed around them, decoded values released after their checks, then leaves whole pages
// free) and gives the collector one block to track instead of many.
func (r *fileResult) newObject() *inventory.Object {
	if r.reader == nil {
		return &inventory.Object{}
	}
	return slab.Take(&r.reader.objects, objectSlab)
}

// objectSlab is as many objects as fill 16 KiB, one of the allocator's size classes.
const objectSlab = 16 << 10 / int(unsafe.Sizeof(inventory.Object{}))

// objectLabel names an object in messages: "Deployment web", or the kind alone.
func objectLabel(kind, name string) string {
	if name == "" {
		return kind
	}
	return kind + " " + name
}

// keyNode returns the key node of a mapping's key, or nil.
func keyNode(n *yamldoc.Node, key string) *yamldoc.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yamldoc.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

// IndexLines records the line of every node of a parsed document by path hash, so findings on
// an object decoded from it can name the line of any field. Alias and merged nodes are not
// indexed (they have no single place in the text); lookups fall back to the alias. Other
// sources that read YAML (node configuration files) use it too.
func IndexLines(root *yamldoc.Node) *inventory.LineIndex {
	return indexLines(root, &inventory.LineIndexBuilder{})
}

// indexLines is IndexLines building in b, which a loader's worker reuses from object to object.
func indexLines(root *yamldoc.Node, x *inventory.LineIndexBuilder) *inventory.LineIndex {
	var walk func(n *yamldoc.Node, h inventory.PathHash, isRoot bool, depth int)
	walk = func(n *yamldoc.Node, h inventory.PathHash, isRoot bool, depth int) {
		if depth > parseOptions.MaxDepth {
			return
		}
		switch n.Kind {
		case yamldoc.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yamldoc.ScalarNode || k.Value == "<<" {
					continue
				}
				kh := h.Field(k.Value, isRoot)
				x.Add(kh, k.Line)
				walk(v, kh, false, depth+1)
			}
		case yamldoc.SequenceNode:
			for i, item := range n.Content {
				ih := h.Index(i)
				x.Add(ih, item.Line)
				walk(item, ih, false, depth+1)
			}
		}
	}
	x.Add(inventory.RootHash, root.Line)
	walk(root, inventory.RootHash, true, 0)
	return x.Index()
}

// fromUTF16 returns data as UTF-8 when it starts with a UTF-16 byte order mark (little or big
// endian), as kubectl's file reader decodes it; else data itself. Lines stay where they were:
// a line break is one character in either encoding. A trailing odd byte is dropped.
func fromUTF16(data []byte) []byte {
	if len(data) < 2 {
		return data
	}
	var order binary.ByteOrder
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
		order = binary.LittleEndian
	case data[0] == 0xFE && data[1] == 0xFF:
		order = binary.BigEndian
	default:
		return data
	}
	units := make([]uint16, 0, (len(data)-2)/2)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	out := make([]byte, 0, len(units)+len(units)/2)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out
}
