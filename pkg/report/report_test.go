package report_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	_ "github.com/kubeharden/kubeharden/pkg/report/all"
	"github.com/kubeharden/kubeharden/pkg/report/reporttest"
)

var formats = []string{"json", "junit", "sarif", "table", "yaml"}

func TestEveryFormatIsRegistered(t *testing.T) {
	if got := report.Formats(); !slices.Equal(got, formats) {
		t.Fatalf("formats = %v, want %v", got, formats)
	}
}

// TestWritersHandleOddResults: a result with nothing in it, and one built by hand without a
// catalog or summary, must not make any writer fail.
func TestWritersHandleOddResults(t *testing.T) {
	bare := reporttest.Large(3)
	bare.Catalog = nil
	bare.Summary = engine.Summary{}
	for _, name := range formats {
		w, _ := report.Lookup(name)
		for _, res := range []*engine.Result{{}, reporttest.Empty(), bare} {
			var b bytes.Buffer
			if err := w(&b, res, report.Options{}); err != nil || b.Len() == 0 {
				t.Errorf("%s: err %v, %d bytes", name, err, b.Len())
			}
		}
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWritersReportWriteErrors(t *testing.T) {
	res := reporttest.Large(200)
	for _, name := range formats {
		w, _ := report.Lookup(name)
		if err := w(&failingWriter{after: 100}, res, report.Options{}); err == nil {
			t.Errorf("%s: a failing io.Writer must surface as an error", name)
		}
	}
}

// peakWriter samples the heap as output is written, to find the most a writer holds at once.
type peakWriter struct {
	n    int
	peak uint64
}

func (p *peakWriter) Write(b []byte) (int, error) {
	if p.n++; p.n%4 == 1 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		p.peak = max(p.peak, m.HeapAlloc)
	}
	return len(b), nil
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestStreamingWritersStayFlat: table, SARIF and JUnit write a result of many findings holding
// little more than the result itself. The collector runs often here so that garbage does not
// hide what is live. (The JSON and YAML writers build the whole document first and are not
// held to this.)
func TestStreamingWritersStayFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large result")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	const n = 100_000
	before := heap()
	res := reporttest.Large(n)
	base := heap()
	own := base - before
	for _, name := range []string{"table", "sarif", "junit"} {
		w, _ := report.Lookup(name)
		p := &peakWriter{}
		_ = heap()
		if err := w(p, res, report.Options{BaseDir: reporttest.BaseDir}); err != nil {
			t.Fatal(err)
		}
		extra := int64(p.peak) - int64(base)
		t.Logf("%-5s holds at most %5.1f MiB over a result of %5.1f MiB (%d findings)", name, float64(extra)/(1<<20), float64(own)/(1<<20), n)
		if extra > int64(own)/2 {
			t.Errorf("%s: peak heap %d bytes over the result's %d: the writer does not stream", name, extra, own)
		}
	}
	runtime.KeepAlive(res)
}

// BenchmarkFormats compares the formats on one result of 10,000 findings.
func BenchmarkFormats(b *testing.B) {
	res := reporttest.Large(10_000)
	for _, name := range formats {
		w, _ := report.Lookup(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := w(io.Discard, res, report.Options{BaseDir: reporttest.BaseDir}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
