// Package table writes the human report (the "table" format, the default): findings grouped by
// object, then input problems, then a summary with the scores.
//
// It is written for a terminal 100 columns wide, because that is what fits a split editor pane
// or a CI log without horizontal scrolling; long messages wrap under their own column rather than
// being cut, so a finding is never shown half. Everything the result holds is printed as plain
// text: control characters are replaced, so a hostile object name cannot move the cursor or
// recolour the terminal. Colour is added only when Options.Color says the output is a terminal.
package table

import (
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/internal/chunkwrite"
	"github.com/kubeharden/kubeharden/internal/swar"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

func init() { report.Register("table", Write) }

// Width is the number of columns the report is laid out for.
const Width = 100

// maxMessageLines caps how many lines one message may take; the JSON report has the full text.
const maxMessageLines = 5

// maxErrors caps the input errors listed; thousands of broken files would bury the summary.
const maxErrors = 25

// labelWidth fits the longest label, "not assessed".
const labelWidth = 12

// ANSI SGR sequences. Only these are ever written, and only when colour is on.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	boldRd = "\x1b[1;31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
)

// Write renders the result as the human report.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	p := &printer{w: &text{}, color: opts.Color, base: opts.BaseDir}
	p.idWidth = idWidth(res)
	p.msgCol = 2 + labelWidth + 2 + p.idWidth + 2
	if err := p.findings(w, res); err != nil {
		return err
	}
	p.inputs(res)
	p.summary(res)
	_, err := w.Write(p.w.bytes())
	return err
}

// findingsPerChunk is about how many findings a worker prints at a time (chunks end where an
// object's findings end): some 100 KiB of text.
const findingsPerChunk = 512

// chunkBytes is the buffer a chunk is printed into: a finding takes one to three lines.
const chunkBytes = findingsPerChunk * 200

// findings writes the findings grouped by object. Large reports are printed in parallel chunks
// that each begin with an object (package chunkwrite); the objects with failures are counted
// into p for the summary.
func (p *printer) findings(w io.Writer, res *engine.Result) error {
	fs := res.Findings
	if len(fs) == 0 {
		return nil
	}
	bounds := []int{0}
	for i := findingsPerChunk; i < len(fs); i++ {
		if fs[i].Object != fs[i-1].Object {
			bounds = append(bounds, i)
			i += findingsPerChunk - 1
		}
	}
	bounds = append(bounds, len(fs))
	var mu sync.Mutex
	var workers []*printer
	err := chunkwrite.Write(w, bounds, func() chunkwrite.Renderer {
		wp := &printer{color: p.color, base: p.base, idWidth: p.idWidth, msgCol: p.msgCol}
		mu.Lock()
		workers = append(workers, wp)
		mu.Unlock()
		return func(b []byte, lo, hi int) []byte {
			wp.w = &text{b}
			// The finding before the chunk belongs to another object: the blank line that
			// separates objects is printed as if the chunks were one.
			wp.obj = nil
			if lo > 0 {
				wp.obj = fs[lo-1].Object
			}
			for i := lo; i < hi; {
				if j := notAssessedRun(fs, i, hi); j-i >= 3 {
					wp.printNotAssessed(fs[i:j])
					i = j
					continue
				}
				wp.printFinding(&fs[i])
				i++
			}
			if hi == len(fs) {
				wp.w.addByte('\n')
			}
			return wp.w.bytes()
		}
	}, chunkwrite.Options{BufferSize: chunkBytes})
	for _, wp := range workers {
		p.failObjects += wp.failObjects
	}
	return err
}

// text is the printer's output, appended to a byte slice by methods small enough to be inlined:
// a report of 71,000 findings makes a few hundred thousand small writes, and bytes.Buffer's
// bookkeeping on each was an eighth of the table's time.
type text struct{ b []byte }

func (t *text) add(s string)   { t.b = append(t.b, s...) }
func (t *text) addByte(c byte) { t.b = append(t.b, c) }
func (t *text) bytes() []byte  { return t.b }

type printer struct {
	w       *text
	color   bool
	base    string
	idWidth int
	msgCol  int
	// obj and file cache the current object's relative file, computed once per object.
	obj  *inventory.Object
	file string
	// failObjects counts the objects with at least one failure; objFailed says whether the
	// current object has one yet. Findings are sorted by object, so no set is needed.
	failObjects int
	objFailed   bool
	// lines is wrap's buffer for the lines of one message.
	lines [maxMessageLines]string
}

func idWidth(res *engine.Result) int {
	n := 5
	if res.Catalog != nil {
		for _, c := range res.Catalog.All() {
			n = max(n, len(c.ID))
		}
	} else {
		for i := range res.Findings {
			n = max(n, len(res.Findings[i].Control.ID))
		}
	}
	return n
}

// paint writes s in the given colour when colour is on.
func (p *printer) paint(c, s string) {
	if p.color && c != "" {
		p.w.add(c)
		p.w.add(s)
		p.w.add(reset)
		return
	}
	p.w.add(s)
}

const blanks = "                                                                "

func (p *printer) spaces(n int) {
	for ; n > len(blanks); n -= len(blanks) {
		p.w.add(blanks)
	}
	if n > 0 {
		p.w.add(blanks[:n])
	}
}

// notAssessedRun returns the end of the run of findings from i (before hi) that are not assessed
// for one reason on one object: an object that could not be read, a kind that could not be
// listed. Chunks end where objects do, so a run never spans two.
func notAssessedRun(fs []engine.Finding, i, hi int) int {
	f := &fs[i]
	if f.Status != engine.StatusNotAssessed || f.Path != "" {
		return i + 1
	}
	j := i + 1
	for j < hi && fs[j].Object == f.Object && fs[j].Status == engine.StatusNotAssessed && fs[j].Path == "" && fs[j].Message == f.Message {
		j++
	}
	return j
}

// note prints "label msg" wrapped to the width, continuation lines indented, the label painted
// in color.
func (p *printer) note(color, label, msg string) {
	for i, l := range wrap(label+" "+msg, Width-2, nil) {
		if i > 0 {
			p.w.add("  ")
		} else {
			p.paint(color, label)
			l = strings.TrimPrefix(l, label)
		}
		p.w.add(l)
		p.w.addByte('\n')
	}
}

// printNotAssessed prints a run from notAssessedRun as one row naming its controls, instead of
// one row per control repeating the same reason (forty of them for a Deployment that did not
// decode).
func (p *printer) printNotAssessed(run []engine.Finding) {
	p.begin(&run[0])
	ids := make([]string, len(run))
	for i := range run {
		ids[i] = run[i].Control.ID
	}
	f := run[0]
	f.Message = f.Message + " (" + strconv.Itoa(len(run)) + " controls: " + strings.Join(ids, ", ") + ")"
	p.finding(&f)
}

// printFinding prints f, after its object's header when f is the object's first finding.
func (p *printer) printFinding(f *engine.Finding) {
	p.begin(f)
	if f.Status == engine.StatusFail && !p.objFailed {
		p.failObjects++
		p.objFailed = true
	}
	p.finding(f)
}

// begin prints the object's header when f is the first finding of its object.
func (p *printer) begin(f *engine.Finding) {
	if f.Object != p.obj {
		if p.obj != nil {
			p.w.addByte('\n')
		}
		p.obj = f.Object
		p.objFailed = false
		p.file = report.RelPath(f.Object.Origin.File, p.base)
		p.header(f.Object)
	}
}

// header prints "Deployment shop/web  (deploy/web.yaml:3)", with the origin's detail for objects
// that do not come from a file.
func (p *printer) header(o *inventory.Object) {
	p.paint(bold, clean(o.Ref().String()))
	var where []string
	if p.file != "" {
		loc := p.file
		if o.Origin.Line > 0 {
			loc += ":" + strconv.Itoa(o.Origin.Line)
		}
		where = append(where, loc)
	}
	if o.Origin.Detail != "" {
		where = append(where, o.Origin.Detail)
	}
	if len(where) > 0 {
		ref := runeCount(o.Ref().String())
		paren := "(" + clean(strings.Join(where, ", ")) + ")"
		if ref+2+runeCount(paren) > Width {
			// A long origin goes on its own line rather than past the right edge.
			p.w.add("\n")
		}
		p.w.add("  ")
		p.paint(dim, paren)
	}
	p.w.addByte('\n')
}

// label is the first column of a finding: the severity of a failure, else the status.
func label(f *engine.Finding) (text, color string) {
	switch f.Status {
	case engine.StatusPass:
		return "passed", green
	case engine.StatusNotAssessed:
		return "not assessed", dim
	case engine.StatusExempt:
		return "exempt", dim
	}
	switch f.Severity {
	case catalog.SeverityCritical:
		return "critical", boldRd
	case catalog.SeverityHigh:
		return "high", red
	case catalog.SeverityMedium:
		return "medium", yellow
	case catalog.SeverityLow:
		return "low", cyan
	}
	return f.Severity.String(), ""
}

// location is where to look: file:line when the line is known, else the field path, else the
// file alone. Passes and not-assessed pairs name no field: the object's header says where the
// object is, so they get no location of their own.
func (p *printer) location(f *engine.Finding) string {
	switch {
	case f.Path == "" && (f.Status == engine.StatusPass || f.Status == engine.StatusNotAssessed):
		return ""
	case p.file != "" && f.Line > 0:
		return report.FindingFile(f, p.file, p.base) + ":" + strconv.Itoa(f.Line)
	case f.Path != "":
		return f.Path
	}
	return p.file
}

func (p *printer) finding(f *engine.Finding) {
	text, color := label(f)
	p.w.add("  ")
	p.paint(color, text)
	p.spaces(labelWidth - len(text) + 2)
	p.w.add(f.Control.ID)
	p.spaces(p.idWidth - len(f.Control.ID) + 2)

	msg := f.Message
	switch {
	case f.Status == engine.StatusPass:
		msg = f.Control.Title
	case msg == "":
		msg = f.Control.Title
	}
	p.wrapped(clean(msg), clean(p.location(f)))
	if f.Status == engine.StatusExempt && f.Exemption != nil {
		p.spaces(p.msgCol)
		p.wrappedColor(dim, clean(exemption(f.Exemption, p.base)))
	}
}

// exemption describes what accepted a failure: the reason, then its limits and provenance.
func exemption(e *engine.Exemption, base string) string {
	var b strings.Builder
	b.WriteString("accepted: ")
	b.WriteString(e.Reason)
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
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, ", ") + ")")
	}
	return b.String()
}

// wrapped prints msg from the message column, wrapping at Width with a hanging indent, and puts
// loc after the last line when it fits there, else on a line of its own. The cursor is already
// at the message column.
func (p *printer) wrapped(msg, loc string) {
	avail := Width - p.msgCol
	// Most messages fit on one line: wrap (and its slice) only for the others.
	var one [1]string
	lines := one[:]
	if one[0] = msg; len(msg) > avail {
		lines = wrap(msg, avail, p.lines[:0])
	}
	for i, l := range lines {
		if i > 0 {
			p.spaces(p.msgCol)
		}
		p.w.add(l)
		if i == len(lines)-1 && loc != "" {
			if n := runeCount(l); n == 0 || n+2+runeCount(loc) <= avail {
				if n > 0 {
					p.w.add("  ")
				}
				p.paint(dim, loc)
				loc = ""
			}
		}
		p.w.addByte('\n')
	}
	if loc != "" {
		p.spaces(p.msgCol)
		p.paint(dim, loc)
		p.w.addByte('\n')
	}
}

// wrappedColor prints a wrapped note in one colour; the cursor is at the message column.
func (p *printer) wrappedColor(color, s string) {
	for i, l := range wrap(s, Width-p.msgCol, nil) {
		if i > 0 {
			p.spaces(p.msgCol)
		}
		p.paint(color, l)
		p.w.addByte('\n')
	}
}

// wrap splits s into lines of at most width runes at spaces, splitting words longer than a line,
// and ends with an ellipsis when the text needs more than maxMessageLines lines. The lines are
// appended to lines (the printer passes a buffer it reuses for every message).
func wrap(s string, width int, lines []string) []string {
	// A string of at most width bytes has at most width runes: most messages stop here.
	if len(s) <= width {
		return append(lines, s)
	}
	ascii := isASCII(s)
	runes := func(x string) int {
		if ascii {
			return len(x)
		}
		return runeCount(x)
	}
	if runes(s) <= width {
		return append(lines, s)
	}
	for first := len(lines); s != ""; {
		if len(lines)-first == maxMessageLines-1 && runes(s) > width {
			lines = append(lines, truncate(s, width))
			break
		}
		if runes(s) <= width {
			lines = append(lines, s)
			break
		}
		// cut is the byte offset just past the width-th rune.
		cut := width
		if !ascii {
			cut = 0
			for n := 0; cut < len(s) && n < width; n++ {
				_, size := utf8.DecodeRuneInString(s[cut:])
				cut += size
			}
		}
		brk := strings.LastIndexByte(s[:cut+1], ' ')
		if brk <= 0 {
			lines = append(lines, s[:cut])
			s = s[cut:]
		} else {
			lines = append(lines, strings.TrimRight(s[:brk], " "))
			s = s[brk+1:]
		}
		s = strings.TrimLeft(s, " ")
	}
	return lines
}

func isASCII(s string) bool {
	return asciiPrefix(s) == len(s)
}

// asciiPrefix returns the length of the ASCII run s starts with, testing eight bytes at a time.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s) && swar.Load64(s[i:i+8])&swar.High == 0; i += 8 {
	}
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	return i
}

// runeCount is utf8.RuneCountInString with the ASCII prefix, the usual whole string, counted
// eight bytes at a time: the table measures every message and location it prints.
func runeCount(s string) int {
	n := asciiPrefix(s)
	return n + utf8.RuneCountInString(s[n:])
}

// truncate shortens s to width runes, the last being an ellipsis.
func truncate(s string, width int) string {
	n := 0
	for i := range s {
		if n == width-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// clean replaces control characters (escape sequences, newlines, tabs) with spaces or U+FFFD so
// that nothing from the scanned objects can change how the terminal behaves.
func clean(s string) string {
	// Printable ASCII, the usual case, needs no decoding; it is checked eight bytes at a time.
	i := 0
	for ; i+8 <= len(s) && printable8(swar.Load64(s[i:i+8])); i += 8 {
	}
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	ok := true
	for _, r := range s[i:] {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r):
			return utf8.RuneError
		}
		return r
	}, s)
}

// printable8 says whether each of the eight bytes in x is printable ASCII (0x20 to 0x7e).
func printable8(x uint64) bool {
	return (swar.Less(x, 0x20)|swar.Has(x, 0x7f)|x)&swar.High == 0 // x: non-ASCII
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// inputs prints what could not be scanned or configured: input errors, skipped files and
// expired exceptions.
func (p *printer) inputs(res *engine.Result) {
	if n := len(res.Errors); n > 0 {
		p.paint(boldRd, "Input errors")
		p.w.add(" (" + strconv.Itoa(n) + "): problems in the input, each with what it left out\n")
		for i, e := range res.Errors {
			if i == maxErrors {
				p.w.add("  ... and " + strconv.Itoa(n-maxErrors) + " more (the JSON report lists them all)\n")
				break
			}
			e.File = report.RelPath(e.File, p.base)
			p.w.add("  ")
			p.w.add(clean(e.Error()))
			p.w.addByte('\n')
		}
		p.w.addByte('\n')
	}
	if n := len(res.Summary.Unavailable); n > 0 {
		// Kinds a live scan could not list: every control that needs them is not assessed, and
		// the user should know which and why before reading the score.
		p.paint(yellow, "Could not be read")
		p.w.add(" (" + plural(n, "kind", "kinds") + "): the controls that need them are not assessed\n")
		kinds := make([]string, 0, n)
		for k := range res.Summary.Unavailable {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			for i, l := range wrap(clean(k+": "+res.Summary.Unavailable[k]), Width-4, nil) {
				if i == 0 {
					p.w.add("  ")
				} else {
					p.w.add("    ")
				}
				p.w.add(l)
				p.w.addByte('\n')
			}
		}
		p.w.addByte('\n')
	}
	extra := false
	if n := len(res.Summary.Inputs.SkippedFiles); n > 0 {
		p.w.add(plural(n, "file was", "files were") + " skipped, not read (the JSON report lists them with the reason).\n")
		extra = true
	}
	for _, e := range res.Summary.Expired {
		p.note(yellow, "Warning:", clean("exception "+e.Exception+" expired on "+e.Expired.Format("2006-01-02")+
			" and no longer applies ("+report.RelSource(e.Source, p.base)+"); "+
			plural(e.Findings, "failure it covered is", "failures it covered are")+" reported again."))
		extra = true
	}
	for _, e := range res.Summary.Unused {
		p.note("", "Note:", clean("exception "+e.Exception+" ("+report.RelSource(e.Source, p.base)+") accepted no failure in this run: it may be stale, or cover files not scanned."))
		extra = true
	}
	if extra {
		p.w.addByte('\n')
	}
}

func (p *printer) summary(res *engine.Result) {
	s := &res.Summary
	p.paint(bold, "Summary")
	p.w.addByte('\n')

	scanned := "  Scanned      " + plural(s.Inputs.Objects, "object", "objects")
	if s.Inputs.Files > 0 {
		scanned += " from " + plural(s.Inputs.Files, "file", "files")
	}
	p.w.add(scanned + " against " + plural(s.Controls, "control", "controls") + "\n")
	// Objects of kinds no check decodes (custom resources, PersistentVolumeClaims) are in the
	// count above but judged only by their apiVersion: a count that seemed to say they were all
	// checked would overstate the assessment.
	switch n := s.Inputs.UnknownKinds; {
	case n == 1:
		p.w.add("               1 of a kind no check reads (only its apiVersion is checked)\n")
	case n > 1:
		p.w.add("               " + strconv.Itoa(n) + " of kinds no check reads (only their apiVersion is checked)\n")
	}

	p.w.add("  Checks       ")
	p.counts(s.Counts)
	p.w.add("  (control and object pairs)\n")

	p.w.add("  Failures     ")
	first := true
	for _, sev := range []catalog.Severity{catalog.SeverityCritical, catalog.SeverityHigh, catalog.SeverityMedium, catalog.SeverityLow} {
		n := s.BySeverity[sev.String()]
		if n == 0 {
			continue
		}
		if !first {
			p.w.add(", ")
		}
		first = false
		_, c := label(&engine.Finding{Status: engine.StatusFail, Severity: sev})
		p.paint(c, strconv.Itoa(n)+" "+sev.String())
	}
	if first {
		p.w.add("none")
	}
	p.w.add("  (failing findings by severity)\n")

	p.w.add("  Scores\n")
	const titleWidth = 46
	for _, sec := range s.Sections {
		p.w.add("    ")
		p.w.add(sec.Title)
		p.spaces(titleWidth - utf8.RuneCountInString(sec.Title))
		p.score(sec.Score)
		if sec.Pass+sec.Fail+sec.NotAssessed+sec.Exempt > 0 {
			p.w.add("   ")
			p.counts(sec.Counts)
		}
		p.w.addByte('\n')
	}
	p.w.add("    ")
	p.paint(bold, "Overall")
	p.spaces(titleWidth - len("Overall"))
	p.score(s.Score)
	p.w.add("\n\n")

	p.final(res)
}

// counts prints the non-zero verdict counts, or "nothing assessed".
func (p *printer) counts(c engine.Counts) {
	var parts []string
	if c.Fail > 0 {
		parts = append(parts, strconv.Itoa(c.Fail)+" failed")
	}
	if c.Pass > 0 {
		parts = append(parts, strconv.Itoa(c.Pass)+" passed")
	}
	if c.NotAssessed > 0 {
		parts = append(parts, strconv.Itoa(c.NotAssessed)+" not assessed")
	}
	if c.Exempt > 0 {
		parts = append(parts, strconv.Itoa(c.Exempt)+" exempt")
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing assessed")
	}
	p.w.add(strings.Join(parts, ", "))
}

// score prints a score right-aligned in five columns, coloured by how good it is.
func (p *printer) score(v *float64) {
	if v == nil {
		p.w.add("  n/a")
		return
	}
	t := strconv.FormatFloat(*v, 'f', 1, 64)
	p.spaces(5 - len(t))
	c := red
	switch {
	case *v >= 90:
		c = green
	case *v >= 70:
		c = yellow
	}
	p.paint(c, t)
}

// final is the one line a user reads first: whether anything failed and whether the results
// can be trusted to be complete.
func (p *printer) final(res *engine.Result) {
	s := &res.Summary
	var line, color string
	findings := 0
	for _, n := range s.BySeverity {
		findings += n
	}
	switch {
	case s.Pass+s.Fail+s.NotAssessed+s.Exempt == 0:
		line, color = "Nothing was assessed: no scanned object matched a control.", yellow
	case s.Fail == 0:
		line, color = "No failures found.", green
		if s.NotAssessed > 0 {
			line = "No failures found, but " + plural(s.NotAssessed, "check", "checks") + " could not be assessed."
			color = yellow
		}
	default:
		line, color = "Found "+plural(findings, "failing finding", "failing findings"), red
		if p.failObjects > 0 {
			line += " on " + plural(p.failObjects, "object", "objects")
		}
		line += "."
	}
	if n := len(res.Errors); n > 0 {
		line += " " + plural(n, "input error", "input errors") + ": results are incomplete."
		color = boldRd
	}
	p.paint(color, line)
	p.w.addByte('\n')
}
