package inventory

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestImplyNamespaces(t *testing.T) {
	inv := &Inventory{}
	inv.Add(
		&Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Namespace: "shop", Origin: Origin{File: "web.yaml", Line: 3}},
		&Object{APIVersion: "v1", Kind: "Service", Name: "web", Namespace: "shop"},
		&Object{APIVersion: "v1", Kind: "ConfigMap", Name: "c"}, // lands in "default"
		&Object{APIVersion: "v1", Kind: "Namespace", Name: "declared", Typed: &corev1.Namespace{}},
		&Object{APIVersion: "v1", Kind: "Pod", Name: "p", Namespace: "declared"},
		&Object{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "r"},
	)
	if got := len(inv.OfKind("Namespace")); got != 1 {
		t.Fatalf("before: %d namespaces", got)
	}
	inv.ImplyNamespaces()
	inv.ImplyNamespaces()
	got := map[string]*Object{}
	for _, o := range inv.OfKind("Namespace") {
		got[o.Name] = o
	}
	if len(got) != 3 || got["shop"] == nil || got["default"] == nil || got["declared"].Implied {
		t.Fatalf("namespaces after: %v", got)
	}
	shop := got["shop"]
	if !shop.Implied || shop.Origin.File != "web.yaml" || shop.Origin.Line != 3 || shop.Typed == nil {
		t.Fatalf("implied shop = %+v", shop)
	}
}

func TestLineIndexFallsBackToAncestors(t *testing.T) {
	x := &LineIndex{}
	spec := RootHash.Field("spec", true)
	ctr := spec.Field("containers", false).Index(0)
	x.Add(RootHash, 1)
	x.Add(spec, 5)
	x.Add(ctr, 9)
	ann := RootHash.Field("metadata", true).Field("annotations", false).Field("a.b/c", false)
	x.Add(ann, 3)
	x.Seal()
	cases := map[string]int{
		"spec":               5,
		"spec.containers[0]": 9,
		"spec.containers[0].securityContext.privileged": 9,
		"spec.volumes[2]":               5,
		`metadata.annotations["a.b/c"]`: 3,
		"":                              1,
	}
	for p, want := range cases {
		if got := x.Find(p); got != want {
			t.Errorf("Find(%q) = %d, want %d", p, got, want)
		}
	}
	if p := Field(Field("metadata", "annotations"), "a.b/c"); p != `metadata.annotations["a.b/c"]` || HashPath(p) != ann {
		t.Errorf("Field and PathHash disagree for %q", p)
	}
}

func TestDerivedBuildsOncePerKeyAndResetsOnImply(t *testing.T) {
	type key struct{ name string }
	inv := &Inventory{}
	inv.Add(&Object{APIVersion: "v1", Kind: "Pod", Name: "p", Namespace: "shop"})
	var builds atomic.Int32
	count := func(inv *Inventory) any { builds.Add(1); return len(inv.Objects) }
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n := inv.Derived(key{"objects"}, count).(int); n != 1 {
				t.Errorf("Derived = %d, want 1", n)
			}
		}()
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("built %d times, want once", builds.Load())
	}
	if n := inv.Derived(key{"other"}, count).(int); n != 1 || builds.Load() != 2 {
		t.Fatalf("a second key shares the first's value (n=%d, builds=%d)", n, builds.Load())
	}
	inv.ImplyNamespaces() // adds Namespace shop: derived values must see it
	if n := inv.Derived(key{"objects"}, count).(int); n != 2 {
		t.Fatalf("after ImplyNamespaces Derived = %d, want 2", n)
	}
}

// Sealing must keep the first line added for a path, whichever sort it takes: the plain sort
// when lines were added in document order, the stable one otherwise. The unsealed index (a
// linear scan that returns the first match) is the reference.
func TestLineIndexSealKeepsTheFirstLineAdded(t *testing.T) {
	for _, ascending := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(7, 9))
		ref, x := &LineIndex{}, &LineIndex{}
		var paths []PathHash
		line := 1
		for i := range 3000 {
			h := PathHash(rng.Uint64())
			if i > 0 && rng.IntN(4) == 0 {
				h = paths[rng.IntN(len(paths))] // the same path again, later
			}
			paths = append(paths, h)
			if ascending {
				line += rng.IntN(2)
			} else {
				line = 1 + rng.IntN(5000)
			}
			ref.Add(h, line)
			x.Add(h, line)
		}
		if x.linesAscend() != ascending {
			t.Fatalf("linesAscend = %v for ascending=%v", !ascending, ascending)
		}
		x.Seal()
		for _, h := range paths {
			if got, want := x.lookup(h), ref.lookup(h); got != want {
				t.Fatalf("ascending=%v: sealed lookup %d, first added %d", ascending, got, want)
			}
		}
	}
}

// Indexes built one after another by one LineIndexBuilder, small ones sharing chunks, large
// ones on their own, empty ones too, must each answer exactly as an index built and sealed on
// its own, also after all of them are built (no index may write into another's entries, and none
// may have capacity into its neighbour's). A one-off builder's index costs no chunk.
func TestLineIndexBuilderMatchesSealedIndexes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var b LineIndexBuilder
	type pair struct {
		built, ref *LineIndex
		paths      []PathHash
	}
	var all []pair
	for range 400 {
		n := rng.IntN(60)
		switch rng.IntN(20) {
		case 0:
			n = 0
		case 1:
			n = lineChunk/4 + rng.IntN(lineChunk)
		}
		ref := &LineIndex{}
		var paths []PathHash
		line := 1
		for i := range n {
			h := PathHash(rng.Uint64())
			if i > 0 && rng.IntN(5) == 0 {
				h = paths[rng.IntN(len(paths))]
			}
			paths = append(paths, h)
			line += rng.IntN(3)
			ref.Add(h, line)
			b.Add(h, line)
		}
		ref.Seal()
		all = append(all, pair{b.Index(), ref, paths})
	}
	for i, p := range all {
		if p.built.Len() != p.ref.Len() {
			t.Fatalf("index %d: %d entries, want %d", i, p.built.Len(), p.ref.Len())
		}
		if cap(p.built.entries) != len(p.built.entries) {
			t.Fatalf("index %d: capacity %d beyond its %d entries: an append could write into the next index", i, cap(p.built.entries), len(p.built.entries))
		}
		for _, h := range p.paths {
			if got, want := p.built.lookup(h), p.ref.lookup(h); got != want {
				t.Fatalf("index %d: line %d, want %d", i, got, want)
			}
		}
		if p.built.lookup(PathHash(rng.Uint64())) != 0 {
			t.Fatalf("index %d found a path it does not hold", i)
		}
	}
}

// Get finds an object by kind and effective namespace, returns the first of duplicates, keeps
// kinds apart, sees Namespaces added by ImplyNamespaces after an earlier lookup, and answers
// the same from many goroutines at once.
func TestGet(t *testing.T) {
	first := &Object{APIVersion: "v1", Kind: "ServiceAccount", Name: "app", Namespace: "shop"}
	inv := &Inventory{}
	inv.Add(
		first,
		&Object{APIVersion: "v1", Kind: "ServiceAccount", Name: "app", Namespace: "shop"}, // duplicate
		&Object{APIVersion: "v1", Kind: "ServiceAccount", Name: "app", DefaultNamespace: "dev"},
		&Object{APIVersion: "v1", Kind: "ConfigMap", Name: "app", Namespace: "shop"},
		&Object{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "admin", Namespace: "ignored"},
	)
	if inv.Get("Namespace", "", "shop") != nil {
		t.Fatal("found a Namespace before any was implied")
	}
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if inv.Get("ServiceAccount", "shop", "app") != first {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if wrong.Load() > 0 {
		t.Errorf("%d lookups did not return the first ServiceAccount shop/app", wrong.Load())
	}
	if o := inv.Get("ServiceAccount", "dev", "app"); o == nil || o.DefaultNamespace != "dev" {
		t.Errorf("ServiceAccount dev/app (default namespace) = %v", o)
	}
	if o := inv.Get("ConfigMap", "shop", "app"); o == nil || o.Kind != "ConfigMap" {
		t.Errorf("ConfigMap shop/app = %v", o)
	}
	if inv.Get("ClusterRole", "", "admin") == nil {
		t.Error("cluster-scoped ClusterRole admin not found by its empty namespace")
	}
	if inv.Get("ServiceAccount", "shop", "other") != nil || inv.Get("Secret", "shop", "app") != nil {
		t.Error("found an object that is not there")
	}
	inv.ImplyNamespaces()
	if o := inv.Get("Namespace", "", "shop"); o == nil || !o.Implied {
		t.Errorf("implied Namespace shop = %v", o)
	}
}

func TestLineIndexBuilderFirstIndexHasItsOwnArray(t *testing.T) {
	var b LineIndexBuilder
	b.Add(RootHash, 1)
	b.Add(HashPath("kind"), 2)
	if x := b.Index(); cap(x.entries) != 2 || b.chunk != nil {
		t.Errorf("first index: capacity %d, chunk %d: want an exact array and no chunk", cap(x.entries), cap(b.chunk))
	}
	b.Add(RootHash, 1)
	if x := b.Index(); cap(x.entries) != 1 || cap(b.chunk) != lineChunk {
		t.Errorf("second index: capacity %d, chunk %d: want it laid out in a chunk", cap(x.entries), cap(b.chunk))
	}
}
