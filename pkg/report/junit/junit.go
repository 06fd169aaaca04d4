// Package junit writes the result as JUnit XML (the "junit" format), which GitLab, Jenkins, Azure
// Pipelines and most CI systems render as a test report.
//
// The mapping:
//
//   - one <testsuite> per section of the guidance, named by its title, in document order; a
//     section nothing was assessed in is left out;
//   - one <testcase> per control and object pair that the result lists: classname is the control
//     ID and title, name is the object. Several failing fields of one object make one test case
//     whose <failure> lists them all, typed by the highest severity among them;
//   - not-assessed and exempt pairs are <skipped> with the reason;
//   - input errors are an extra suite "input", one <error> test case each; expired exceptions are
//     that suite's <system-err>.
//
// Counts: passes are listed only with --show-passed and exemptions only with --show-exempt. The
// tests, failures and skipped attributes count exactly the test cases written: CI systems compare
// them with the test cases they read, and a tests attribute of 189 over 43 test cases read as
// pairs gone missing. A <system-out> line says how many pairs of the run are not listed, and how to
// list them; the JSON report's summary has every count.
//
// The writer streams: it makes one pass over the findings per section and holds no copy of them.
package junit

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

func init() { report.Register("junit", Write) }

// Write renders the result as JUnit XML.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	x := &writer{w: bufio.NewWriterSize(w, 64<<10), base: opts.BaseDir}
	if !res.Started.IsZero() {
		x.timestamp = res.Started.UTC().Format("2006-01-02T15:04:05")
	}
	suites := suitesOf(res)

	var total engine.Counts
	for _, s := range suites {
		total.Pass += s.counts.Pass
		total.Fail += s.counts.Fail
		total.NotAssessed += s.counts.NotAssessed
		total.Exempt += s.counts.Exempt
	}
	nerr := len(res.Errors)
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.raw(`<testsuites name="kubeharden"`)
	x.attrInt("tests", total.Pass+total.Fail+total.NotAssessed+total.Exempt+nerr)
	x.attrInt("failures", total.Fail)
	x.attrInt("errors", nerr)
	x.attrInt("skipped", total.NotAssessed+total.Exempt)
	x.raw(">\n")
	for _, s := range suites {
		x.section(res, s)
	}
	if nerr > 0 || len(res.Summary.Expired) > 0 {
		x.inputs(res)
	}
	x.raw("</testsuites>\n")
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// suite is one section's testsuite: the counts of its listed pairs, which its attributes give,
// and the summary's, which its notes compare them with.
type suite struct {
	section catalog.Section
	title   string
	score   *float64
	counts  engine.Counts
	summary engine.Counts
}

func suitesOf(res *engine.Result) []suite {
	listed := map[catalog.Section]*engine.Counts{}
	fs := res.Findings
	for i := 0; i < len(fs); {
		j := pairEnd(fs, i)
		sec := fs[i].Control.Section
		c := listed[sec]
		if c == nil {
			c = &engine.Counts{}
			listed[sec] = c
		}
		switch fs[i].Status {
		case engine.StatusPass:
			c.Pass++
		case engine.StatusFail:
			c.Fail++
		case engine.StatusNotAssessed:
			c.NotAssessed++
		case engine.StatusExempt:
			c.Exempt++
		}
		i = j
	}
	var out []suite
	seen := map[catalog.Section]bool{}
	add := func(sec catalog.Section, title string, score *float64, sum engine.Counts) {
		seen[sec] = true
		s := suite{section: sec, title: title, score: score, summary: sum}
		if l := listed[sec]; l != nil {
			s.counts = *l
		}
		// A section whose pairs are all unlisted passes is still written: its score, and the
		// note that says how many pairs it has.
		if c, a := s.counts, sum; c.Pass+c.Fail+c.NotAssessed+c.Exempt+a.Pass+a.Fail+a.NotAssessed+a.Exempt > 0 {
			out = append(out, s)
		}
	}
	for _, ss := range res.Summary.Sections {
		add(ss.Section, ss.Title, ss.Score, ss.Counts)
	}
	// Sections a hand-built result lists findings for but has no summary of.
	for _, sec := range catalog.Sections {
		if !seen[sec] && listed[sec] != nil {
			add(sec, sec.Title(), nil, engine.Counts{})
		}
	}
	return out
}

// pairEnd returns the index after the findings of the same control and object as fs[i]; they are
// adjacent because findings are sorted by object, then control.
func pairEnd(fs []engine.Finding, i int) int {
	j := i + 1
	for j < len(fs) && fs[j].Object == fs[i].Object && fs[j].Control == fs[i].Control {
		j++
	}
	return j
}

func (x *writer) section(res *engine.Result, s suite) {
	c := s.counts
	x.raw("  <testsuite")
	x.attr("name", s.title)
	x.attr("id", s.section.Key())
	x.attrInt("tests", c.Pass+c.Fail+c.NotAssessed+c.Exempt)
	x.attrInt("failures", c.Fail)
	x.attrInt("errors", 0)
	x.attrInt("skipped", c.NotAssessed+c.Exempt)
	if x.timestamp != "" {
		x.attr("timestamp", x.timestamp)
	}
	x.raw(">\n    <properties>\n")
	score := "n/a"
	if s.score != nil {
		score = strconv.FormatFloat(*s.score, 'f', 1, 64)
	}
	x.property("section", s.section.Key())
	x.property("score", score)
	x.raw("    </properties>\n")

	fs := res.Findings
	for i := 0; i < len(fs); {
		j := pairEnd(fs, i)
		if fs[i].Control.Section == s.section {
			if fs[i].Object != x.obj {
				// Findings are sorted by object: resolve each object's file once.
				x.obj = fs[i].Object
				x.file = report.RelPath(x.obj.Origin.File, x.base)
			}
			x.testcase(fs[i:j])
		}
		i = j
	}

	var notes []string
	if n := s.summary.Pass - s.counts.Pass; !res.ShowPassed && n > 0 {
		notes = append(notes, plural(n, "passing pair is", "passing pairs are")+" not listed; run with --show-passed to list them.")
	}
	if n := s.summary.Exempt - s.counts.Exempt; !res.ShowExempt && n > 0 {
		notes = append(notes, plural(n, "exempt pair is", "exempt pairs are")+" not listed; run with --show-exempt to list them.")
	}
	if len(notes) > 0 {
		x.raw("    <system-out>")
		x.text(strings.Join(notes, "\n"))
		x.raw("</system-out>\n")
	}
	x.raw("  </testsuite>\n")
}

// testcase writes the findings of one control and object pair.
func (x *writer) testcase(fs []engine.Finding) {
	f := &fs[0]
	file := report.FindingFile(f, x.file, x.base)
	x.raw("    <testcase")
	x.attr("classname", f.Control.ID+" "+f.Control.Title)
	x.attr("name", f.Object.Ref().String())
	if file != "" {
		x.attr("file", file)
	}
	switch f.Status {
	case engine.StatusPass:
		x.raw("/>\n")
		return
	case engine.StatusNotAssessed:
		x.raw(">\n      <skipped")
		x.attr("message", "not assessed: "+f.Message)
		x.raw("/>\n    </testcase>\n")
		return
	case engine.StatusExempt:
		x.raw(">\n      <skipped")
		x.attr("message", exemption(f.Exemption, x.base))
		x.raw("/>\n    </testcase>\n")
		return
	}

	sev := f.Severity
	for i := range fs {
		sev = max(sev, fs[i].Severity)
	}
	msg := f.Message
	if msg == "" {
		msg = f.Control.Title
	}
	if len(fs) > 1 {
		msg += " (and " + plural(len(fs)-1, "more failure", "more failures") + ")"
	}
	x.raw(">\n      <failure")
	x.attr("message", msg)
	x.attr("type", sev.String())
	x.raw(">")
	for i := range fs {
		g := &fs[i]
		x.text(g.Severity.String())
		if loc := location(file, g.Line, f.Object.Origin.Detail); loc != "" {
			x.text("  " + loc)
		}
		if g.Path != "" {
			x.text("  " + g.Path)
		}
		x.text("\n" + g.Message + "\n\n")
	}
	x.text("Remediation: " + f.Control.Remediation)
	x.raw("</failure>\n    </testcase>\n")
}

// location is file:line, the file, or the origin of an object that has no file.
func location(file string, line int, detail string) string {
	switch {
	case file != "" && line > 0:
		return file + ":" + strconv.Itoa(line)
	case file != "":
		return file
	}
	return detail
}

func exemption(e *engine.Exemption, base string) string {
	if e == nil {
		return "exempt"
	}
	var extra []string
	if e.Expires != nil {
		extra = append(extra, "until "+e.Expires.Format("2006-01-02"))
	}
	if e.Ticket != "" {
		extra = append(extra, e.Ticket)
	}
	if e.Owner != "" {
		extra = append(extra, "owner "+e.Owner)
	}
	if e.Source != "" {
		extra = append(extra, report.RelSource(e.Source, base))
	}
	s := "exempt: " + e.Reason
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// inputs writes the "input" suite: an error test case per input error, and the expired
// exceptions as warnings.
func (x *writer) inputs(res *engine.Result) {
	n := len(res.Errors)
	x.raw("  <testsuite")
	x.attr("name", "input")
	x.attr("id", "input")
	x.attrInt("tests", n)
	x.attrInt("failures", 0)
	x.attrInt("errors", n)
	x.attrInt("skipped", 0)
	if x.timestamp != "" {
		x.attr("timestamp", x.timestamp)
	}
	x.raw(">\n")
	for _, e := range res.Errors {
		e.File = report.RelPath(e.File, x.base)
		name := location(e.File, e.Line, "")
		if name == "" {
			name = "input"
		}
		x.raw("    <testcase")
		x.attr("classname", "input")
		x.attr("name", name)
		if e.File != "" {
			x.attr("file", e.File)
		}
		x.raw(">\n      <error")
		x.attr("message", e.Message)
		x.attr("type", "input error")
		x.raw(">")
		x.text(e.Error())
		x.raw("</error>\n    </testcase>\n")
	}
	if len(res.Summary.Expired) > 0 {
		x.raw("    <system-err>")
		for i, e := range res.Summary.Expired {
			if i > 0 {
				x.text("\n")
			}
			src := report.RelSource(e.Source, x.base)
			x.text("warning: exception " + e.Exception + " expired on " + e.Expired.Format("2006-01-02") +
				" and no longer applies (" + src + "); " + plural(e.Findings, "failure it covered is", "failures it covered are") + " reported again.")
		}
		x.raw("</system-err>\n")
	}
	x.raw("  </testsuite>\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// writer writes XML through a buffered writer, keeping the first error.
type writer struct {
	w         *bufio.Writer
	base      string
	timestamp string
	err       error
	// obj is the object whose file, relative to base, is file.
	obj  *inventory.Object
	file string
}

func (x *writer) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *writer) property(name, value string) {
	x.raw("      <property")
	x.attr("name", name)
	x.attr("value", value)
	x.raw("/>\n")
}

func (x *writer) attr(name, value string) {
	x.raw(" " + name + `="`)
	x.escape(value, true)
	x.raw(`"`)
}

func (x *writer) attrInt(name string, v int) {
	x.raw(" " + name + `="` + strconv.Itoa(v) + `"`)
}

func (x *writer) text(s string) { x.escape(s, false) }

// escape writes s as XML character data or an attribute value. Characters XML 1.0 cannot carry
// at all (most control characters, invalid UTF-8) become U+FFFD; in attributes, line breaks and
// tabs are written as character references so that parsers do not normalise them to spaces.
func (x *writer) escape(s string, attr bool) {
	if x.err != nil {
		return
	}
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"' && attr:
			esc = "&quot;"
		case r == '\n' && attr:
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case r == '\t' && attr:
			esc = "&#x9;"
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r == utf8.RuneError && size == 1) || (r >= 0xD800 && r <= 0xDFFF):
			esc = "\uFFFD"
		}
		if esc != "" {
			x.w.WriteString(s[last:i])
			x.w.WriteString(esc)
			last = i + size
		}
		i += size
	}
	_, x.err = x.w.WriteString(s[last:])
}
