package json

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/report"
	"github.com/kubeharden/kubeharden/pkg/report/reporttest"
)

func TestGolden(t *testing.T) {
	for name, full := range map[string]bool{"full": true, "default": false} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, reporttest.Result(full), report.Options{ToolVersion: "v1.2.3", BaseDir: reporttest.BaseDir}); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b.Bytes()) {
				t.Fatal("output is not valid JSON")
			}
			reporttest.Golden(t, name, b.Bytes())
		})
	}
}

// TestTrickyMessageRoundTrips checks that escaping loses nothing: the JSON report is the format
// other tools parse.
func TestTrickyMessageRoundTrips(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, reporttest.Result(false), report.Options{}); err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Findings[0].Message != reporttest.TrickyMessage {
		t.Fatalf("message = %q, want %q", doc.Findings[0].Message, reporttest.TrickyMessage)
	}
}

func BenchmarkWrite(b *testing.B) {
	res := reporttest.Large(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, res, report.Options{BaseDir: reporttest.BaseDir}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLargeMatchesEncodingJSON writes a report of thousands of findings, through the per-control
// text cache and the reused buffers, and requires exactly what encoding/json makes of it.
func TestLargeMatchesEncodingJSON(t *testing.T) {
	res := reporttest.Large(5000)
	opts := report.Options{ToolVersion: "v1.2.3", BaseDir: reporttest.BaseDir}
	var got bytes.Buffer
	if err := Write(&got, res, opts); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := indentInto(&want, report.Build(res, opts), ""); err != nil {
		t.Fatal(err)
	}
	want.WriteByte('\n')
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		i := 0
		for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
			i++
		}
		t.Fatalf("output differs from encoding/json at byte %d of %d: got %q, want %q", i, want.Len(),
			got.Bytes()[i:min(i+80, got.Len())], want.Bytes()[i:min(i+80, want.Len())])
	}
}
