package report

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// SchemaVersion identifies the JSON/YAML report contract. It changes only when a field is
// removed or changes meaning; new fields may appear within a version.
const SchemaVersion = "kubeharden.io/report/v1"

// Document is the JSON and YAML report. Its shape is a public contract documented in the README.
type Document struct {
	SchemaVersion string                 `json:"schemaVersion"`
	Tool          Tool                   `json:"tool"`
	GeneratedAt   string                 `json:"generatedAt"`
	Summary       engine.Summary         `json:"summary"`
	Findings      []Finding              `json:"findings"`
	Errors        []inventory.InputError `json:"errors"`
}

// Tool names the producer, the guidance edition and the edition of the CIS benchmark whose
// numbers "cis:" references use.
type Tool struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Guidance     string `json:"guidance"`
	CISBenchmark string `json:"cisBenchmark"`
}

// Finding is one row of the report.
type Finding struct {
	Control     string            `json:"control"`
	Title       string            `json:"title"`
	Severity    catalog.Severity  `json:"severity"`
	Section     catalog.Section   `json:"section"`
	Status      engine.Status     `json:"status"`
	Object      inventory.Ref     `json:"object"`
	File        string            `json:"file,omitempty"`
	Line        int               `json:"line,omitempty"`
	Source      string            `json:"source,omitempty"`
	Path        string            `json:"path,omitempty"`
	Message     string            `json:"message,omitempty"`
	Remediation string            `json:"remediation"`
	References  []string          `json:"references"`
	Exemption   *engine.Exemption `json:"exemption,omitempty"`
}

// Build converts a result into the report document. Writers that stream (json, yaml) use
// Header and NewFinding instead, so a report with a million findings is never held twice.
func Build(res *engine.Result, opts Options) *Document {
	d := Header(res, opts)
	d.Findings = make([]Finding, 0, len(res.Findings))
	for i := range res.Findings {
		d.Findings = append(d.Findings, NewFinding(&res.Findings[i], opts))
	}
	return d
}

// Header returns the document without findings: everything but the findings is small.
func Header(res *engine.Result, opts Options) *Document {
	d := &Document{
		SchemaVersion: SchemaVersion,
		Tool: Tool{Name: "kubeharden", Version: opts.ToolVersion, Guidance: "NSA/CISA Kubernetes Hardening Guidance " + catalog.GuidanceVersion,
			CISBenchmark: catalog.CISBenchmark},
		GeneratedAt: res.Started.UTC().Format(time.RFC3339),
		Summary:     res.Summary,
		Findings:    []Finding{},
		Errors:      make([]inventory.InputError, 0, len(res.Errors)),
	}
	d.Summary.Config = RelPath(d.Summary.Config, opts.BaseDir)
	if len(d.Summary.Inputs.SkippedFiles) > 0 {
		skipped := make([]inventory.SkippedFile, len(d.Summary.Inputs.SkippedFiles))
		for i, sf := range d.Summary.Inputs.SkippedFiles {
			sf.File = RelPath(sf.File, opts.BaseDir)
			skipped[i] = sf
		}
		d.Summary.Inputs.SkippedFiles = skipped
	}
	d.Summary.Expired = withRelSources(d.Summary.Expired, func(e *engine.ExpiredException) *string { return &e.Source }, opts.BaseDir)
	d.Summary.Unused = withRelSources(d.Summary.Unused, func(e *engine.UnusedException) *string { return &e.Source }, opts.BaseDir)
	for _, e := range res.Errors {
		e.File = RelPath(e.File, opts.BaseDir)
		d.Errors = append(d.Errors, e)
	}
	return d
}

// NewFinding converts one engine finding into a report row; writers that convert many use a
// Converter.
func NewFinding(f *engine.Finding, opts Options) Finding {
	c := Converter{Options: opts}
	return c.Finding(f)
}

// Converter converts engine findings into report rows, remembering the last object's reference
// and file: findings come grouped by object, a dozen or more per workload, and working those out
// again for each was a tenth of the JSON report's time.
type Converter struct {
	Options Options

	obj  *inventory.Object
	ref  inventory.Ref
	file string
}

// Finding converts f.
func (c *Converter) Finding(f *engine.Finding) Finding {
	if f.Object != c.obj {
		c.obj = f.Object
		c.ref = f.Object.Ref()
		c.file = RelPath(f.Object.Origin.File, c.Options.BaseDir)
	}
	refs := f.Control.References
	if refs == nil {
		refs = []string{}
	}
	ex := f.Exemption
	if ex != nil && c.Options.BaseDir != "" {
		if src := RelSource(ex.Source, c.Options.BaseDir); src != ex.Source {
			e := *ex
			e.Source = src
			ex = &e
		}
	}
	return Finding{
		Control: f.Control.ID, Title: f.Control.Title, Severity: f.Severity, Section: f.Control.Section,
		Status: f.Status, Object: c.ref, File: c.fileOf(f), Line: f.Line,
		Source: f.Object.Origin.Detail, Path: f.Path, Message: f.Message, Remediation: f.Control.Remediation,
		References: refs, Exemption: ex,
	}
}

// fileOf is the file f points at: its object's, or a patch's (engine.Finding.File).
func (c *Converter) fileOf(f *engine.Finding) string {
	return FindingFile(f, c.file, c.Options.BaseDir)
}

// FindingFile is the file a report names for f: objFile, the report's form of the file of f's
// object (worked out once per object), unless f points into another file (a kustomize patch,
// see engine.Finding.File), which is then made relative to base like every other path.
func FindingFile(f *engine.Finding, objFile, base string) string {
	if file := f.File(); file != f.Object.Origin.File {
		return RelPath(file, base)
	}
	return objFile
}

// RelSource shortens the configuration file named in an exception's source ("<file>
// exceptions[2]", see engine.Exemption) like every other path in the report; other sources
// ("annotation ...") are returned as they are.
func RelSource(src, base string) string {
	if i := strings.LastIndex(src, " exceptions["); i > 0 {
		return RelPath(src[:i], base) + src[i:]
	}
	return src
}

// relCache remembers RelPath's answers: reports ask for the same few files thousands of times,
// and each uncached answer costs a getcwd and stat.
var relCache sync.Map

// RelPath makes file relative to base when both are set and file lies under base.
func RelPath(file, base string) string {
	if file == "" || base == "" {
		return file
	}
	key := base + "\x00" + file
	if v, ok := relCache.Load(key); ok {
		return v.(string)
	}
	rel := relPath(file, base)
	relCache.Store(key, rel)
	return rel
}

// workDir is the working directory, asked for once. filepath.Abs asks the system on every call
// (a getcwd and two stats), which for a report naming the 1,600 files of a folder outside the
// working directory was half of the report's time.
var workDir = sync.OnceValues(os.Getwd)

// withRelSources returns a copy of list (the result's own is left as the engine made it) with
// each entry's source relative to base; an empty list comes back as it is.
func withRelSources[T any](list []T, source func(*T) *string, base string) []T {
	if len(list) == 0 {
		return list
	}
	out := slices.Clone(list)
	for i := range out {
		src := source(&out[i])
		*src = RelSource(*src, base)
	}
	return out
}

// AbsPath is filepath.Abs with the working directory asked for once per process, for writers
// that resolve many paths.
func AbsPath(p string) (string, error) { return absPath(p) }

// absPath is filepath.Abs with the working directory asked for once.
func absPath(p string) (string, error) {
	if runtime.GOOS == "windows" || filepath.IsAbs(p) {
		return filepath.Abs(p) // Windows: drive-relative paths need the system's answer
	}
	wd, err := workDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, p), nil
}

func relPath(file, base string) string {
	if file == "" || base == "" {
		return file
	}
	// Common case, and cheap: a relative, clean path inside the working directory is already
	// relative to ".".
	if base == "." && !filepath.IsAbs(file) && filepath.IsLocal(file) {
		return filepath.ToSlash(file)
	}
	absBase, err1 := absPath(base)
	absFile, err2 := absPath(file)
	if err1 != nil || err2 != nil {
		return file
	}
	rel, err := filepath.Rel(absBase, absFile)
	if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
		return file
	}
	return filepath.ToSlash(rel)
}
