package engine

import (
	"fmt"
	"sync"

	"github.com/kubeharden/kubeharden/internal/slab"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// Stream assesses objects while a source is still reading them, so that a large input is not
// held whole in memory: each object gets its own checks as soon as it is decoded, on the
// goroutine that decoded it, and then releases its decoded value and line index (see
// inventory.Object.Release). The cross-object checks wait for Finish, when the inventory is
// complete; those with a Gather step keep only what their verdict needs of the object. Objects
// of the kinds that checks read across objects (Keeps) are not streamed: they are assessed
// whole by Finish.
//
// The result is the same as Run's on the same inventory, finding for finding.
type Stream struct {
	r       *run
	mu      sync.Mutex
	workers []*worker
}

// streamed is what the engine keeps of a streamed object until Finish.
type streamed struct {
	// findings are those of the checks that ran when the object was decoded.
	findings []Finding
	pending  []pendingCheck
	annot    []config.AnnotationExemption
}

// pendingCheck is a cross-object check left for Finish.
type pendingCheck struct {
	check int // index in run.active
	// verdict is what the check's Gather returned; nil when the check has no Gather, in which
	// case the object was kept whole and Finish runs the check's Assess.
	verdict checks.Verdict
}

// NewStream starts a streamed run with the options Run takes.
func NewStream(opts Options) (*Stream, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	// Only checks of files count: a cluster-only control that needs DaemonSets does not make
	// a scan of files keep them.
	keep := map[string]bool{"Namespace": true}
	for _, i := range r.bySource[catalog.SourceManifest] {
		for _, k := range r.active[i].Needs {
			keep[k] = true
		}
		for _, k := range r.active[i].Reads {
			keep[k] = true
		}
	}
	r.keep = keep
	return &Stream{r: r}, nil
}

// Keeps reports whether objects of kind are kept whole for Finish rather than streamed: the
// kinds that checks read across objects (NetworkPolicies, ServiceAccounts, RBAC, Namespaces).
// A source may build them in memory apart from the streamed objects', which is then free to go
// once those are released.
func (s *Stream) Keeps(kind string) bool { return s.r.keep[kind] }

// Worker returns the function that one reading goroutine hands each object to, right after
// decoding it and before decoding the next. Every object handed over must be in the inventory
// given to Finish.
func (s *Stream) Worker() func(*inventory.Object) {
	w := s.r.newWorker()
	w.streamed = map[*inventory.Object]*streamed{}
	s.mu.Lock()
	s.workers = append(s.workers, w)
	s.mu.Unlock()
	return w.stream
}

// Finish runs what is left once the source has read everything into inv, and builds the result.
func (s *Stream) Finish(inv *inventory.Inventory) (*Result, error) {
	r := s.r
	total := 0
	// Each worker's map is looked up as it is: merging them into one would hold both.
	var maps []map[*inventory.Object]*streamed
	for _, w := range s.workers {
		r.merge(w)
		maps = append(maps, w.streamed)
		total += len(w.streamed)
		w.streamed, w.states, w.kept, w.keptPending = nil, nil, nil, nil
	}
	found := 0
	r.states = make([]*streamed, len(inv.Objects))
	for i, o := range inv.Objects {
		if st := lookup(maps, o); st != nil {
			found++
			r.states[i] = st
			// Each pending check adds about one finding.
			r.findingsHint += len(st.findings) + len(st.pending)
		}
	}
	r.findingsHint += r.findingsHint / 8
	if found != total {
		return nil, fmt.Errorf("engine: %d streamed objects are missing from the inventory", total-found)
	}
	return r.finish(inv), nil
}

// stream assesses o with every check that reads only o, gathers for the cross-object checks,
// and releases o unless a cross-object check without Gather needs it whole.
func (w *worker) stream(o *inventory.Object) {
	if o.Unreadable != "" || w.streamed == nil {
		return
	}
	if w.r.keep[o.Kind] {
		return
	}
	st := slab.Take(&w.states, streamedSlab)
	st.annot = w.annotations(o)
	whole := false
	w.findings = w.findings[:0]
	for _, ai := range w.r.bySource[catalog.Source(o.Origin.Source)] {
		c := &w.r.active[ai]
		if !c.Match(o) {
			continue
		}
		if c.IsCross() {
			var v checks.Verdict
			if c.Gather != nil {
				if v = c.Gather(o); v == nil {
					if len(c.Needs) == 0 {
						continue // does not apply
					}
					// Run reports the pair not assessed when a kind it needs could not be read
					// before it asks whether the check applies; that is known only at Finish.
					v = skip
				}
			} else {
				whole = true
			}
			w.pending = append(w.pending, pendingCheck{check: ai, verdict: v})
			continue
		}
		w.a.Reset()
		// A check that reads only o gets no inventory: one that read it here would see a
		// partial picture, and fails loudly instead.
		c.Assess(&w.a, o, nil)
		w.record(c, o, st.annot)
	}
	if len(w.findings) > 0 {
		st.findings = slab.Copy(&w.kept, w.findings, findingSlab)
		clear(w.findings) // the buffer must not keep o reachable
	}
	w.findings = w.findings[:0]
	if len(w.pending) > 0 {
		st.pending = slab.Copy(&w.keptPending, w.pending, pendingSlab)
		clear(w.pending)
		w.pending = w.pending[:0]
	}
	w.streamed[o] = st
	if !whole {
		o.Release()
	}
}

// Streamed objects' state and findings are taken from slabs: they live until Finish, a
// separate allocation for each of hundreds of thousands of objects cost the collector more
// than it did, and a slab of findings is freed whole once Finish has copied them all into the
// result, which it does in about the order they were stored.
const (
	streamedSlab = 128
	findingSlab  = 1024
	pendingSlab  = 512
)

// skip is the Verdict of a gathering check that does not apply to the object.
var skip checks.Verdict = func(a *checks.Assessment, _ *inventory.Object, _ *inventory.Inventory) { a.Skip() }

// lookup returns what a Stream's workers kept of o, or nil when o was not streamed.
func lookup(maps []map[*inventory.Object]*streamed, o *inventory.Object) *streamed {
	for _, m := range maps {
		if st := m[o]; st != nil {
			return st
		}
	}
	return nil
}

// finishStreamed completes a streamed object: its findings so far, then its cross-object checks.
func (w *worker) finishStreamed(o *inventory.Object, st *streamed) {
	first := len(w.findings)
	w.findings = append(w.findings, st.findings...)
	st.findings = nil // copied into the result; its memory can go
	for _, p := range st.pending {
		w.judge(&w.r.active[p.check], o, p.verdict, st.annot)
	}
	// The cross-object checks' findings come after the others whatever the catalog's order.
	if fs := w.findings[first:]; len(fs) > 1 && (len(st.pending) > 0 || !w.inOrder(fs)) {
		w.r.sortObjectFindings(fs)
	}
}
