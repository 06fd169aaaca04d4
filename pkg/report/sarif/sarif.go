// Package sarif writes the result as a SARIF 2.1.0 log (the "sarif" format), the input of GitHub
// code scanning and of most code-review and security dashboards.
//
// Choices that a reader of the log may need to know:
//
//   - Rules are every control of the catalog, in catalog order, whether or not it ran or failed.
//     Code scanning closes an alert when a later upload has the rule but no longer the result, so
//     a rule must not vanish from the log just because its last failure was fixed; and fixed rule
//     indices make two logs comparable.
//   - Results are the failures. Exempt failures, when listed (--show-exempt), are results with a
//     suppression: "external" for a configuration exception, "inSource" for the object's own
//     annotation. Passes and pairs that could not be assessed are added only when the scan listed
//     passes (--show-passed), as kind "pass" and kind "open" with level "none": that is their
//     meaning in the SARIF specification, but GitHub ignores kind and would raise every result as
//     an alert, so a default log holds only what needs fixing.
//   - partialFingerprints hash the control, the object's identity, the field path, the file and
//     the shape of the message (its text without quoted names and numbers), never the line, so
//     that editing a manifest above a finding keeps its alert, and two findings of one control on
//     one field that say different things (NS-06: no default-deny ingress policy, none for
//     egress) stay two alerts.
//   - Objects read from a live cluster have no file: their results carry a logical location only.
//     That is valid SARIF, but GitHub code scanning rejects results without a file, so logs of
//     cluster scans are for other consumers.
//   - Input errors are tool execution notifications, and make executionSuccessful false; expired
//     exceptions are configuration notifications.
//
// The log is streamed: results are encoded one at a time, so memory does not grow with the
// number of findings beyond the result itself.
package sarif

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

func init() { report.Register("sarif", Write) }

const (
	// SchemaURI and Version identify SARIF 2.1.0.
	SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	Version   = "2.1.0"
	// InformationURI is the tool's home page.
	InformationURI = "https://github.com/kubeharden/kubeharden"
	// SrcRoot is the base that relative artifact URIs are resolved against: the repository root,
	// which is what GitHub code scanning assumes.
	SrcRoot = "%SRCROOT%"
	// FingerprintKey names kubeharden's fingerprint in partialFingerprints; the version suffix
	// changes only if the hashed fields change.
	FingerprintKey = "kubeharden/v2"
)

// The SARIF objects kubeharden writes, restricted to the properties it fills.

type message struct {
	Text string `json:"text"`
}

type multiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type tool struct {
	Driver driver `json:"driver"`
}

type driver struct {
	Name            string `json:"name"`
	Version         string `json:"version,omitempty"`
	SemanticVersion string `json:"semanticVersion,omitempty"`
	InformationURI  string `json:"informationUri"`
	Rules           []rule `json:"rules"`
}

type rule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     message       `json:"shortDescription"`
	FullDescription      message       `json:"fullDescription"`
	Help                 multiformat   `json:"help"`
	DefaultConfiguration configuration `json:"defaultConfiguration"`
	Properties           ruleProps     `json:"properties"`
}

type configuration struct {
	Level string `json:"level"`
}

type ruleProps struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is what GitHub sorts and labels security alerts by (a CVSS-like score).
	SecuritySeverity string `json:"security-severity"`
	Severity         string `json:"severity"`
	Section          string `json:"section"`
}

type invocation struct {
	ExecutionSuccessful            bool           `json:"executionSuccessful"`
	StartTimeUTC                   string         `json:"startTimeUtc,omitempty"`
	ToolExecutionNotifications     []notification `json:"toolExecutionNotifications,omitempty"`
	ToolConfigurationNotifications []notification `json:"toolConfigurationNotifications,omitempty"`
}

type notification struct {
	Level     string     `json:"level"`
	Message   message    `json:"message"`
	Locations []location `json:"locations,omitempty"`
}

type result struct {
	RuleID              string         `json:"ruleId"`
	RuleIndex           int            `json:"ruleIndex"`
	Kind                string         `json:"kind,omitempty"`
	Level               string         `json:"level"`
	Message             message        `json:"message"`
	Locations           [1]location    `json:"locations"`
	PartialFingerprints fingerprints   `json:"partialFingerprints"`
	Suppressions        []suppression  `json:"suppressions,omitempty"`
	Properties          resultProperty `json:"properties"`
}

type fingerprints struct {
	V1 string `json:"kubeharden/v2"`
}

type location struct {
	PhysicalLocation *physicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []logicalLocation `json:"logicalLocations,omitempty"`
}

type physicalLocation struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
	Region           *region          `json:"region,omitempty"`
}

type artifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type region struct {
	StartLine int `json:"startLine"`
}

type logicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type suppression struct {
	Kind          string             `json:"kind"`
	Status        string             `json:"status"`
	Justification string             `json:"justification"`
	Properties    *suppressionDetail `json:"properties,omitempty"`
}

type suppressionDetail struct {
	Source  string `json:"source,omitempty"`
	Expires string `json:"expires,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Ticket  string `json:"ticket,omitempty"`
}

type resultProperty struct {
	Status   engine.Status `json:"status"`
	Severity string        `json:"severity"`
	Path     string        `json:"path,omitempty"`
	Origin   string        `json:"origin,omitempty"`
}

type runProperties struct {
	Guidance string         `json:"guidance"`
	Score    *float64       `json:"score"`
	Counts   engine.Counts  `json:"counts"`
	Inputs   map[string]int `json:"inputs"`
}

// Write renders the result as a SARIF log.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	s := newStream(w)
	rules, index := rulesOf(res)
	s.raw("{\n  \"$schema\": \"" + SchemaURI + "\",\n  \"version\": \"" + Version + "\",\n  \"runs\": [\n    {\n      \"tool\": ")
	version, sv := opts.ToolVersion, semver(opts.ToolVersion)
	if sv != "" {
		version = sv // consumers compare versions that start with a digit
	}
	s.put("      ", tool{Driver: driver{Name: "kubeharden", Version: version, SemanticVersion: sv,
		InformationURI: InformationURI, Rules: rules}})
	s.raw(",\n      \"invocations\": ")
	s.put("      ", []invocation{invocationOf(res, opts)})
	s.raw(",\n      \"results\": [")
	n := 0
	var (
		r           result
		obj         *inventory.Object
		uri, baseID string
	)
	for i := range res.Findings {
		f := &res.Findings[i]
		if !listed(res, f) {
			continue
		}
		if f.Object != obj {
			// Findings are sorted by object: resolve each object's file once.
			obj = f.Object
			uri, baseID = artifactURI(obj.Origin.File, opts.BaseDir)
			if uri == "" {
				uri, baseID = objectURI(obj.Ref()), ""
			}
		}
		if n > 0 {
			s.raw(",")
		}
		s.raw("\n        ")
		if file := f.File(); file != obj.Origin.File {
			// A field a kustomize patch set is reported in the patch.
			puri, pbase := artifactURI(file, opts.BaseDir)
			fill(&r, f, index[f.Control], puri, pbase)
		} else {
			fill(&r, f, index[f.Control], uri, baseID)
		}
		s.put("        ", &r)
		n++
	}
	if n > 0 {
		s.raw("\n      ")
	}
	s.raw("],\n      \"properties\": ")
	s.put("      ", runProperties{Guidance: "NSA/CISA Kubernetes Hardening Guidance " + catalog.GuidanceVersion,
		Score: res.Summary.Score, Counts: res.Summary.Counts,
		Inputs: map[string]int{"files": res.Summary.Inputs.Files, "objects": res.Summary.Inputs.Objects, "errors": len(res.Errors)}})
	s.raw("\n    }\n  ]\n}\n")
	return s.close()
}

// listed says whether a finding becomes a result; see the package comment.
func listed(res *engine.Result, f *engine.Finding) bool {
	switch f.Status {
	case engine.StatusFail, engine.StatusExempt:
		return true
	}
	return res.ShowPassed
}

// stream writes JSON values one at a time through a buffered writer, keeping the first error.
type stream struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func newStream(w io.Writer) *stream {
	s := &stream{w: bufio.NewWriterSize(w, 64<<10)}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}

func (s *stream) raw(t string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(t)
	}
}

// put writes v indented as if it started on a line indented by prefix, without a final newline.
func (s *stream) put(prefix string, v any) {
	if s.err != nil {
		return
	}
	s.buf.Reset()
	s.enc.SetIndent(prefix, "  ")
	if s.err = s.enc.Encode(v); s.err != nil {
		return
	}
	_, s.err = s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
}

func (s *stream) close() error {
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// rulesOf lists the catalog's controls, then any control a finding names that the catalog lacks
// (only possible with a hand-built result), and indexes them for ruleIndex.
func rulesOf(res *engine.Result) ([]rule, map[*catalog.Control]int) {
	cat := res.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	index := map[*catalog.Control]int{}
	var rules []rule
	add := func(c *catalog.Control) {
		index[c] = len(rules)
		rules = append(rules, ruleOf(c))
	}
	for _, c := range cat.All() {
		add(c)
	}
	for i := range res.Findings {
		if c := res.Findings[i].Control; !hasKey(index, c) {
			add(c)
		}
	}
	return rules, index
}

func hasKey(m map[*catalog.Control]int, c *catalog.Control) bool {
	_, ok := m[c]
	return ok
}

func ruleOf(c *catalog.Control) rule {
	tags := []string{c.Section.Key(), "security"}
	for _, ref := range c.References {
		// URLs are links, not labels: they appear in the help instead.
		if !strings.HasPrefix(ref, "https://") {
			tags = append(tags, ref)
		}
	}
	return rule{
		ID:                   c.ID,
		Name:                 camel(c.Title),
		ShortDescription:     message{Text: c.Title},
		FullDescription:      message{Text: c.Rationale},
		Help:                 help(c),
		DefaultConfiguration: configuration{Level: level(c.Severity)},
		Properties: ruleProps{Tags: tags, SecuritySeverity: securitySeverity(c.Severity),
			Severity: c.Severity.String(), Section: c.Section.Title()},
	}
}

// help explains a rule in plain text and in Markdown: what is checked, why, how to fix it, an
// example and where else the control appears.
func help(c *catalog.Control) multiformat {
	var t, m strings.Builder
	t.WriteString(c.Title + "\n\nWhat is checked: " + c.Checked + "\n\nWhy: " + c.Rationale + "\n\nRemediation: " + c.Remediation)
	m.WriteString("**" + c.Title + "**\n\n**What is checked.** " + c.Checked + "\n\n**Why.** " + c.Rationale + "\n\n**Remediation.** " + c.Remediation)
	if c.Example != "" {
		ex := strings.TrimRight(c.Example, "\n")
		t.WriteString("\n\nExample:\n" + ex)
		m.WriteString("\n\n```yaml\n" + ex + "\n```")
	}
	if len(c.References) > 0 {
		// Spelled out, so that a reader of the alert knows which edition a CIS number is from.
		t.WriteString("\n\nReferences:")
		m.WriteString("\n\n**References.**\n")
		for _, ref := range c.References {
			t.WriteString("\n- " + catalog.DescribeReference(ref))
			if strings.HasPrefix(ref, "https://") {
				m.WriteString("\n- <" + ref + ">")
			} else {
				m.WriteString("\n- " + catalog.DescribeReference(ref) + " (`" + ref + "`)")
			}
		}
	}
	t.WriteString("\n\nNSA/CISA Kubernetes Hardening Guidance " + catalog.GuidanceVersion + ", section " + c.Section.Title() + ". Control " + c.ID + ".")
	m.WriteString("\n\nNSA/CISA Kubernetes Hardening Guidance " + catalog.GuidanceVersion + ", section *" + c.Section.Title() + "*. Control `" + c.ID + "`.")
	return multiformat{Text: t.String(), Markdown: m.String()}
}

// camel turns a title into a Pascal-case rule name: "Pod shares the host's IPC namespace" becomes
// "PodSharesTheHostsIpcNamespace". Acronyms are written like words, as SARIF viewers expect of a
// friendly name; mixed-case words keep their inner capitals ("hostPath" becomes "HostPath").
func camel(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '\u2019'
	}) {
		word = strings.NewReplacer("'", "", "\u2019", "").Replace(word)
		if word == "" {
			continue
		}
		r, size := utf8.DecodeRuneInString(word)
		rest := word[size:]
		if strings.ToUpper(rest) == rest {
			rest = strings.ToLower(rest)
		}
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(rest)
	}
	return b.String()
}

// level maps a severity to the SARIF level of a failure.
func level(s catalog.Severity) string {
	switch s {
	case catalog.SeverityCritical, catalog.SeverityHigh:
		return "error"
	case catalog.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity places each severity inside GitHub's bands (critical > 9.0, high 7.0-8.9,
// medium 4.0-6.9, low 0.1-3.9).
func securitySeverity(s catalog.Severity) string {
	switch s {
	case catalog.SeverityCritical:
		return "9.5"
	case catalog.SeverityHigh:
		return "8.0"
	case catalog.SeverityMedium:
		return "5.5"
	}
	return "3.0"
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

// semver returns the version without its "v" when it is a semantic version, else "".
func semver(v string) string {
	if m := semverRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// fill sets r from f, whose object's file is at uri.
func fill(r *result, f *engine.Finding, ruleIndex int, uri, baseID string) {
	ref := f.Object.Ref()
	*r = result{RuleID: f.Control.ID, RuleIndex: ruleIndex}
	r.Properties = resultProperty{Status: f.Status, Severity: f.Severity.String(), Path: f.Path}
	if f.Object.Origin.File == "" {
		r.Properties.Origin = f.Object.Origin.Detail
	}
	msg := f.Message
	if msg == "" {
		msg = f.Control.Title
	}
	switch f.Status {
	case engine.StatusPass:
		r.Kind, r.Level = "pass", "none"
		r.Message.Text = ref.String() + " passes " + f.Control.ID + " (" + f.Control.Title + ")"
	case engine.StatusNotAssessed:
		r.Kind, r.Level = "open", "none"
		r.Message.Text = ref.String() + " could not be assessed for " + f.Control.ID + ": " + msg
	default:
		r.Level = level(f.Severity)
		r.Message.Text = ref.String() + ": " + msg
	}
	if f.Status == engine.StatusExempt && f.Exemption != nil {
		r.Suppressions = []suppression{suppressionOf(f.Exemption)}
	}

	loc := &r.Locations[0]
	loc.LogicalLocations = []logicalLocation{{Name: ref.Name, FullyQualifiedName: qualifiedName(ref), Kind: "resource"}}
	if uri != "" {
		loc.PhysicalLocation = &physicalLocation{ArtifactLocation: artifactLocation{URI: uri, URIBaseID: baseID}}
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &region{StartLine: f.Line}
		}
	}
	r.PartialFingerprints.V1 = fingerprint(f.Control.ID, ref, f.Path, uri, messageShape(f.Message))
}

// messageShape is a finding's message without what varies from run to run while the problem
// stays the same: quoted names and values, numbers, and the plural ending a count brings ("namespace
// "shop" has 1 workload and no NetworkPolicy" and the same with 3 workloads have one shape).
func messageShape(msg string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; {
		case c == '"':
			quoted = !quoted
		case !quoted && (c < '0' || c > '9'):
			b.WriteByte(c)
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		words[i] = strings.TrimSuffix(w, "s")
	}
	return strings.Join(words, " ")
}

func suppressionOf(e *engine.Exemption) suppression {
	s := suppression{Kind: "external", Status: "accepted", Justification: e.Reason,
		Properties: &suppressionDetail{Source: e.Source, Owner: e.Owner, Ticket: e.Ticket}}
	if strings.HasPrefix(e.Source, "annotation") {
		s.Kind = "inSource"
	}
	if e.Expires != nil {
		s.Properties.Expires = e.Expires.Format(time.DateOnly)
	}
	return s
}

// qualifiedName is "Kind/namespace/name", or "Kind/name" for cluster-scoped objects.
func qualifiedName(ref inventory.Ref) string {
	if ref.Namespace == "" {
		return ref.Kind + "/" + ref.Name
	}
	return ref.Kind + "/" + ref.Namespace + "/" + ref.Name
}

// fingerprint identifies a finding across runs by what it is about, not where it is printed:
// control, object, field, file and the message's shape.
func fingerprint(control string, ref inventory.Ref, path, uri, shape string) string {
	h := sha256.New()
	for _, s := range []string{control, ref.Kind, ref.Namespace, ref.Name, path, uri, shape} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// artifactURI turns a file into a SARIF URI: relative to base (and to %SRCROOT%) when the file
// lies under it or was given relative, else an absolute file URI.
func artifactURI(file, base string) (uri, baseID string) {
	if file == "" {
		return "", ""
	}
	rel := report.RelPath(file, base)
	if !filepath.IsAbs(rel) && !strings.HasPrefix(rel, "/") && !filepath.IsLocal(filepath.FromSlash(rel)) {
		// Outside the base folder ("../x"): a relative URI would climb out of %SRCROOT%.
		if abs, err := report.AbsPath(file); err == nil {
			rel = abs
		}
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") {
		p := filepath.ToSlash(rel)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x becomes /C:/x, as file URIs write drive letters
		}
		return (&url.URL{Scheme: "file", Path: p}).String(), ""
	}
	return (&url.URL{Path: filepath.ToSlash(rel)}).String(), SrcRoot
}

// objectURI is the location of an object read from a live cluster, which has no file: a
// relative path built from the object's identity, cluster/KIND/NAMESPACE/NAME ("_" for a
// cluster-scoped object). GitHub code scanning refuses results without a physical location,
// and accepts paths that are not in the repository (the alert then shows without code).
func objectURI(ref inventory.Ref) string {
	ns := ref.Namespace
	if ns == "" {
		ns = "_"
	}
	return (&url.URL{Path: path.Join("cluster", url.PathEscape(ref.Kind), url.PathEscape(ns), url.PathEscape(ref.Name))}).String()
}

func invocationOf(res *engine.Result, opts report.Options) invocation {
	inv := invocation{ExecutionSuccessful: len(res.Errors) == 0}
	if !res.Started.IsZero() {
		inv.StartTimeUTC = res.Started.UTC().Format(time.RFC3339)
	}
	for _, e := range res.Errors {
		n := notification{Level: "error", Message: message{Text: e.Message}}
		if uri, baseID := artifactURI(e.File, opts.BaseDir); uri != "" {
			pl := &physicalLocation{ArtifactLocation: artifactLocation{URI: uri, URIBaseID: baseID}}
			if e.Line > 0 {
				pl.Region = &region{StartLine: e.Line}
			}
			n.Locations = []location{{PhysicalLocation: pl}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, e := range res.Summary.Expired {
		src := e.Source
		var loc []location
		// The source is "<configuration file> exceptions[<index>]": point at the file.
		if i := strings.LastIndex(src, " exceptions["); i > 0 {
			if uri, baseID := artifactURI(src[:i], opts.BaseDir); uri != "" {
				loc = []location{{PhysicalLocation: &physicalLocation{ArtifactLocation: artifactLocation{URI: uri, URIBaseID: baseID}}}}
			}
		}
		src = report.RelSource(src, opts.BaseDir)
		n := notification{Level: "warning", Locations: loc, Message: message{Text: "exception " + e.Exception + " expired on " +
			e.Expired.Format(time.DateOnly) + " and no longer applies (" + src + "); the failures it covered are reported again"}}
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, n)
	}
	return inv
}
