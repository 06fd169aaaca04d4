// Package bench measures the whole scan pipeline (read, decode, check, report) on the shared
// corpus of real-world manifests. It holds benchmarks only:
//
//	go test -run '^$' -bench . -benchmem -cpu 1,2 ./test/bench
//
// scripts/bench-corpus runs the built binary the way users do and prints wall time, objects per
// second and peak memory.
package bench

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/internal/cli"
	"github.com/kubeharden/kubeharden/internal/testutil"
	_ "github.com/kubeharden/kubeharden/pkg/checks/all"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
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
		res, inv := scan(b, dir)
		if err := write(io.Discard, res, report.Options{}); err != nil {
			b.Fatal(err)
		}
		objects = inv.Stats.Objects
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkHeapGrowth runs `kubeharden scan -o json` in the benchmark's process on a copy of
// the corpus repeated -scale times (default 100, from KUBEHARDEN_BENCH_SCALE), as users run it:
// objects assessed while they are read, the collector paced by the command. It reports the peak
// heap growth during the run divided by the input size (heap/input; the target is below 2).
// The peak includes the garbage the collector has not yet reclaimed.
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
	report := filepath.Join(b.TempDir(), "report.json")
	var errs bytes.Buffer
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := samplePeakHeap()
		errs.Reset()
		code := cli.Main([]string{"scan", dir, "-o", "json", "--output-file", report}, cli.Streams{In: strings.NewReader(""), Out: io.Discard, Err: &errs})
		max := peak()
		if code != 0 && code != 1 && code != 2 {
			b.Fatalf("exit %d: %s", code, errs.String())
		}
		b.ReportMetric((float64(max)-float64(base.HeapInuse))/float64(input), "heap/input")
		b.ReportMetric(float64(input)/(1<<20), "input-MiB")
	}
}

// scan reads and assesses dir as the scan command does: each object is assessed as it is read.
func scan(b *testing.B, dir string) (*engine.Result, *inventory.Inventory) {
	st, err := engine.NewStream(engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	inv := manifest.Load([]string{dir}, manifest.Options{Stream: st})
	res, err := st.Finish(inv)
	if err != nil {
		b.Fatal(err)
	}
	return res, inv
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
