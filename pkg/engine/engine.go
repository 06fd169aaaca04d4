// Package engine runs the checks over an inventory, applies configuration and exceptions, and
// builds the results and compliance scores that every report format reads.
package engine

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Options configure a run. The zero value runs every registered check of the default catalog.
type Options struct {
	Catalog *catalog.Catalog
	// Checks defaults to checks.All().
	Checks []checks.Check
	Config *config.Config
	// ShowPassed adds a pass finding for every passing control × object pair.
	ShowPassed bool
	// ShowExempt lists exempted failures among the findings (they are always counted).
	ShowExempt bool
	// Now is the time exceptions are judged against (default time.Now()).
	Now time.Time
	// Workers is the number of goroutines (default GOMAXPROCS).
	Workers int
}

type activeCheck struct {
	checks.Check
	control *catalog.Control
	order   int
}

// Run assesses every object of inv with every active check.
func Run(inv *inventory.Inventory, opts Options) (*Result, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	return r.finish(inv), nil
}

// newRun resolves the options and the active checks; the inventory comes later (see Stream).
func newRun(opts Options) (*run, error) {
	if opts.Catalog == nil {
		opts.Catalog = catalog.Default()
	}
	if opts.Checks == nil {
		opts.Checks = checks.All()
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	order := map[string]int{}
	for i, c := range opts.Catalog.All() {
		order[c.ID] = i
	}
	var active []activeCheck
	for _, c := range opts.Checks {
		ctl := opts.Catalog.Get(c.ID)
		if ctl == nil {
			return nil, fmt.Errorf("check for unknown control %s", c.ID)
		}
		if opts.Config.Disabled(ctl) {
			continue
		}
		active = append(active, activeCheck{Check: c, control: ctl, order: order[ctl.ID]})
	}
	slices.SortFunc(active, func(a, b activeCheck) int { return a.order - b.order })

	// Which checks can apply to objects of each source, worked out once instead of asking every
	// control about every object.
	bySource := map[catalog.Source][]int{}
	for i := range active {
		for _, src := range active[i].control.Sources {
			if l := bySource[src]; len(l) == 0 || l[len(l)-1] != i {
				bySource[src] = append(l, i)
			}
		}
	}
	r := &run{opts: opts, active: active, bySource: bySource, expired: map[int]*ExpiredException{}, used: map[int]bool{},
		order: make(map[*catalog.Control]int, len(active))}
	for i := range active {
		r.order[active[i].control] = active[i].order
	}
	if opts.Config != nil {
		// An expired exception is reported even when nothing it names fails any more: it is
		// stale configuration that someone should renew or remove.
		for i := range opts.Config.Exceptions {
			if opts.Config.Exceptions[i].Expired(opts.Now) {
				r.expiredException(i)
			}
		}
	}
	return r, nil
}

// finish assesses what is left of inv (everything, unless objects were streamed) and builds
// the result.
func (r *run) finish(inv *inventory.Inventory) *Result {
	r.inv = inv
	inv.ImplyNamespaces()
	r.unreadableIn = indexUnreadable(inv)
	r.do()
	r.states = nil // what the stream kept is in the findings now

	r.sortErrors()
	opts := r.opts
	res := &Result{Findings: r.findings, Errors: append(slices.Clip(inv.Errors), r.errors...), Started: opts.Now, Catalog: opts.Catalog,
		ShowPassed: opts.ShowPassed, ShowExempt: opts.ShowExempt}
	// Every source's errors pass here on their way to a report: whatever a parser or a library
	// quoted of the input that may be a secret is removed once, for all of them.
	for i := range res.Errors {
		res.Errors[i].Message = redact.Message(res.Errors[i].Message)
	}
	res.Summary = r.summary()
	res.Summary.Controls = len(r.active)
	res.Summary.Complete = inv.Complete
	res.Summary.Inputs = inv.Stats
	res.Summary.Unavailable = inv.Unavailable
	if opts.Config != nil {
		res.Summary.Config = opts.Config.File
	}
	return res
}

type run struct {
	opts   Options
	inv    *inventory.Inventory
	active []activeCheck
	// bySource lists, per source, the indexes in active of the controls that read it, in order.
	bySource map[catalog.Source][]int

	mu       sync.Mutex
	findings []Finding
	errors   []inventory.InputError
	sections [numSections + 1]SectionScore
	expired  map[int]*ExpiredException
	used     map[int]bool // exceptions that accepted a failure
	// unreadableIn: kind -> namespace -> why one did not decode; see indexUnreadable.
	unreadableIn map[string]map[string]string
	// sources are the sources the input's objects come from (see readsPresent), made on first use.
	sources map[catalog.Source]bool
	// states holds, by position in the inventory, what the stream kept of each object (nil for
	// one it did not stream); objects added after Finish looked them up have none.
	states []*streamed
	// keep is the Stream's set of kinds that are not streamed.
	keep map[string]bool
	// order is each active control's place in the catalog, for sorting findings.
	order map[*catalog.Control]int
	// findingsHint is about how many findings the run will have, when known (see Stream.Finish).
	findingsHint int
}

func (r *run) newWorker() *worker {
	return &worker{r: r, expired: map[int]int{}, used: map[int]bool{}}
}

// worker state is private to one goroutine and merged at the end, so checks run without locks.
type worker struct {
	r *run
	a checks.Assessment
	// findings collects the current chunk of objects' findings, in a buffer that is handed
	// back for the next chunk once the chunk is committed.
	findings []Finding
	errors   []inventory.InputError
	sections [numSections + 1]SectionScore
	expired  map[int]int // exception index -> failures it would have covered
	used     map[int]bool
	// streamed holds the state of the objects this worker streamed (see Stream.Worker), taken
	// from the slab states; kept is the slab of their findings.
	streamed    map[*inventory.Object]*streamed
	states      []streamed
	kept        []Finding
	keptPending []pendingCheck
	// pending collects the current object's pending checks (see stream).
	pending []pendingCheck
}

func (r *run) do() {
	objs := r.inv.Objects
	if len(r.inv.Unreadable) > 0 {
		// Placeholders for kinds that could not be read come last, so each control that applies
		// to such a kind is reported not assessed on them.
		objs = append(slices.Clip(objs), r.inv.Unreadable...)
	}
	n := r.opts.Workers
	if n > len(objs) {
		n = max(1, len(objs))
	}
	// Objects are handed out in small chunks so one huge object does not leave a core idle.
	const chunk = 64
	c := &committer{total: len(objs), chunk: chunk, done: make([][]Finding, (len(objs)+chunk-1)/chunk)}
	if r.findingsHint > 0 {
		// A stream knows most of the findings already: the result is laid out once at about
		// its final size rather than grown (each growth leaves a copy behind).
		c.findings = make([]Finding, 0, r.findingsHint)
	}
	var next int
	var nextMu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		w := r.newWorker()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []Finding
			for {
				nextMu.Lock()
				start := next
				next += chunk
				nextMu.Unlock()
				if start >= len(objs) {
					break
				}
				w.findings = buf[:0]
				for i := start; i < min(start+chunk, len(objs)); i++ {
					if st := r.stateAt(i); st != nil {
						w.finishStreamed(objs[i], st)
					} else {
						w.object(objs[i])
					}
				}
				buf = c.commit(start/chunk, w.findings)
				w.findings = nil
			}
			r.merge(w)
		}()
	}
	wg.Wait()
	r.findings = c.findings
}

// committer puts the chunks' findings into the result in object order as the chunks finish,
// and hands their buffers back for reuse. The result is sized from what has been committed so
// far, projected over all objects: building it in one slice this way replaced keeping every
// chunk's findings and copying them all at the end, which on a large cluster doubled the memory
// the findings took (fresh memory is dear on virtual machines) and added a copy of them all.
type committer struct {
	mu    sync.Mutex
	total int // objects
	chunk int // objects per chunk
	// done holds the finished chunks not yet committed; nil is a chunk still being assessed.
	done     [][]Finding
	next     int // first chunk not yet committed
	free     [][]Finding
	findings []Finding
}

// commit records chunk i's findings and commits every finished chunk that is next in order. It
// returns a buffer for the caller's next chunk (nil when none is free).
func (c *committer) commit(i int, fs []Finding) []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fs == nil {
		fs = []Finding{} // finished without findings: not nil, which means unfinished
	}
	c.done[i] = fs
	for c.next < len(c.done) && c.done[c.next] != nil {
		b := c.done[c.next]
		if need := len(c.findings) + len(b); need > cap(c.findings) {
			seen := min((c.next+1)*c.chunk, c.total)
			est := need * c.total / seen
			grown := make([]Finding, len(c.findings), max(need, est+est/8+64))
			copy(grown, c.findings)
			c.findings = grown
		}
		c.findings = append(c.findings, b...)
		clear(b) // the buffer must not keep objects of the committed chunk reachable
		c.free = append(c.free, b[:0])
		c.done[c.next] = nil
		c.next++
	}
	if k := len(c.free); k > 0 {
		b := c.free[k-1]
		c.free = c.free[:k-1]
		return b
	}
	return nil
}

// sortObjectFindings puts one object's findings in report order: by control (the catalog's
// order, which is the order checks run in), then line, then path.
func (r *run) sortObjectFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Control != b.Control {
			return r.controlOrder(a.Control) - r.controlOrder(b.Control)
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Path, b.Path)
	})
}

// unavailable says why c cannot judge o: a kind c needs could not be read at all, or, for the
// kinds a namespace is judged by (see namespaceKinds), one in o's namespace (a Namespace's own,
// for a Namespace) did not decode, so the namespace may well have what c looks for.
func (r *run) unavailable(c *activeCheck, o *inventory.Object) string {
	if len(r.inv.Unavailable) == 0 && len(r.unreadableIn) == 0 {
		return ""
	}
	for _, k := range c.Needs {
		if why, ok := r.inv.Unavailable[k]; ok {
			return k + " objects could not be read: " + why
		}
	}
	if len(r.unreadableIn) == 0 {
		return ""
	}
	for _, k := range c.Needs {
		byNS := r.unreadableIn[k]
		if byNS == nil {
			continue
		}
		ns := o.EffectiveNamespace()
		if o.Kind == "Namespace" {
			ns = o.Name
		}
		if why, ok := byNS[ns]; ok {
			return "a " + k + " in namespace " + ns + " " + why
		}
	}
	return ""
}

// namespaceKinds are the kinds whose absence a control reads as a finding (no NetworkPolicy,
// LimitRange or ResourceQuota in a namespace; a pod's ServiceAccount missing, so its token
// setting unknown), so one of them that did not decode leaves the namespace's objects not
// assessed by those controls rather than failed. RBAC kinds are not spread this way: a binding
// to a role that did not decode is already not assessed, and other roles' bindings are judged.
var namespaceKinds = []string{"NetworkPolicy", "LimitRange", "ResourceQuota", "ServiceAccount"}

// indexUnreadable maps each of namespaceKinds to the namespaces where one did not decode, once
// per run rather than searching the placeholders for every object.
func indexUnreadable(inv *inventory.Inventory) map[string]map[string]string {
	var m map[string]map[string]string
	for _, o := range inv.Unreadable {
		if !slices.Contains(namespaceKinds, o.Kind) || o.Origin.Source != inventory.SourceManifest {
			continue // a kind that could not be listed at all is in inv.Unavailable
		}
		ns := o.EffectiveNamespace()
		if ns == "" || ns == "*" {
			continue
		}
		if m == nil {
			m = map[string]map[string]string{}
		}
		if m[o.Kind] == nil {
			m[o.Kind] = map[string]string{}
		}
		if _, ok := m[o.Kind][ns]; !ok {
			m[o.Kind][ns] = o.Unreadable
		}
	}
	return m
}

// sortErrors puts the engine's own input errors (bad exemption annotations), which come from
// whichever worker met the object, in the order the input was read, so that reports do not vary
// from run to run.
func (r *run) sortErrors() {
	if len(r.errors) < 2 {
		return
	}
	order := map[string]int{}
	for _, objs := range [][]*inventory.Object{r.inv.Objects, r.inv.Unreadable} {
		for _, o := range objs {
			if _, ok := order[o.Origin.File]; !ok {
				order[o.Origin.File] = len(order)
			}
		}
	}
	slices.SortStableFunc(r.errors, func(a, b inventory.InputError) int {
		if a.File != b.File {
			return order[a.File] - order[b.File]
		}
		return a.Line - b.Line
	})
}

func (r *run) stateAt(i int) *streamed {
	if i < len(r.states) {
		return r.states[i]
	}
	return nil
}

func (r *run) controlOrder(c *catalog.Control) int { return r.order[c] }

func (r *run) merge(w *worker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, w.errors...)
	for i := range w.sections {
		s, o := &r.sections[i], &w.sections[i]
		s.Pass += o.Pass
		s.Fail += o.Fail
		s.NotAssessed += o.NotAssessed
		s.Exempt += o.Exempt
		s.passW += o.passW
		s.failW += o.failW
	}
	for idx, n := range w.expired {
		r.expiredException(idx).Findings += n
	}
	for idx := range w.used {
		r.used[idx] = true
	}
}

// exceptionSource names the configuration's exception i in reports: "FILE exceptions[i]".
func exceptionSource(cfg *config.Config, i int) string {
	return fmt.Sprintf("%s exceptions[%d]", cfg.File, i)
}

// expiredException returns the report entry of the configuration's exception idx, made on
// first use.
func (r *run) expiredException(idx int) *ExpiredException {
	e := r.expired[idx]
	if e == nil {
		ex := &r.opts.Config.Exceptions[idx]
		e = &ExpiredException{Exception: ex.String(), Expired: *ex.Expires, Source: exceptionSource(r.opts.Config, idx)}
		r.expired[idx] = e
	}
	return e
}

func (w *worker) object(o *inventory.Object) {
	first := len(w.findings)
	defer func() {
		// Checks run in catalog order, so only the failures of one check may need ordering.
		if fs := w.findings[first:]; len(fs) > 1 && !w.inOrder(fs) {
			w.r.sortObjectFindings(fs)
		}
	}()
	annot := w.annotations(o)
	for _, ai := range w.r.bySource[catalog.Source(o.Origin.Source)] {
		c := &w.r.active[ai]
		if !c.Match(o) {
			continue
		}
		w.judge(c, o, nil, annot)
	}
}

// judge assesses o with c, or with verdict, what c's Gather kept of o, when set, and records
// the result. A pair whose object or needed kinds could not be read is not assessed.
func (w *worker) judge(c *activeCheck, o *inventory.Object, verdict checks.Verdict, annot []config.AnnotationExemption) {
	w.a.Reset()
	reason := o.Unreadable
	if reason == "" {
		reason = w.r.unavailable(c, o)
	}
	switch {
	case reason != "":
		w.a.NotAssessed(reason)
	case verdict != nil:
		verdict(&w.a, o, w.r.inv)
	default:
		c.Assess(&w.a, o, w.r.inv)
	}
	w.record(c, o, annot)
}

// record counts the verdict in w.a of check c on o and appends its findings.
func (w *worker) record(c *activeCheck, o *inventory.Object, annot []config.AnnotationExemption) {
	if w.a.Skipped {
		return
	}
	sec := &w.sections[c.control.Section]
	weight := c.control.Severity.Weight()
	switch {
	case w.a.NotAssessedReason != "":
		sec.NotAssessed++
		w.findings = append(w.findings, Finding{Control: c.control, Object: o, Status: StatusNotAssessed,
			Severity: c.control.Severity, Message: w.a.NotAssessedReason, Line: o.Origin.Line})
	case len(w.a.Failures) == 0:
		sec.Pass++
		sec.passW += weight
		if w.r.opts.ShowPassed {
			w.findings = append(w.findings, Finding{Control: c.control, Object: o, Status: StatusPass,
				Severity: c.control.Severity, Line: o.Origin.Line})
		}
	default:
		ex := w.exemption(c.control, o, annot, len(w.a.Failures))
		status := StatusFail
		if ex != nil {
			status = StatusExempt
			sec.Exempt++
		} else {
			sec.Fail++
			sec.failW += weight
		}
		if status == StatusExempt && !w.r.opts.ShowExempt {
			return
		}
		for _, f := range w.a.Failures {
			sev := f.Severity
			if sev == 0 {
				sev = c.control.Severity
			}
			line := f.Line
			if line == 0 {
				_, line = o.Place(f.Path)
			}
			w.findings = append(w.findings, Finding{Control: c.control, Object: o, Status: status, Severity: sev,
				Path: f.Path, Line: line, Message: f.Message, Exemption: ex})
		}
	}
}

// inOrder says whether an object's findings are already in report order.
func (w *worker) inOrder(fs []Finding) bool {
	for i := 1; i < len(fs); i++ {
		a, b := &fs[i-1], &fs[i]
		if a.Control != b.Control {
			continue // checks run in catalog order
		}
		if a.Line > b.Line || a.Line == b.Line && a.Path > b.Path {
			return false
		}
	}
	return true
}

// annotations parses the kubeharden.io/exempt annotations of the object's metadata and, for
// workloads, of its pod template (either place works, and both together), reporting each bad
// entry as an input error at the annotation's line. It runs for every object, failing or not, so
// that a mistake shows when it is written rather than only once the object fails a check.
func (w *worker) annotations(o *inventory.Object) []config.AnnotationExemption {
	if !w.r.opts.Config.AllowsAnnotations() {
		return nil
	}
	var list []config.AnnotationExemption
	// metaPath is where meta sits in the object ("metadata", "spec.template.metadata"); the
	// annotation's path is built only for an annotation with errors: this runs for every object.
	add := func(meta *metav1.ObjectMeta, metaPath string) {
		v, ok := meta.Annotations[config.ExemptAnnotation]
		if !ok {
			return
		}
		entries, errs := config.ParseExemptAnnotation(v, w.r.opts.Catalog)
		for _, err := range errs {
			line := o.Line(inventory.Field(metaPath+".annotations", config.ExemptAnnotation))
			w.errors = append(w.errors, inventory.InputError{File: o.Origin.File, Line: line, Message: o.Ref().String() + ": " + err.Error()})
		}
		list = append(list, entries...)
	}
	if o.Meta != nil {
		add(o.Meta, "metadata")
	}
	if pt := inventory.PodTemplateOf(o); pt != nil && pt.Meta != nil && pt.Meta != o.Meta && len(pt.Meta.Annotations) > 0 {
		add(pt.Meta, strings.TrimSuffix(pt.SpecPath, ".spec")+".metadata")
	}
	return list
}

func (w *worker) exemption(ctl *catalog.Control, o *inventory.Object, annot []config.AnnotationExemption, failures int) *Exemption {
	for _, a := range annot {
		if slices.Contains(a.Controls, ctl.ID) {
			return &Exemption{Reason: a.Reason, Source: "annotation " + config.ExemptAnnotation}
		}
	}
	cfg := w.r.opts.Config
	if cfg == nil {
		return nil
	}
	ns := o.EffectiveNamespace()
	if o.Kind == "Namespace" {
		// An exception for a namespace covers the Namespace object's own findings too (its
		// NetworkPolicies, quotas, Pod Security labels), not only the objects in it.
		ns = o.Name
	}
	for i := range cfg.Exceptions {
		e := &cfg.Exceptions[i]
		if !e.Matches(ctl.ID, o.Kind, ns, o.Name) {
			continue
		}
		if e.Expired(w.r.opts.Now) {
			w.expired[i] += failures
			continue
		}
		w.used[i] = true
		return &Exemption{Reason: e.Reason, Source: exceptionSource(cfg, i),
			Expires: e.Expires, Owner: e.Owner, Ticket: e.Ticket}
	}
	return nil
}

func (r *run) summary() Summary {
	s := Summary{BySeverity: map[string]int{}}
	var passW, failW float64
	for _, sec := range catalog.Sections {
		ss := r.sections[sec]
		ss.Section, ss.Title = sec, sec.Title()
		ss.Score = score(ss.passW, ss.failW)
		s.Pass += ss.Pass
		s.Fail += ss.Fail
		s.NotAssessed += ss.NotAssessed
		s.Exempt += ss.Exempt
		passW += ss.passW
		failW += ss.failW
		s.Sections = append(s.Sections, ss)
	}
	s.Score = score(passW, failW)
	for i := range r.findings {
		if f := &r.findings[i]; f.Status == StatusFail {
			s.BySeverity[f.Severity.String()]++
		}
	}
	s.Expired = []ExpiredException{} // always in the report, as documented: [] when none
	for _, idx := range sortedKeys(r.expired) {
		s.Expired = append(s.Expired, *r.expired[idx])
	}
	if cfg := r.opts.Config; cfg != nil {
		// An exception that accepted nothing in this run may be stale (the object is gone or
		// fixed, a glob no longer matches), or cover files this run did not scan.
		for i := range cfg.Exceptions {
			if _, expired := r.expired[i]; !expired && !r.used[i] && r.runsAny(cfg.Exceptions[i].Controls) {
				s.Unused = append(s.Unused, UnusedException{Exception: cfg.Exceptions[i].String(), Source: exceptionSource(cfg, i)})
			}
		}
	}
	return s
}

// runsAny says whether this run ran any of the controls ("*": any at all): an exception for
// controls left out of the run (--controls, --section) had nothing to accept.
func (r *run) runsAny(ids []string) bool {
	for i := range r.active {
		ctl := r.active[i].control
		for _, id := range ids {
			if (id == "*" || strings.EqualFold(ctl.ID, id)) && r.readsPresent(ctl) {
				return true
			}
		}
	}
	return false
}

// readsPresent says whether the run's input holds objects of a source ctl reads: a cluster-only
// control in a scan of files judged nothing, so its exceptions are not unused.
func (r *run) readsPresent(ctl *catalog.Control) bool {
	if r.sources == nil {
		r.sources = map[catalog.Source]bool{}
		for _, o := range r.inv.Objects {
			r.sources[catalog.Source(o.Origin.Source)] = true
		}
		for _, o := range r.inv.Unreadable {
			r.sources[catalog.Source(o.Origin.Source)] = true
		}
	}
	for _, src := range ctl.Sources {
		if r.sources[src] {
			return true
		}
	}
	return false
}

func score(pass, fail float64) *float64 {
	if pass+fail == 0 {
		return nil
	}
	v := 100 * pass / (pass + fail)
	// One decimal is what reports show; rounding here keeps every format consistent.
	v = float64(int(v*10+0.5)) / 10
	return &v
}

func sortedKeys(m map[int]*ExpiredException) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// numSections is the number of guidance sections; catalog.Sections lists them.
const numSections = 5
