// Package bench measures the whole scan pipeline (read, decode, check, report) on the shared
// corpus of real-world manifests. It holds benchmarks only:
//
//	go test -run '^$' -bench . -benchmem -cpu 1,2 ./test/bench
//
// scripts/bench-corpus runs the built binary the way users do and prints wall time, objects per
// second and peak memory.
package bench

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/internal/testutil"
	_ "github.com/kubeharden/kubeharden/pkg/checks/all"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	_ "github.com/kubeharden/kubeharden/pkg/report/all"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// BenchmarkScanCorpus loads and assesses the whole corpus once per iteration and writes the
// JSON report to io.Discard. Run with -cpu 1 for the one-core figure.
func BenchmarkScanCorpus(b *testing.B) {
	dir := testutil.CorpusDir(b)
	write, err := report.Lookup("json")
	if err != nil {
		b.Fatal(err)
	}
	var objects int
	b.ReportAllocs()
	for b.Loop() {
		inv := manifest.Load([]string{dir}, manifest.Options{})
		res, err := engine.Run(inv, engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := write(io.Discard, res, report.Options{}); err != nil {
			b.Fatal(err)
		}
		objects = inv.Stats.Objects
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkHeapGrowth scans a copy of the corpus repeated -scale times (default 100, from
// KUBEHARDEN_BENCH_SCALE) and reports the peak heap growth during the scan divided by the input
// size (heap/input; the target is below 2), and what stays live at the end, inventory and
// results, after a collection (live/input). The inventory keeps typed objects and line
// positions, not the input text. The peak includes the garbage the collector has not yet
// reclaimed, which at Go's default pace may reach the live heap's size again.
func BenchmarkHeapGrowth(b *testing.B) {
	src := testutil.CorpusDir(b)
	scale := 100
	if s := os.Getenv("KUBEHARDEN_BENCH_SCALE"); s != "" {
		if _, err := fmtSscan(s, &scale); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	input, err := replicate(src, dir, scale)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := samplePeakHeap()
		inv := manifest.Load([]string{dir}, manifest.Options{})
		res, err := engine.Run(inv, engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		max := peak()
		runtime.GC()
		var end runtime.MemStats
		runtime.ReadMemStats(&end)
		runtime.KeepAlive(res)
		runtime.KeepAlive(inv)
		growth := float64(max) - float64(base.HeapInuse)
		b.ReportMetric(growth/float64(input), "heap/input")
		b.ReportMetric((float64(end.HeapAlloc)-float64(base.HeapAlloc))/float64(input), "live/input")
		b.ReportMetric(float64(input)/(1<<20), "input-MiB")
		b.ReportMetric(float64(inv.Stats.Objects), "objects")
		b.ReportMetric(float64(len(res.Findings)), "findings")
	}
}

// samplePeakHeap polls the heap every few milliseconds until the returned function is called,
// which returns the highest HeapInuse seen.
func samplePeakHeap() func() uint64 {
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > max.Load() {
				max.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > max.Load() {
			max.Store(ms.HeapInuse)
		}
		return max.Load()
	}
}

// replicate copies every file of src into dst scale times (copy-000/, copy-001/, ...) and returns
// the total size.
func replicate(src, dst string, scale int) (int64, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	var total int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		rel, _ := filepath.Rel(src, f)
		for i := range scale {
			p := filepath.Join(dst, fmtCopy(i), rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return 0, err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return 0, err
			}
			total += int64(len(data))
		}
	}
	return total, nil
}
