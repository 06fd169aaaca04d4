package gcpace

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// waitFor runs collections until cond holds (finalizers run on their own goroutine after a
// collection) or a few seconds pass.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached")
}

// stopRestores stops the pacing and checks that GOGC is back at before.
func stopRestores(t *testing.T, before int) {
	t.Helper()
	Stop()
	if got := gcPercent(); got != before {
		t.Fatalf("GOGC after Stop = %d, want %d", got, before)
	}
}

func TestRelaxedUntilCeiling(t *testing.T) {
	t.Setenv("GOGC", "") // an empty GOGC is unset for Start
	before := gcPercent()
	// Sweep earlier tests' garbage first (see TestTightAboveSecondCeiling).
	runtime.GC()
	Start(64 << 20)
	if got := gcPercent(); got != First {
		t.Fatalf("GOGC after Start = %d, want %d until the first collection", got, First)
	}
	limit := debug.SetMemoryLimit(-1)
	if limit != relaxedLimit*64<<20 {
		t.Fatalf("memory limit after Start = %d, want %d", limit, relaxedLimit*64<<20)
	}
	// The first collection brings the relaxed pace.
	waitFor(t, func() bool { return gcPercent() == Relaxed })
	// Collections with a small live heap keep the relaxed pace.
	for range 3 {
		runtime.GC()
	}
	time.Sleep(10 * time.Millisecond)
	if got := gcPercent(); got != Relaxed {
		t.Fatalf("GOGC after collections under the ceiling = %d, want %d", got, Relaxed)
	}
	// A live heap above the ceiling restores the previous pace.
	big := make([]byte, 96<<20)
	waitFor(t, func() bool { return gcPercent() == before })
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("memory limit after the ceiling = %d, want none", got)
	}
	runtime.KeepAlive(big)
	stopRestores(t, before)
}

func TestTightAboveSecondCeiling(t *testing.T) {
	t.Setenv("GOGC", "")
	before := gcPercent()
	defer func(v uint64) { tightAbove = v }(tightAbove)
	tightAbove = 96 << 20
	// The pace reads the heap right after a collection, unswept garbage included: the garbage
	// of earlier tests (or of the previous run under -count) is swept first, or it would count
	// as live and take the pace straight to the tight one.
	runtime.GC()
	Start(32 << 20)
	defer Stop()
	// Between the two ceilings: the previous pace.
	mid := make([]byte, 48<<20)
	waitFor(t, func() bool { return gcPercent() == before })
	// Above the second: the tight pace, until Stop.
	big := make([]byte, 64<<20)
	waitFor(t, func() bool { return gcPercent() == min(before, Tight) })
	runtime.KeepAlive(mid)
	runtime.KeepAlive(big)
	stopRestores(t, before)
}

// settle runs a collection and waits until the pace has seen it, so that Grown's baseline is
// read before the test allocates.
func settle(t *testing.T) {
	t.Helper()
	mu.Lock()
	before := collections
	mu.Unlock()
	runtime.GC()
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return collections > before
	})
}

// TestGrown checks that Grown counts the heap allocated since the latest collection.
func TestGrown(t *testing.T) {
	t.Setenv("GOGC", "")
	runtime.GC()
	Start(64 << 20)
	defer Stop()
	settle(t)
	kept := make([]byte, 4<<20)
	if got := Grown(); got < 3<<20 {
		t.Errorf("Grown after a 4 MiB allocation = %d, want about 4 MiB (garbage swept meanwhile may offset it a little)", got)
	}
	settle(t)
	if got := Grown(); got >= 1<<20 {
		t.Errorf("Grown right after a collection = %d, want under 1 MiB", got)
	}
	runtime.KeepAlive(kept)
}

// TestStaleWatchIgnored checks that a collection noticed by a watch armed before the latest
// Start (a Stop and a Start in between) does not end that Start's first pace.
func TestStaleWatchIgnored(t *testing.T) {
	t.Setenv("GOGC", "")
	before := gcPercent()
	Start(64 << 20)
	mu.Lock()
	stale := generation
	mu.Unlock()
	Stop()
	Start(64 << 20)
	defer Stop()
	afterGC(stale)
	if got := gcPercent(); got != First {
		t.Errorf("GOGC after a stale watch fired = %d, want %d", got, First)
	}
	stopRestores(t, before)
}

func TestUserGOGCWins(t *testing.T) {
	t.Setenv("GOGC", "150")
	before := gcPercent()
	Start(64 << 20)
	defer Stop()
	if got := gcPercent(); got != before {
		t.Fatalf("GOGC = %d with GOGC set in the environment, want it left at %d", got, before)
	}
}
