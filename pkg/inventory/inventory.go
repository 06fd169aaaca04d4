package inventory

import (
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Inventory is the set of objects scanned together. Cross-object checks (a namespace without a
// default-deny policy, a binding to a role) look things up here, so all sources of one scan go
// into one inventory.
type Inventory struct {
	Objects []*Object
	// Complete says the set is a whole cluster (a live scan, or --complete), so a namespace
	// without a NetworkPolicy in the set really has none. When false, namespace-level controls
	// are not assessed for namespaces whose objects the set does not contain.
	Complete bool
	// Errors are input problems found while building the inventory.
	Errors []InputError
	// Unavailable maps kinds the source could not read (a live cluster answering Forbidden) to
	// the reason. Checks that need such a kind report not assessed.
	Unavailable map[string]string
	// Unreadable holds one placeholder object per kind (and namespace) that could not be read;
	// see AddUnreadable. They are not in Objects, so no lookup returns them.
	Unreadable []*Object
	// Stats count what the sources read.
	Stats Stats

	once   sync.Once
	byKind map[string][]*Object
	// byName holds, per kind, a *kindNames built on the kind's first Get: checks look up a few
	// kinds by name (ServiceAccounts, files of a node), and a map of every object by name was a
	// tenth of a large scan's memory.
	byName sync.Map

	derivedMu sync.Mutex
	derived   map[any]*derivedValue
}

type derivedValue struct {
	once sync.Once
	v    any
}

// kindNames maps the namespace and name of a kind's objects to the first such object.
type kindNames struct {
	once sync.Once
	m    map[nsName]*Object
}

type nsName struct{ namespace, name string }

// Stats counts what went into an inventory.
type Stats struct {
	Files        int `json:"files"`
	Documents    int `json:"documents"`
	Objects      int `json:"objects"`
	UnknownKinds int `json:"unknownKinds"` // objects of kinds no check reads (custom resources...)
	// SkippedFiles are files under a scanned folder that hold no Kubernetes object.
	SkippedFiles []SkippedFile `json:"skippedFiles,omitempty"`
	// Unknown counts objects per kind that were skipped, for the report.
	Unknown map[string]int `json:"unknownKindCounts,omitempty"`
	Bytes   int64          `json:"bytes"`
}

// SkippedFile is a file that was read but held nothing to scan.
type SkippedFile struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Add appends objects. It must not be called after the first lookup.
func (inv *Inventory) Add(objs ...*Object) { inv.Objects = append(inv.Objects, objs...) }

// Merge moves the objects, errors and stats of other into inv.
func (inv *Inventory) Merge(other *Inventory) {
	inv.Objects = append(inv.Objects, other.Objects...)
	inv.Errors = append(inv.Errors, other.Errors...)
	inv.Unreadable = append(inv.Unreadable, other.Unreadable...)
	for k, r := range other.Unavailable {
		inv.MarkUnavailable(k, r)
	}
	s, o := &inv.Stats, &other.Stats
	s.Files += o.Files
	s.Documents += o.Documents
	s.Objects += o.Objects
	s.UnknownKinds += o.UnknownKinds
	s.Bytes += o.Bytes
	s.SkippedFiles = append(s.SkippedFiles, o.SkippedFiles...)
	for k, n := range o.Unknown {
		if s.Unknown == nil {
			s.Unknown = map[string]int{}
		}
		s.Unknown[k] += n
	}
}

func (inv *Inventory) index() {
	inv.once.Do(func() {
		inv.byKind = map[string][]*Object{}
		for _, o := range inv.Objects {
			inv.byKind[o.Kind] = append(inv.byKind[o.Kind], o)
		}
		inv.byName.Clear()
	})
}

// OfKind returns the objects of a kind, in input order.
func (inv *Inventory) OfKind(kind string) []*Object {
	inv.index()
	return inv.byKind[kind]
}

// InNamespace returns the objects of a kind in a namespace (by effective namespace).
func (inv *Inventory) InNamespace(kind, namespace string) []*Object {
	var out []*Object
	for _, o := range inv.OfKind(kind) {
		if o.EffectiveNamespace() == namespace {
			out = append(out, o)
		}
	}
	return out
}

// Get returns the object of kind with the given namespace and name, or nil.
// When several objects share the identity, the first in input order is returned.
func (inv *Inventory) Get(kind, namespace, name string) *Object {
	inv.index()
	v, ok := inv.byName.Load(kind)
	if !ok {
		v, _ = inv.byName.LoadOrStore(kind, &kindNames{})
	}
	kn := v.(*kindNames)
	kn.once.Do(func() {
		objs := inv.byKind[kind]
		kn.m = make(map[nsName]*Object, len(objs))
		for _, o := range objs {
			k := nsName{o.EffectiveNamespace(), o.Name}
			if _, dup := kn.m[k]; !dup {
				kn.m[k] = o
			}
		}
	})
	return kn.m[nsName{namespace, name}]
}

// Derived returns the value that build computes from the inventory, calling build once per key
// however many goroutines ask at the same time. Checks run concurrently, one object at a time;
// a cross-object check that needs an index of the whole inventory (NetworkPolicies by namespace,
// bindings by role) builds it here once instead of scanning every object for every object.
// Keys are compared with ==; use an unexported type of the calling package so that packages
// cannot collide. Values are dropped when ImplyNamespaces adds objects.
func (inv *Inventory) Derived(key any, build func(*Inventory) any) any {
	inv.derivedMu.Lock()
	if inv.derived == nil {
		inv.derived = map[any]*derivedValue{}
	}
	d := inv.derived[key]
	if d == nil {
		d = &derivedValue{}
		inv.derived[key] = d
	}
	inv.derivedMu.Unlock()
	d.once.Do(func() { d.v = build(inv) })
	return d.v
}

// Kinds returns the kinds present, sorted.
func (inv *Inventory) Kinds() []string {
	inv.index()
	out := make([]string, 0, len(inv.byKind))
	for k := range inv.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ImplyNamespaces adds a Namespace object, marked Implied, for every namespace that scanned
// objects live in but that no input declared. Namespace-level controls (default-deny policies,
// quotas, Pod Security labels) then have an object to report on. Whether they can judge it
// depends on Complete: a namespace the input does not declare may well have its NetworkPolicies
// elsewhere, so those controls report it as not assessed unless the set is complete. It is safe to
// call more than once.
func (inv *Inventory) ImplyNamespaces() {
	declared := map[string]bool{}
	for _, o := range inv.Objects {
		if o.Kind == "Namespace" {
			declared[o.Name] = true
		}
	}
	var implied []*Object
	for _, o := range inv.Objects {
		ns := o.EffectiveNamespace()
		if ns == "" || declared[ns] {
			continue
		}
		declared[ns] = true
		meta := &metav1.ObjectMeta{Name: ns}
		implied = append(implied, &Object{
			APIVersion: "v1", Kind: "Namespace", Name: ns, Implied: true,
			Typed: &corev1.Namespace{ObjectMeta: *meta}, Meta: meta,
			Origin: Origin{Source: o.Origin.Source, File: o.Origin.File, Line: o.Origin.Line, Doc: o.Origin.Doc,
				Detail: "namespace of " + o.Ref().String() + " (not declared in the input)"},
		})
	}
	if len(implied) == 0 {
		return
	}
	inv.Objects = append(inv.Objects, implied...)
	inv.once = sync.Once{}
	inv.derivedMu.Lock()
	inv.derived = nil
	inv.derivedMu.Unlock()
}

// MarkUnavailable records that objects of kind could not be read, and why.
func (inv *Inventory) MarkUnavailable(kind, reason string) {
	if inv.Unavailable == nil {
		inv.Unavailable = map[string]string{}
	}
	if _, ok := inv.Unavailable[kind]; !ok {
		inv.Unavailable[kind] = reason
	}
}
