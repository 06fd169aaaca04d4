package yaml

import (
	"bytes"
	"io"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/report"
	"github.com/kubeharden/kubeharden/pkg/report/reporttest"
	"sigs.k8s.io/yaml"
)

func TestGolden(t *testing.T) {
	for name, full := range map[string]bool{"full": true, "default": false} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, reporttest.Result(full), report.Options{ToolVersion: "v1.2.3", BaseDir: reporttest.BaseDir}); err != nil {
				t.Fatal(err)
			}
			reporttest.Golden(t, name, b.Bytes())
		})
	}
}

// TestTrickyMessageRoundTrips checks that the YAML reads back to the same message.
func TestTrickyMessageRoundTrips(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, reporttest.Result(false), report.Options{}); err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := yaml.Unmarshal(b.Bytes(), &doc); err != nil {
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
