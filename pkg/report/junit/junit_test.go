package junit

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	"github.com/kubeharden/kubeharden/pkg/report/reporttest"
)

func render(t testing.TB, res *engine.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, res, report.Options{ToolVersion: "v1.2.3", BaseDir: reporttest.BaseDir}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for name, res := range map[string]*engine.Result{"full": reporttest.Result(true), "default": reporttest.Result(false), "empty": reporttest.Empty()} {
		t.Run(name, func(t *testing.T) { reporttest.Golden(t, name, render(t, res)) })
	}
}

type testsuites struct {
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Suites   []testsuite `xml:"testsuite"`
}

type testsuite struct {
	Name     string     `xml:"name,attr"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Errors   int        `xml:"errors,attr"`
	Skipped  int        `xml:"skipped,attr"`
	Cases    []testcase `xml:"testcase"`
	Out      string     `xml:"system-out"`
	Err      string     `xml:"system-err"`
}

type testcase struct {
	Classname string `xml:"classname,attr"`
	Name      string `xml:"name,attr"`
	File      string `xml:"file,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
}

func parse(t *testing.T, b []byte) *testsuites {
	t.Helper()
	var ts testsuites
	if err := xml.Unmarshal(b, &ts); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	return &ts
}

// TestCounts: the attributes count exactly the test cases written, with every pair listed or
// only the failures (CI systems compare the two, and a tests attribute of 189 over 43 test cases
// reads as 146 lost); what is not listed is said in the suite's system-out.
func TestCounts(t *testing.T) {
	for name, res := range map[string]*engine.Result{"full": reporttest.Result(true), "default": reporttest.Result(false)} {
		ts := parse(t, render(t, res))
		var tests, failures, errors, skipped int
		for _, s := range ts.Suites {
			var f, e, sk int
			for _, c := range s.Cases {
				switch {
				case c.Failure != nil:
					f++
				case c.Error != nil:
					e++
				case c.Skipped != nil:
					sk++
				}
			}
			if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
				t.Errorf("%s: suite %q: attributes tests=%d failures=%d errors=%d skipped=%d, cases %d/%d/%d/%d",
					name, s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
			}
			tests, failures, errors, skipped = tests+s.Tests, failures+s.Failures, errors+s.Errors, skipped+s.Skipped
		}
		if ts.Tests != tests || ts.Failures != failures || ts.Errors != errors || ts.Skipped != skipped {
			t.Errorf("%s: testsuites totals %+v do not add up", name, ts)
		}
		if s := res.Summary; ts.Failures != s.Fail || ts.Errors != len(res.Errors) {
			t.Errorf("%s: totals %+v, summary %+v", name, ts, s.Counts)
		}
		out := ts.Suites[0].Out
		if name == "full" && out != "" {
			t.Errorf("full output notes unlisted pairs: %q", out)
		}
		if name == "default" && (!strings.Contains(out, "8 passing pairs are not listed") || !strings.Contains(out, "--show-passed") || !strings.Contains(out, "--show-exempt")) {
			t.Errorf("default output does not say what is not listed: %q", out)
		}
	}
}

func TestContent(t *testing.T) {
	ts := parse(t, render(t, reporttest.Result(true)))
	names := []string{}
	for _, s := range ts.Suites {
		names = append(names, s.Name)
	}
	if strings.Join(names, "|") != "Kubernetes Pod security|Network separation and hardening|input" {
		t.Fatalf("suites = %q", names)
	}
	var tricky, grouped, cluster bool
	for _, c := range ts.Suites[0].Cases {
		switch {
		case c.Classname == "PS-01 Container may run as root" && c.Name == "Deployment shop/web":
			tricky = c.Failure != nil && c.Failure.Message == reporttest.TrickyMessage && c.Failure.Type == "high" && c.File == "deploy/web.yaml"
		case c.Classname == "PS-20 Seccomp profile missing or unconfined" && c.Name == "Deployment shop/web":
			grouped = c.Failure != nil && c.Failure.Type == "high" && strings.Count(c.Failure.Body, "securityContext\n") == 2 &&
				strings.Contains(c.Failure.Body, "deploy/web.yaml:31") && strings.Contains(c.Failure.Body, "Remediation: ")
		case c.Name == "Pod kube-system/etcd" && c.Failure != nil:
			cluster = c.File == "" && strings.Contains(c.Failure.Body, "cluster prod-eu")
		}
	}
	if !tricky || !grouped || !cluster {
		t.Errorf("tricky %v, grouped %v, cluster %v", tricky, grouped, cluster)
	}
	in := ts.Suites[2]
	if len(in.Cases) != 2 || in.Cases[0].Name != "deploy/broken.yaml:7" || in.Cases[0].Error == nil || !strings.Contains(in.Err, "expired on 2026-03-31") {
		t.Errorf("input suite = %+v", in)
	}
}

func TestEscapeInvalidCharacters(t *testing.T) {
	res := reporttest.Result(false)
	res.Findings[0].Message = "nul\x00 esc\x1b bad\xff line\nbreak \"q\" <&>"
	ts := parse(t, render(t, res))
	got := ts.Suites[0].Cases[0].Failure.Message
	if got != "nul\uFFFD esc\uFFFD bad\uFFFD line\nbreak \"q\" <&>" {
		t.Errorf("message = %q", got)
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
