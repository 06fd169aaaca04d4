// Package inventory holds the objects a scan looks at, whatever they came from (files, Helm,
// Kustomize, a live cluster, a node), with enough provenance to point a finding at a file and line.
//
// Every source ends here and every check reads only from here. That is what lets one check serve
// `scan`, `cluster`, `node` and admission alike: a check never knows whether its object came from
// a file or from the API server.
package inventory

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Source says which kind of input an object was read from. The values match catalog.Source
// so the engine can compare them without this package importing the catalog.
type Source string

const (
	SourceManifest Source = "manifest"
	SourceCluster  Source = "cluster"
	SourceNode     Source = "node"
	SourceAuditLog Source = "auditlog"
)

// Origin is where an object was read.
type Origin struct {
	Source Source
	// File is the path as the user gave it (or as discovered under a given folder). For rendered
	// Helm and Kustomize objects it names the template or resource file that produced them.
	File string
	// Line is the 1-based line where the object starts in File; 0 when unknown.
	Line int
	// Doc is the 0-based index of the YAML document in File.
	Doc int
	// Detail names non-file origins: "cluster" context, "process 1234 (kube-apiserver)", the
	// chart that rendered File.
	Detail string
}

// Object is one Kubernetes object (or object-like thing: a kubelet configuration, a process's
// flags) in the inventory.
type Object struct {
	APIVersion string
	Kind       string
	// Namespace is as declared; empty for cluster-scoped kinds and for namespaced objects that do
	// not name one. Use EffectiveNamespace for the namespace the object would land in.
	Namespace string
	Name      string
	// Typed is the decoded Go value (*corev1.Pod, *appsv1.Deployment, ...), or nil when the
	// kind is not one kubeharden decodes.
	Typed any
	// Meta is Typed's object metadata, or nil.
	Meta *metav1.ObjectMeta
	// DefaultNamespace is the namespace that an object without one lands in: "default" for
	// plain manifests, the release namespace for Helm, the namespace field of a kustomization.
	DefaultNamespace string
	Origin           Origin
	// Lines maps field paths to source lines; nil when the object has no source text.
	Lines *LineIndex
	// Patched, on an object built by kustomize, lists the fields that a patch set, with the
	// patch's file and line: such a field is reported there, not in the resource file. Nil for
	// every other object. Unlike Lines it outlives Release, as reports place findings with it.
	Patched *PatchedFields
	// Unreadable, on a placeholder made by Inventory.AddUnreadable, says why the objects it
	// stands for could not be read. Such an object is never assessed.
	Unreadable string

	podTemplate     *PodTemplate
	podTemplateOnce sync.Once
	// Implied marks a Namespace that no input declared but that scanned objects live in; see
	// Inventory.ImplyNamespaces. (It sits here to share the once's last word with the flags
	// below: a scan holds an object per document, so every word counts.)
	Implied bool
	// released is set by Release; hadPodTemplate then remembers HasPodTemplate.
	released, hadPodTemplate bool
}

// Release drops what the object holds of its source text once every check that reads its
// fields has run: the decoded value, its metadata and the line index. What stays is what
// reports and the verdicts of cross-object checks read: the identity, the origin, and whether
// the object has a pod template. A streaming scan (engine.Stream) releases each object after
// its own checks, so that the memory a large input takes follows its findings rather than its
// text; its loader keeps identities in memory apart from the rest of the object's strings, so
// that they do not hold those.
func (o *Object) Release() {
	if o.released {
		return
	}
	o.hadPodTemplate = PodTemplateOf(o) != nil
	o.released = true
	o.Typed, o.Meta, o.Lines, o.podTemplate = nil, nil, nil, nil
}

// Released reports whether Release dropped the object's decoded value.
func (o *Object) Released() bool { return o.released }

// EffectiveNamespace is the namespace a namespaced object is (or would be) created in, and ""
// for cluster-scoped kinds.
func (o *Object) EffectiveNamespace() string {
	if !IsNamespaced(o.Kind) {
		return ""
	}
	if o.Namespace != "" {
		return o.Namespace
	}
	if o.DefaultNamespace != "" {
		return o.DefaultNamespace
	}
	return "default"
}

// Line returns the source line of the field at path (see Field and Index for the path syntax),
// or of its nearest ancestor that exists in the source, or the object's first line.
func (o *Object) Line(path string) int {
	if o.Lines != nil {
		if l := o.Lines.Find(path); l > 0 {
			return l
		}
	}
	return o.Origin.Line
}

// PatchedFields are the fields of an object that patches set (see Object.Patched).
type PatchedFields struct {
	Fields []PatchedField
}

// PatchedField is one scalar field a patch set: its path, and the patch's file and line.
type PatchedField struct {
	Path, File string
	Line       int
}

// patch returns the patched field at path or at its nearest patched ancestor, if any.
func (p *PatchedFields) patch(path string) *PatchedField {
	if p == nil {
		return nil
	}
	for {
		for i := range p.Fields {
			if p.Fields[i].Path == path {
				return &p.Fields[i]
			}
		}
		if path == "" {
			return nil
		}
		path = parentPath(path)
	}
}

// Place returns the file and line at which a finding on the field at path is reported: the
// patch's when a patch set the field, else the object's file and Line(path).
func (o *Object) Place(path string) (file string, line int) {
	if f := o.Patched.patch(path); f != nil {
		return f.File, f.Line
	}
	return o.Origin.File, o.Line(path)
}

// FileAt returns the file of a finding on the field at path reported at line: the patch's file
// when a patch set the field and line is the patch's line (see Place), else the object's file.
// A line that a check worked out itself from the resource file stays with that file.
func (o *Object) FileAt(path string, line int) string {
	if f := o.Patched.patch(path); f != nil && f.Line == line {
		return f.File
	}
	return o.Origin.File
}

// Ref is the identity of an object as reports show it.
type Ref struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Ref returns the object's identity, with its effective namespace.
func (o *Object) Ref() Ref {
	return Ref{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.EffectiveNamespace(), Name: o.Name}
}

// String renders "Kind ns/name" for messages.
func (r Ref) String() string {
	if r.Namespace != "" {
		return r.Kind + " " + r.Namespace + "/" + r.Name
	}
	return r.Kind + " " + r.Name
}

// InputError is a problem with the input that stopped part of it from being assessed. It names
// the file and line so the user can fix it; the rest of the scan goes on.
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (e InputError) Error() string {
	switch {
	case e.File == "":
		return e.Message
	case e.Line > 0:
		return e.File + ":" + itoa(e.Line) + ": " + e.Message
	default:
		return e.File + ": " + e.Message
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
