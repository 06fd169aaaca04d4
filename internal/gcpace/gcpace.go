// Package gcpace paces the garbage collector for a command that builds one picture in memory
// (an inventory, its findings), writes a report and exits.
//
// Why: such a command's heap only grows, so most collections find little garbage, and at the
// default GOGC=100 a scan of the shared corpus ran seven of them (a tenth of its CPU time); on a
// live cluster, collecting during the listing cost 30–40 ms of a 300 ms scan. Collecting at an
// eighth of that pace while the live heap is small saves that time for a few megabytes more: a
// scan of the shared corpus, 19 MB allocated in all, then collects only once its files are read
// (at a quarter of the pace, a collection at 16 MB found most of that heap live and cost a tenth
// of the scan's time), and a live scan's listing collects once, at 32 MB. Once the live heap
// passes a ceiling the default pace comes back, so a very large input is held to the usual
// twice-the-live-heap instead of nine times.
package gcpace

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Relaxed is the GOGC used while the live heap is under the ceiling.
const Relaxed = 800

var (
	mu      sync.Mutex
	ceiling uint64
	active  bool
	saved   int
)

// Start collects at GOGC=Relaxed until the live heap after a collection exceeds ceilingBytes,
// then restores the previous GOGC. It does nothing when the user set GOGC (their choice wins) or
// when already started.
func Start(ceilingBytes uint64) {
	if os.Getenv("GOGC") != "" {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if active {
		return
	}
	active, ceiling = true, ceilingBytes
	saved = debug.SetGCPercent(Relaxed)
	watch()
}

// Stop restores the previous GOGC now; commands leave that to the ceiling, tests call it.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	stopLocked()
}

func stopLocked() {
	if active {
		debug.SetGCPercent(saved)
		active = false
	}
}

// watch arms a finalizer that runs after the next collection: it checks the live heap and
// re-arms itself while the relaxed pace is on. A finalizer is the runtime's only hook that runs
// after each collection without polling.
func watch() {
	runtime.SetFinalizer(new(sentinel), func(*sentinel) { afterGC() })
}

// sentinel holds a pointer so that it is allocated on its own: zero-size objects are never
// finalized, and small pointer-free ones may share a block with others and outlive it.
type sentinel struct{ _ *byte }

func afterGC() {
	mu.Lock()
	defer mu.Unlock()
	if !active {
		return
	}
	if liveHeap() > ceiling {
		stopLocked()
		return
	}
	watch()
}

// liveHeap is the heap marked live by the last collection.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
