// Package checks defines what a check is and keeps the registry of all of them. The checks
// themselves live in one subpackage per section of the guidance (pod, network, rbac, secrets,
// controlplane, node, logging, versions), one file per control or close family of controls,
// each opening with a comment that names the fields it reads and the values that pass.
//
// A check is tied to exactly one control of the catalog by ID; the catalog, not the check, owns
// the title, severity, rationale and references, so there is a single list of control IDs.
package checks

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kubeharden/kubeharden/internal/quickfmt"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// Check assesses one control on the objects it matches.
type Check struct {
	// ID is the catalog ID of the control this check implements.
	ID string
	// Match selects the objects the control applies to. Pairs of a control and an object it does
	// not match are not counted anywhere (neither passed nor failed).
	Match func(o *inventory.Object) bool
	// Assess records the object's failures (none means it passes) or says it cannot be assessed.
	// It may read other objects from inv; it must not modify anything.
	Assess func(a *Assessment, o *inventory.Object, inv *inventory.Inventory)
	// Needs lists the other kinds the verdict depends on (NetworkPolicy for a default-deny check,
	// the RBAC kinds for a binding check). When the source could not read one of them (a live
	// cluster that answered Forbidden), the engine reports the pair as not assessed instead of
	// running Assess on a partial picture: "no NetworkPolicy" must not mean "could not list them".
	Needs []string
	// Reads lists other kinds the verdict consults but can do without: when they cannot be
	// read the verdict stands on the object alone (a container's own limits when the
	// namespace's LimitRanges are unknown). A streaming source keeps objects of these kinds, and
	// of the kinds in Needs, whole for the cross-object checks.
	Reads []string
	// Cross says Assess reads objects other than o from the inventory (a check with Needs or
	// Reads does too). A source that streams its objects to the engine (engine.Stream) runs the other
	// checks on each object as soon as it is decoded, before the rest of the input is read, and
	// leaves the cross-object checks until the whole inventory is in.
	Cross bool
	// Gather, on a cross-object check, splits Assess in two so that a streamed object need not
	// keep its decoded value until the inventory is complete: Gather runs as soon as the object
	// is decoded and keeps only what the verdict needs (a few field values, the paths and lines
	// a failure would name), and the Verdict it returns runs once every object is in. A nil
	// Verdict means the control does not apply to the object. Assess may be left nil; it is
	// then Gather followed by its Verdict. A check that has both must reach the same verdicts
	// either way (the engine's tests compare a streamed run with a whole one); a direct Assess
	// spares sources that do not stream the Verdict's allocations.
	Gather func(o *inventory.Object) Verdict
}

// Verdict is the second half of a gathering check (see Check.Gather). It runs on the object's
// record, whose decoded value may have been released (see inventory.Object.Release), so it reads
// only what Gather kept, the record's identity and the rest of the inventory; failures name
// their line with FailLine, since the object's line index may be gone too.
type Verdict func(a *Assessment, o *inventory.Object, inv *inventory.Inventory)

// Pass is the Verdict of a gathering check that found nothing to fail whatever the other
// objects hold.
var Pass Verdict = func(*Assessment, *inventory.Object, *inventory.Inventory) {}

// IsCross reports whether the check reads objects other than the one it assesses.
func (c *Check) IsCross() bool {
	return c.Cross || len(c.Needs) > 0 || len(c.Reads) > 0 || c.Gather != nil
}

// Failure is one offending field of an object.
type Failure struct {
	// Path is the field path (see inventory.Field) of the offending field, or of the place where
	// a missing field belongs.
	Path    string
	Message string
	// Line, when set, is the line of Path in the object's source; otherwise the engine looks it
	// up in the object's line index.
	Line int
	// Severity, when set, overrides the control's severity for this failure (for example a
	// hostPath mount of the container runtime's socket is critical, a read-only one medium).
	Severity catalog.Severity
}

// Assessment collects what a check found about one object.
type Assessment struct {
	Failures []Failure
	// NotAssessedReason is set when the check could not judge the object (missing data, no
	// permission to read what it needs). A not-assessed pair never counts as a pass.
	NotAssessedReason string
	// Skipped is set when the check decided, after matching, that the control does not apply.
	Skipped bool

	// memo holds values shared by the checks of one object (see Memo).
	memoObj *inventory.Object
	memo    []memoEntry
}

type memoEntry struct {
	key, value any
}

// Memo returns the value build computes for key on object o, computing it once however many
// checks of the same object ask. It is for work several controls share, such as running the Pod
// Security Standards checks once for both levels. The engine assesses all checks of an object
// in a row with one Assessment, so the memo only ever holds the current object's values.
func (a *Assessment) Memo(o *inventory.Object, key any, build func() any) any {
	if a.memoObj != o {
		clear(a.memo)
		a.memo, a.memoObj = a.memo[:0], o
	}
	for _, e := range a.memo {
		if e.key == key {
			return e.value
		}
	}
	v := build()
	a.memo = append(a.memo, memoEntry{key, v})
	return v
}

// Fail records a failure at path with the control's severity.
func (a *Assessment) Fail(path, msg string) {
	a.Failures = append(a.Failures, Failure{Path: path, Message: msg})
}

// FailLine records a failure at path whose line the check has already looked up (a Verdict's
// object may no longer have its line index).
func (a *Assessment) FailLine(path string, line int, msg string) {
	a.Failures = append(a.Failures, Failure{Path: path, Line: line, Message: msg})
}

// Failf is Fail with a format (fmt's verbs; %s, %q and %d take a fast path).
func (a *Assessment) Failf(path, format string, args ...any) {
	a.Fail(path, quickfmt.Sprintf(format, args...))
}

// FailSeverity records a failure whose severity differs from the control's.
func (a *Assessment) FailSeverity(sev catalog.Severity, path, msg string) {
	a.Failures = append(a.Failures, Failure{Path: path, Message: msg, Severity: sev})
}

// NotAssessed marks the pair as not assessed, with the reason shown to the user.
func (a *Assessment) NotAssessed(reason string) { a.NotAssessedReason = reason }

// Skip says the control does not apply to this object after all.
func (a *Assessment) Skip() { a.Skipped = true }

// Reset clears the assessment for reuse.
func (a *Assessment) Reset() {
	a.Failures = a.Failures[:0]
	a.NotAssessedReason = ""
	a.Skipped = false
}

var (
	mu       sync.Mutex
	registry = map[string]Check{}
	warmups  []func()
	warmOnce sync.Once
)

// RegisterWarmup adds a one-time preparation that checks would otherwise do lazily inside their
// first assessment (resolving the Pod Security Standards checks, for example). Subpackages call
// it from init.
func RegisterWarmup(f func()) {
	mu.Lock()
	defer mu.Unlock()
	warmups = append(warmups, f)
}

// Warm runs every registered preparation, once. Commands start it in the background while they
// read their input, which takes its cost off the path from input to report.
func Warm() {
	warmOnce.Do(func() {
		mu.Lock()
		fs := slices.Clone(warmups)
		mu.Unlock()
		for _, f := range fs {
			f()
		}
	})
}

// Register adds checks to the registry; subpackages call it from init. Registering the same ID
// twice panics: each control has one check.
func Register(cs ...Check) {
	mu.Lock()
	defer mu.Unlock()
	for _, c := range cs {
		if c.Assess == nil && c.Gather != nil {
			c.Assess = gatherThenJudge(c.Gather)
		}
		if c.ID == "" || c.Match == nil || c.Assess == nil {
			panic(fmt.Sprintf("checks: incomplete check %q", c.ID))
		}
		if _, dup := registry[c.ID]; dup {
			panic("checks: duplicate check for control " + c.ID)
		}
		registry[c.ID] = c
	}
}

// gatherThenJudge is the Assess of a check that only defines Gather: both halves at once, for
// sources that do not stream.
func gatherThenJudge(gather func(*inventory.Object) Verdict) func(*Assessment, *inventory.Object, *inventory.Inventory) {
	return func(a *Assessment, o *inventory.Object, inv *inventory.Inventory) {
		v := gather(o)
		if v == nil {
			a.Skip()
			return
		}
		v(a, o, inv)
	}
}

// All returns the registered checks sorted by ID.
func All() []Check {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Check, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return catalog.LessID(out[i].ID, out[j].ID) })
	return out
}

// Lookup returns the check for a control ID.
func Lookup(id string) (Check, bool) {
	mu.Lock()
	defer mu.Unlock()
	c, ok := registry[id]
	return c, ok
}

// Kinds returns a Match function for objects of the given kinds.
func Kinds(kinds ...string) func(*inventory.Object) bool {
	set := map[string]bool{}
	for _, k := range kinds {
		set[k] = true
	}
	return func(o *inventory.Object) bool { return set[o.Kind] && o.Typed != nil }
}

// Workloads matches objects with a pod template.
func Workloads(o *inventory.Object) bool { return inventory.HasPodTemplate(o) }
