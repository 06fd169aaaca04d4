package table

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	"github.com/kubeharden/kubeharden/pkg/report/reporttest"
)

func render(t testing.TB, res *engine.Result, color bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, res, report.Options{ToolVersion: "v1.2.3", Color: color, BaseDir: reporttest.BaseDir}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		res   *engine.Result
		color bool
	}{
		{"full", reporttest.Result(true), false},
		{"full-color", reporttest.Result(true), true},
		{"default", reporttest.Result(false), false},
		{"empty", reporttest.Empty(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reporttest.Golden(t, tc.name, render(t, tc.res, tc.color))
		})
	}
}

// TestNoColorMeansNoEscapes guards the promise that piped output is plain text.
func TestNoColorMeansNoEscapes(t *testing.T) {
	out := render(t, reporttest.Result(true), false)
	if bytes.ContainsRune(out, 0x1b) {
		t.Fatal("escape sequence written with Color off")
	}
	if !bytes.Contains(render(t, reporttest.Result(true), true), []byte("\x1b[")) {
		t.Fatal("no colour written with Color on")
	}
}

func TestLinesFitTheWidth(t *testing.T) {
	for _, line := range strings.Split(string(render(t, reporttest.Result(true), false)), "\n") {
		// Paths of files and error messages are printed whole; everything wrapped must fit.
		if n := len([]rune(line)); n > Width && !strings.Contains(line, "/") {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

func TestControlCharactersAreNeutralised(t *testing.T) {
	res := reporttest.Result(false)
	res.Findings[0].Message = "bad\x1b[2Jname\nnext\tcol\u0085"
	out := string(render(t, res, false))
	if strings.ContainsAny(out, "\x1b\t\u0085") || strings.Contains(out, "bad\n") {
		t.Fatalf("control characters reached the output:\n%s", out)
	}
}

func TestFinalLine(t *testing.T) {
	last := func(b []byte) string {
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		return lines[len(lines)-1]
	}
	if got := last(render(t, reporttest.Result(false), false)); got != "Found 8 failing findings on 4 objects. 2 input errors: results are incomplete." {
		t.Errorf("final line = %q", got)
	}
	if got := last(render(t, reporttest.Empty(), false)); !strings.HasPrefix(got, "Nothing was assessed") {
		t.Errorf("final line of an empty run = %q", got)
	}
	clean := reporttest.Result(false)
	clean.Errors = nil
	clean.Summary.Fail, clean.Summary.NotAssessed = 0, 0
	clean.Findings = nil
	clean.Summary.BySeverity = map[string]int{}
	if got := last(render(t, clean, false)); got != "No failures found." {
		t.Errorf("final line of a clean run = %q", got)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"ünïcödé wörds", 7, []string{"ünïcödé", "wörds"}},
		{strings.Repeat("word ", 40), 10, []string{"word word", "word word", "word word", "word word", "word word…"}},
	} {
		if got := wrap(tc.in, tc.width, nil); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
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

// TestPrintable8 compares the eight-byte check with a byte-by-byte one: every byte value in every
// position among printable neighbours, and random words.
func TestPrintable8(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x7f {
				return false
			}
		}
		return true
	}
	check := func(b []byte) {
		if got, want := printable8(binary.LittleEndian.Uint64(b)), slow(b); got != want {
			t.Fatalf("printable8(%q) = %v, want %v", b, got, want)
		}
	}
	for pos := range 8 {
		for c := range 256 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 8)
	for range 200000 {
		binary.LittleEndian.PutUint64(b, r.Uint64())
		check(b)
		for i := range b { // mostly printable, the case that matters
			if r.IntN(4) > 0 {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		check(b)
	}
}

// TestChunksMatchOneWorker prints a report large enough to be cut into chunks and requires the
// same bytes from several workers as from one: blank lines between objects across chunk
// boundaries, and the count of failing objects summed over the workers.
func TestChunksMatchOneWorker(t *testing.T) {
	res := reporttest.Large(5000) // 500 objects, ten failures each
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one := render(t, res, false)
	runtime.GOMAXPROCS(4)
	many := render(t, res, false)
	if !bytes.Equal(one, many) {
		i := 0
		for i < min(len(one), len(many)) && one[i] == many[i] {
			i++
		}
		t.Fatalf("4 workers differ from 1 at byte %d: %q, want %q", i, many[i:min(i+80, len(many))], one[i:min(i+80, len(one))])
	}
	if !bytes.Contains(many, []byte("on 500 objects")) {
		t.Fatalf("final line does not count 500 failing objects:\n%s", many[len(many)-300:])
	}
	if n := bytes.Count(many, []byte("\n\nDeployment ")); n != 499 {
		t.Fatalf("%d objects follow a blank line, want 499", n)
	}
}

// TestRuneCount holds the eight-bytes-at-a-time count to utf8's, for every byte at every
// position of a 20-byte string and for random text that is mostly ASCII.
func TestRuneCount(t *testing.T) {
	check := func(s string) {
		if got, want := runeCount(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("runeCount(%q) = %d, want %d", s, got, want)
		}
		if got, want := isASCII(s), !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }); got != want {
			t.Fatalf("isASCII(%q) = %v, want %v", s, got, want)
		}
	}
	for pos := range 20 {
		for c := range 256 {
			b := []byte("container web-0 has ")
			b[pos] = byte(c)
			check(string(b))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 50000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(0x20 + r.IntN(0x5f))
			if r.IntN(10) == 0 {
				b[i] = byte(r.IntN(256))
			}
		}
		check(string(b))
	}
}

// TestNotAssessedRunsAreOneRow: an object not assessed for one reason under many controls (it
// did not decode) gets one row naming the controls; other reasons keep their own rows.
func TestNotAssessedRunsAreOneRow(t *testing.T) {
	res := reporttest.Result(false)
	o := res.Findings[0].Object
	ctls := res.Catalog.All()
	if len(ctls) < 5 {
		t.Fatalf("the test catalog has %d controls", len(ctls))
	}
	var run []engine.Finding
	var ids []string
	for _, c := range ctls[:4] {
		run = append(run, engine.Finding{Control: c, Object: o, Status: engine.StatusNotAssessed, Message: "could not be read: bad port"})
		ids = append(ids, c.ID)
	}
	run = append(run, engine.Finding{Control: ctls[4], Object: o, Status: engine.StatusNotAssessed, Message: "another reason"})
	res.Findings = append(run, res.Findings...)
	out := string(render(t, res, false))
	if n := strings.Count(out, "could not be read: bad port"); n != 1 {
		t.Errorf("the shared reason is printed %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "(4 controls: "+strings.Join(ids, ", ")+")") || !strings.Contains(out, ctls[4].ID) || !strings.Contains(out, "another reason") {
		t.Errorf("want one row for the four controls and one for PS-09:\n%s", out)
	}
}

// TestSummaryCountsUnreadKinds: the objects of kinds no check reads are in the scanned count,
// and the summary says how many they are.
func TestSummaryCountsUnreadKinds(t *testing.T) {
	res := reporttest.Result(false)
	res.Summary.Inputs.Objects, res.Summary.Inputs.UnknownKinds = 2873, 904
	want := "  Scanned      2873 objects from 6 files against 5 controls\n" +
		"               904 of kinds no check reads (only their apiVersion is checked)\n"
	if out := string(render(t, res, false)); !strings.Contains(out, want) {
		t.Errorf("summary lacks\n%s\nin\n%s", want, out)
	}
	res.Summary.Inputs.UnknownKinds = 1
	if out := string(render(t, res, false)); !strings.Contains(out, "\n               1 of a kind no check reads (only its apiVersion is checked)\n") {
		t.Errorf("one unread object:\n%s", out)
	}
}
