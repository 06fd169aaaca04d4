// Package gcpace paces the garbage collector for a command that builds one picture in memory
// (an inventory, its findings), writes a report and exits.
//
// Why: such a command's heap only grows, so most collections find little garbage, and at the
// default GOGC=100 a scan of the shared corpus ran seven of them (a tenth of its CPU time); on a
// live cluster, collecting during the listing cost 30–40 ms of a 300 ms scan. Collecting at an
// eighth of that pace while the live heap is small saves that time for a few megabytes more,
// after one early collection: the pace is GOGC=First until the first collection, which then
// comes at 10 MiB. A scan streams its objects, so most of what its reading allocates is garbage
// soon: collected once partway through the reading, it is reused by the rest of it, and the scan
// of the shared corpus (19 MB allocated in all) peaks at 41.2 MiB instead of 43.6 (37 instead of
// 41 on one core) in the same time, its reading done with that one collection instead of one at
// its end. A live scan's listing collects early too, then at the relaxed pace. Once the live heap
// passes a ceiling the default pace comes back, so a very large input is held to the usual
// twice-the-live-heap instead of nine times. Past TightAbove of live heap the pace tightens to
// GOGC=Tight: an input that large (hundreds of megabytes of manifests) runs out of memory
// before it runs out of time, and a collection every half live heap instead of every whole one
// keeps the peak near one and a half times what is live. On a scan of 330 MiB of manifests the
// collector then took 9% of the CPU time instead of 5%, and the peak resident memory fell from
// 710-720 MiB to 655-675 MiB.
package gcpace

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// Relaxed is the GOGC used while the live heap is under the ceiling.
const Relaxed = 800

// First is the GOGC used from Start until the first collection: with the heap at the runtime's
// smallest goal (4 MiB at GOGC=100, scaled by GOGC), that collection comes at 10 MiB.
const First = 250

// Tight is the GOGC used once the live heap passes TightAbove.
const (
	Tight      = 50
	TightAbove = 256 << 20
)

var (
	mu      sync.Mutex
	ceiling uint64
	// active says a pace of this package's is in force or may come (Stop restores saved);
	// relaxed says it is still the relaxed one; first says no collection has come since Start,
	// so the pace is First.
	active, relaxed, first bool
	// lastLive is the heap read right after the latest collection (see Grown).
	lastLive uint64
	// generation counts Starts: a watch armed before the latest Start is stale and ignored.
	generation int
	// collections counts the collections afterGC has seen; tests wait on it.
	collections int
	saved       int
	savedLimit  int64
	// tightAbove is TightAbove; tests lower it.
	tightAbove uint64 = TightAbove
)

// Start collects at GOGC=First until the first collection, then at GOGC=Relaxed until the live
// heap after a collection exceeds ceilingBytes, then at the previous GOGC until it exceeds
// TightAbove, then at GOGC=Tight (or the previous GOGC, if lower). It does nothing when the user
// set GOGC (their choice wins) or when already started.
func Start(ceilingBytes uint64) {
	if os.Getenv("GOGC") != "" {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if active {
		return
	}
	active, relaxed, first, ceiling, lastLive = true, true, true, ceilingBytes, 0
	generation++
	saved = debug.SetGCPercent(First)
	// The ceiling is checked after a collection, and at the relaxed pace the next one comes
	// when the heap is nine times what was live: an input that grows fast would pass far
	// beyond the ceiling first (a scan of 330 MiB of manifests reached 480 MB before its
	// second collection). A soft memory limit makes that collection come sooner. It is set
	// only when the user set none (GOMEMLIMIT), and lifted with the relaxed pace.
	savedLimit = debug.SetMemoryLimit(-1)
	if savedLimit == math.MaxInt64 {
		debug.SetMemoryLimit(int64(relaxedLimit * ceilingBytes))
	}
	watch()
}

// relaxedLimit is the soft memory limit during the relaxed pace, in ceilings.
const relaxedLimit = 4

// endRelaxed restores the pace and memory limit that Start found.
func endRelaxed() {
	debug.SetGCPercent(saved)
	debug.SetMemoryLimit(savedLimit)
	relaxed = false
}

// Stop restores the previous GOGC now; commands leave that to the ceiling, tests call it.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	stopLocked()
}

func stopLocked() {
	if active {
		endRelaxed()
		active = false
	}
}

// watch arms a finalizer that runs after the next collection: it checks the live heap and
// re-arms itself until the tight pace is on. A finalizer is the runtime's only hook that runs
// after each collection without polling.
func watch() {
	g := generation
	runtime.SetFinalizer(new(sentinel), func(*sentinel) { afterGC(g) })
}

// sentinel holds a pointer so that it is allocated on its own: zero-size objects are never
// finalized, and small pointer-free ones may share a block with others and outlive it.
type sentinel struct{ _ *byte }

// afterGC runs after a collection, for the watch armed in generation g.
func afterGC(g int) {
	mu.Lock()
	defer mu.Unlock()
	if !active || g != generation {
		return
	}
	collections++
	live := Heap()
	lastLive = live
	if first {
		// Still relaxed: only this call or Stop ends that, and Stop makes the watch inactive.
		first = false
		debug.SetGCPercent(Relaxed)
	}
	switch {
	case live > tightAbove:
		endRelaxed()
		debug.SetGCPercent(min(saved, Tight))
		return // the last change: nothing more to watch for
	case relaxed && live > ceiling:
		endRelaxed()
	}
	watch()
}

// Grown is how much the heap has grown since the latest collection this package saw after Start
// (the whole heap when it saw none, as when the user set GOGC): the garbage that collecting now
// would let later work reuse, give or take what is still live. It under-reports by what was
// allocated between the collection and the moment its end was noticed (a finalizer runs once
// the sweeper reaches it): a few MiB at most, which matters only for inputs near the threshold
// callers compare it with.
func Grown() uint64 {
	mu.Lock()
	last := lastLive
	mu.Unlock()
	if h := Heap(); h > last {
		return h - last
	}
	return 0
}

// Heap is the heap's allocated bytes, garbage not yet swept included. Read right after a
// collection it is what the collection found live, give or take what was allocated since.
// (Package runtime/metrics has exact figures, but its initialisation costs every process over a
// millisecond; runtime.ReadMemStats stops the world for a moment, which a few reads a run
// afford.)
func Heap() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
