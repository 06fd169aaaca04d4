package versions

// Kubernetes CVEs in the format of the official Kubernetes CVE feed
// (https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json), a JSON
// Feed 1.1 document whose items carry id (the CVE), url, external_url, summary, content_text,
// date_published and a _kubernetes_io extension.
//
// The official feed states affected and fixed versions only in prose. The embedded copy
// (data/cve-feed.json) therefore adds a _kubeharden extension to every item with the affected
// components, a severity and machine-readable ranges; a newer official feed given with
// --cve-feed has no such extension, and its ranges are read from the prose (parseProse), which
// the findings then say.

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

// Feed is a parsed CVE feed.
type Feed struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Items   []CVE  `json:"items"`
}

// CVE is one item of the feed.
type CVE struct {
	ID            string `json:"id"`
	URL           string `json:"url"`
	ExternalURL   string `json:"external_url"`
	Summary       string `json:"summary"`
	ContentText   string `json:"content_text"`
	DatePublished string `json:"date_published"`
	Kubernetes    *struct {
		GoogleGroupURL string `json:"google_group_url"`
		IssueNumber    int    `json:"issue_number"`
	} `json:"_kubernetes_io,omitempty"`
	Kubeharden *Extension `json:"_kubeharden,omitempty"`

	// Heuristic is set when the ranges were read from content_text.
	Heuristic bool `json:"-"`
	// ranges and components are the effective data, from the extension or the prose.
	ranges     []Range
	components []string
	severity   catalog.Severity
}

// Extension is kubeharden's per-item addition to the official format.
type Extension struct {
	// Components are the binaries affected: kube-apiserver, kube-controller-manager,
	// kube-scheduler, kubelet, kube-proxy.
	Components []string `json:"components"`
	Severity   string   `json:"severity"`
	Affected   []Range  `json:"affected"`
}

// Range is a span of affected versions: from Introduced (inclusive; "0" for every earlier
// version) up to Fixed (exclusive), or up to LastAffected (inclusive) when no fix is named.
type Range struct {
	Introduced   string `json:"introduced"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
}

// Components affected on the API server's side and on a node's side. An item that names none
// of them is matched against the API server's version, the one every cluster reports.
var (
	serverComponents = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"}
	nodeComponents   = []string{"kubelet", "kube-proxy"}
)

//go:embed data/cve-feed.json
var embeddedFeedJSON []byte

var (
	embeddedOnce sync.Once
	embedded     *Feed
)

// EmbeddedFeed returns the CVE feed compiled into kubeharden.
func EmbeddedFeed() *Feed {
	embeddedOnce.Do(func() {
		f, err := ParseFeed(embeddedFeedJSON)
		if err != nil {
			panic("versions: embedded CVE feed: " + err.Error())
		}
		embedded = f
	})
	return embedded
}

var (
	feedMu sync.RWMutex
	active *Feed
)

// UseFeed makes UP-08 read f instead of the embedded feed until the returned function is called.
func UseFeed(f *Feed) (restore func()) {
	feedMu.Lock()
	prev := active
	active = f
	feedMu.Unlock()
	return func() {
		feedMu.Lock()
		active = prev
		feedMu.Unlock()
	}
}

func currentFeed() *Feed {
	feedMu.RLock()
	f := active
	feedMu.RUnlock()
	if f == nil {
		return EmbeddedFeed()
	}
	return f
}

// ParseFeed reads a feed in the official format, with or without the _kubeharden extension.
func ParseFeed(data []byte) (*Feed, error) {
	f := &Feed{}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("not a JSON feed: %w", err)
	}
	if !strings.HasPrefix(f.Version, "https://jsonfeed.org/version/") {
		return nil, errors.New(`not a JSON feed: "version" is not https://jsonfeed.org/version/...`)
	}
	for i := range f.Items {
		c := &f.Items[i]
		if c.ID == "" {
			return nil, fmt.Errorf("item %d has no id", i)
		}
		if x := c.Kubeharden; x != nil && len(x.Affected) > 0 {
			for _, r := range x.Affected {
				if err := r.validate(); err != nil {
					return nil, fmt.Errorf("%s: %w", c.ID, err)
				}
			}
			c.ranges, c.components = x.Affected, x.Components
			if x.Severity != "" {
				s, err := catalog.ParseSeverity(x.Severity)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", c.ID, err)
				}
				c.severity = s
			}
			continue
		}
		c.ranges, c.components = parseProse(c.ContentText)
		c.Heuristic = true
	}
	return f, nil
}

// Heuristic returns how many items had their ranges read from prose.
func (f *Feed) Heuristic() int {
	n := 0
	for i := range f.Items {
		if f.Items[i].Heuristic && len(f.Items[i].ranges) > 0 {
			n++
		}
	}
	return n
}

func (r Range) validate() error {
	if r.Introduced != "0" {
		if _, err := ParseVersion(r.Introduced); err != nil {
			return err
		}
	}
	if (r.Fixed == "") == (r.LastAffected == "") {
		return errors.New("a range needs exactly one of fixed and last_affected")
	}
	for _, s := range []string{r.Fixed, r.LastAffected} {
		if s != "" {
			if _, err := ParseVersion(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// contains reports whether v lies in the range.
func (r Range) contains(v Version) bool {
	if r.Introduced != "0" && r.Introduced != "" {
		from, err := ParseVersion(r.Introduced)
		if err != nil || v.Compare(from) < 0 {
			return false
		}
	}
	if r.Fixed != "" {
		to, err := ParseVersion(r.Fixed)
		return err == nil && v.Compare(to) < 0
	}
	last, err := ParseVersion(r.LastAffected)
	return err == nil && v.Compare(last) <= 0
}

// Fix returns the first fixed version at or above v's minor release, or "".
func (c *CVE) Fix(v Version) string {
	best := ""
	var bestV Version
	for _, r := range c.ranges {
		if r.Fixed == "" {
			continue
		}
		fv, err := ParseVersion(r.Fixed)
		if err != nil || fv.Compare(v) <= 0 {
			continue
		}
		if best == "" || fv.Compare(bestV) < 0 {
			best, bestV = r.Fixed, fv
		}
	}
	return best
}

// Severity is the item's severity, or def when the feed gives none.
func (c *CVE) Severity(def catalog.Severity) catalog.Severity {
	if c.severity != 0 {
		return c.severity
	}
	return def
}

// Components returns the components the item affects (possibly none).
func (c *CVE) Components() []string { return c.components }

// Affects reports whether the item affects a component of the given side at version v.
// server selects the API server's side (kube-apiserver, controller manager, scheduler, and
// items naming no component); otherwise the node's side (kubelet, kube-proxy).
func (c *CVE) Affects(v Version, server bool) bool {
	if !c.appliesTo(server) {
		return false
	}
	for _, r := range c.ranges {
		if r.contains(v) {
			return true
		}
	}
	return false
}

func (c *CVE) appliesTo(server bool) bool {
	if len(c.components) == 0 {
		return server
	}
	side := nodeComponents
	if server {
		side = serverComponents
	}
	for _, comp := range c.components {
		if slices.Contains(side, comp) {
			return true
		}
	}
	return false
}

// Matches returns the items that affect version v on the given side.
func (f *Feed) Matches(v Version, server bool) []*CVE {
	var out []*CVE
	for i := range f.Items {
		if c := &f.Items[i]; c.Affects(v, server) {
			out = append(out, c)
		}
	}
	return out
}

// The advisory patterns are compiled on first use: only a feed that needs its prose read asks,
// and compiling them at start-up cost every command.
var (
	versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`v?(\d+\.\d+\.\d+)`) })
	spanRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`v?(\d+\.\d+\.\d+)\s*(?:-|–|to|through)\s*v?(\d+\.\d+\.\d+)`)
	})
	atMostRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:<=|≤|before and including|and earlier|or earlier)\s*v?(\d+\.\d+\.\d+)|v?(\d+\.\d+\.\d+)\s*(?:and earlier|or earlier|and below|or below)`)
	})
	belowRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:<|prior to|before)\s*v?(\d+\.\d+\.\d+)`) })
	componentRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b(kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy)\b`)
	})
)

// parseProse reads affected ranges and components from an advisory's text. Kubernetes
// advisories list them under headings such as "Affected Versions" and "Fixed Versions", one
// component and version (or span) per line: "kubelet v1.27.0 - v1.27.1", "kubelet <= v1.25.9",
// "kube-apiserver v1.27.2". Affected lines win; when there are none, each fixed version X.Y.Z
// implies X.Y.0 up to it, and the oldest fix also covers every earlier release.
func parseProse(text string) ([]Range, []string) {
	var affected []Range
	var fixed []string
	comps := map[string]bool{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		l := strings.ToLower(strings.TrimSpace(line))
		heading := strings.HasPrefix(l, "#") || strings.HasSuffix(l, ":") || strings.HasSuffix(l, "?")
		switch {
		case strings.Contains(l, "affected version"):
			section = "affected"
		case strings.Contains(l, "fixed version"):
			section = "fixed"
		case heading && !versionRE().MatchString(l):
			section = ""
		}
		if heading && !versionRE().MatchString(l) {
			continue
		}
		if section == "" {
			continue
		}
		for _, m := range componentRE().FindAllString(l, -1) {
			comps[m] = true
		}
		switch section {
		case "affected":
			if m := spanRE().FindStringSubmatch(l); m != nil {
				affected = append(affected, Range{Introduced: m[1], LastAffected: m[2]})
			} else if m := atMostRE().FindStringSubmatch(l); m != nil {
				affected = append(affected, Range{Introduced: "0", LastAffected: m[1] + m[2]})
			} else if m := belowRE().FindStringSubmatch(l); m != nil {
				affected = append(affected, Range{Introduced: "0", Fixed: m[1]})
			} else if m := versionRE().FindStringSubmatch(l); m != nil {
				affected = append(affected, Range{Introduced: m[1], LastAffected: m[1]})
			}
		case "fixed":
			for _, m := range versionRE().FindAllStringSubmatch(l, -1) {
				fixed = append(fixed, m[1])
			}
		}
	}
	var cs []string
	for c := range comps {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	if len(affected) > 0 {
		return affected, cs
	}
	if len(fixed) == 0 {
		return nil, cs
	}
	vs := make([]Version, 0, len(fixed))
	for _, s := range fixed {
		if v, err := ParseVersion(s); err == nil && !slices.ContainsFunc(vs, func(o Version) bool { return o.Compare(v) == 0 }) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, Version.Compare)
	var out []Range
	for i, v := range vs {
		intro := "0"
		if i > 0 {
			intro = v.MinorString() + ".0"
		}
		out = append(out, Range{Introduced: intro, Fixed: v.String()})
	}
	return out, cs
}
