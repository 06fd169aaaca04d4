package engine

import (
	"fmt"
	"slices"
	"sync"

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
	keep := map[string]bool{"Namespace": true}
	for i := range r.active {
		for _, k := range r.active[i].Needs {
			keep[k] = true
		}
	}
	r.streamed, r.keep = map[*inventory.Object]*streamed{}, keep
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
	for _, w := range s.workers {
		r.merge(w)
		for o, st := range w.streamed {
			r.streamed[o] = st
		}
		w.streamed = nil
	}
	found := 0
	for _, o := range inv.Objects {
		if st := r.streamed[o]; st != nil {
			found++
			// Each pending check adds about one finding.
			r.findingsHint += len(st.findings) + len(st.pending)
		}
	}
	r.findingsHint += r.findingsHint / 8
	if found != len(r.streamed) {
		return nil, fmt.Errorf("engine: %d streamed objects are missing from the inventory", len(r.streamed)-found)
	}
	return r.finish(inv), nil
}

// stream assesses o with every check that reads only o, gathers for the cross-object checks,
// and releases o unless a cross-object check without Gather needs it whole.
func (w *worker) stream(o *inventory.Object) {
	if o.Unreadable != "" || w.r.streamed == nil {
		return
	}
	if w.r.keep[o.Kind] {
		return
	}
	st := &streamed{annot: w.annotations(o)}
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
					continue // does not apply
				}
			} else {
				whole = true
			}
			st.pending = append(st.pending, pendingCheck{check: ai, verdict: v})
			continue
		}
		w.a.Reset()
		// A check that reads only o gets no inventory: one that read it here would see a
		// partial picture, and fails loudly instead.
		c.Assess(&w.a, o, nil)
		w.record(c, o, st.annot)
	}
	if len(w.findings) > 0 {
		st.findings = slices.Clone(w.findings)
		clear(w.findings) // the buffer must not keep o reachable
	}
	w.findings = w.findings[:0]
	w.streamed[o] = st
	if !whole {
		o.Release()
	}
}

// finishStreamed completes a streamed object: its findings so far, then its cross-object checks.
func (w *worker) finishStreamed(o *inventory.Object, st *streamed) {
	first := len(w.findings)
	w.findings = append(w.findings, st.findings...)
	st.findings = nil // copied into the result; its memory can go
	for _, p := range st.pending {
		c := &w.r.active[p.check]
		w.a.Reset()
		switch reason := w.r.unavailable(c, o); {
		case reason != "":
			w.a.NotAssessed(reason)
		case p.verdict != nil:
			p.verdict(&w.a, o, w.r.inv)
		default:
			c.Assess(&w.a, o, w.r.inv)
		}
		w.record(c, o, st.annot)
	}
	// The cross-object checks' findings come after the others whatever the catalog's order.
	if fs := w.findings[first:]; len(fs) > 1 && (len(st.pending) > 0 || !w.inOrder(fs)) {
		w.r.sortObjectFindings(fs)
	}
}
