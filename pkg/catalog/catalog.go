// Package catalog holds kubeharden's control catalog: the single list of controls, derived from the
// NSA/CISA Kubernetes Hardening Guidance v1.2, that every check, report and command refers to.
//
// The catalog is data (the YAML files under controls/), not code, so that adding a control never
// means touching the commands or the report writers: `controls`, `explain`, SARIF rules, JUnit
// suites and the README tables all read it from here. `go generate` compiles the YAML into
// controls_generated.go, constant data the binary carries without parsing anything at start-up;
// the package's tests fail when the generated file and the YAML disagree. A check that names an
// ID missing from the catalog is a programming error caught by the checks package's tests.
package catalog

import (
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// GuidanceVersion is the edition of the NSA/CISA guidance the catalog follows.
const GuidanceVersion = "1.2 (August 2022)"

// Control is one recommendation of the guidance, made checkable.
type Control struct {
	// ID is stable across releases: exceptions, baselines and SARIF rule IDs depend on it.
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Section  Section  `json:"section"`
	Severity Severity `json:"severity"`
	// Sources lists where the control can be assessed (manifest, cluster, node, auditlog).
	// The engine runs the control's check only on objects from these sources.
	Sources []Source `json:"sources"`
	// Checked says which fields or settings are read and which values pass, in one or two sentences.
	Checked     string `json:"checked"`
	Rationale   string `json:"rationale"`
	Remediation string `json:"remediation"`
	// Example is a YAML snippet showing the hardened setting.
	Example string `json:"example,omitempty"`
	// References name counterparts in other catalogs: "kubescape:C-0057", "trivy:KSV017",
	// "cis:5.2.2" (numbered as in CISBenchmark), "pss:baseline/privileged" (the
	// pod-security-admission level and check ID), "guidance:p12" and plain URLs.
	References []string `json:"references,omitempty"`
}

// HasSource reports whether the control can be assessed on objects from s.
func (c *Control) HasSource(s Source) bool { return slices.Contains(c.Sources, s) }

// Source is where a control's evidence comes from.
type Source string

const (
	SourceManifest Source = "manifest" // YAML/JSON files, Helm charts, Kustomize builds
	SourceCluster  Source = "cluster"  // objects read from a live API server
	SourceNode     Source = "node"     // control-plane and kubelet files, flags and processes
	SourceAuditLog Source = "auditlog" // API server audit events
)

var validSources = []Source{SourceManifest, SourceCluster, SourceNode, SourceAuditLog}

// Catalog is the loaded, validated set of controls.
type Catalog struct {
	controls []*Control
	byID     map[string]*Control
}

// All returns every control, ordered by section and then by ID (numeric-aware).
func (c *Catalog) All() []*Control { return c.controls }

// Sources returns the sources that at least one control can be assessed from, in the order
// manifest, cluster, node, auditlog. A source the catalog format knows but no control uses yet
// (auditlog) is left out: filtering on it can only ever list nothing.
func (c *Catalog) Sources() []Source {
	var out []Source
	for _, src := range validSources {
		for _, ctl := range c.controls {
			if ctl.HasSource(src) {
				out = append(out, src)
				break
			}
		}
	}
	return out
}

// Get returns the control with the given ID (case-insensitive), or nil.
func (c *Catalog) Get(id string) *Control { return c.byID[strings.ToUpper(id)] }

// Filter returns the controls in the given sections (all when empty) at or above minSeverity.
func (c *Catalog) Filter(sections []Section, minSeverity Severity) []*Control {
	var out []*Control
	for _, ctl := range c.controls {
		if len(sections) > 0 && !slices.Contains(sections, ctl.Section) {
			continue
		}
		if ctl.Severity < minSeverity {
			continue
		}
		out = append(out, ctl)
	}
	return out
}

//go:generate go run -tags gencontrols ./internal/gencontrols

// Default returns the catalog compiled into the binary from controls/*.yaml (validated when it
// was generated).
func Default() *Catalog { return defaultCatalog() }

var defaultCatalog = sync.OnceValue(func() *Catalog {
	cat := &Catalog{controls: generatedControls, byID: make(map[string]*Control, len(generatedControls))}
	for _, c := range generatedControls {
		cat.byID[c.ID] = c
	}
	return cat
})

// parseControls reads one catalog file, a YAML list of controls, rejecting fields Control does
// not have (a misspelt field would otherwise silently drop its text). It uses the project's own
// YAML parser rather than sigs.k8s.io/yaml: every command reads the catalog first, and converting
// its 110 KB through JSON took longer than scanning a small folder of manifests.
func parseControls(data []byte) ([]*Control, error) {
	docs, errs := yamldoc.Parse(data, yamldoc.Options{})
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if len(docs) != 1 || docs[0].Root == nil || docs[0].Root.Kind != yamldoc.SequenceNode {
		return nil, fmt.Errorf("a catalog file holds one YAML list of controls")
	}
	root := docs[0].Root
	for _, item := range root.Content {
		if item.Kind != yamldoc.MappingNode {
			return nil, fmt.Errorf("line %d: a control is a mapping", item.Line)
		}
		for i := 0; i < len(item.Content); i += 2 {
			if k := item.Content[i]; !controlFields[k.Value] {
				return nil, fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
			}
		}
	}
	var list []*Control
	if err := yamldoc.Decode(root, &list, yamldoc.Options{}); err != nil {
		return nil, err
	}
	return list, nil
}

// controlFields are the keys a control may have: Control's JSON names.
var controlFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Control]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

// Load reads every controls/*.yaml file of fsys (each a YAML list of controls) and validates it.
func Load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "controls/*.yaml")
	if err != nil {
		return nil, err
	}
	cat := &Catalog{byID: map[string]*Control{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		list, err := parseControls(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, ctl := range list {
			if err := ctl.validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if _, dup := cat.byID[ctl.ID]; dup {
				return nil, fmt.Errorf("%s: duplicate control ID %s", name, ctl.ID)
			}
			cat.byID[ctl.ID] = ctl
			cat.controls = append(cat.controls, ctl)
		}
	}
	sort.SliceStable(cat.controls, func(i, j int) bool {
		a, b := cat.controls[i], cat.controls[j]
		if a.Section != b.Section {
			return a.Section < b.Section
		}
		return LessID(a.ID, b.ID)
	})
	return cat, nil
}

func (c *Control) validate() error {
	switch {
	case c.ID == "" || c.ID != strings.ToUpper(c.ID):
		return fmt.Errorf("control %q: ID must be non-empty and upper case", c.ID)
	case c.Title == "":
		return fmt.Errorf("control %s: missing title", c.ID)
	case c.Section == 0:
		return fmt.Errorf("control %s: missing section", c.ID)
	case c.Severity == 0:
		return fmt.Errorf("control %s: missing severity", c.ID)
	case len(c.Sources) == 0:
		return fmt.Errorf("control %s: missing sources", c.ID)
	case c.Checked == "" || c.Rationale == "" || c.Remediation == "":
		return fmt.Errorf("control %s: checked, rationale and remediation are required", c.ID)
	}
	for _, s := range c.Sources {
		if !slices.Contains(validSources, s) {
			return fmt.Errorf("control %s: unknown source %q", c.ID, s)
		}
	}
	for _, r := range c.References {
		if err := validateReference(r); err != nil {
			return fmt.Errorf("control %s: %w", c.ID, err)
		}
	}
	return nil
}

// referencePrefixes are the catalogs a reference may point into.
var referencePrefixes = []string{"kubescape:", "trivy:", "cis:", "pss:", "guidance:", "https://"}

func validateReference(r string) error {
	for _, p := range referencePrefixes {
		if strings.HasPrefix(r, p) && len(r) > len(p) {
			return nil
		}
	}
	return fmt.Errorf("reference %q must start with one of %v", r, referencePrefixes)
}

// LessID orders IDs such as PS-2 < PS-10 by comparing embedded numbers numerically.
func LessID(a, b string) bool {
	for a != "" && b != "" {
		na, ra := leadingNumber(a)
		nb, rb := leadingNumber(b)
		if na >= 0 && nb >= 0 {
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingNumber(s string) (int, string) {
	i := 0
	n := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i == 0 {
		return -1, s
	}
	return n, s[i:]
}
