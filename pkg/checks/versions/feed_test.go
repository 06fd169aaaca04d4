package versions

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

func ids(cs []*CVE) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func mustVersion(t *testing.T, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEmbeddedFeed(t *testing.T) {
	f := EmbeddedFeed()
	if len(f.Items) < 15 {
		t.Fatalf("embedded feed has %d items", len(f.Items))
	}
	for _, c := range f.Items {
		if c.Heuristic || len(c.ranges) == 0 || len(c.components) == 0 || c.severity == 0 {
			t.Errorf("%s: every embedded item needs structured ranges, components and a severity", c.ID)
		}
		if !strings.HasPrefix(c.ID, "CVE-") || c.Summary == "" || c.ContentText == "" || c.DatePublished == "" || c.URL == "" {
			t.Errorf("%s: incomplete item", c.ID)
		}
		for _, r := range c.ranges {
			if r.Fixed == "" {
				t.Errorf("%s: every embedded CVE must name its fix", c.ID)
			}
		}
	}
}

func TestMatcher(t *testing.T) {
	f := EmbeddedFeed()
	cases := []struct {
		version string
		server  bool
		want    []string
	}{
		// CVE-2023-2431 (kubelet): fixed in 1.24.14, 1.25.10, 1.26.5, 1.27.2. Minors older than
		// the oldest fix of a CVE are affected too, so 1.27 kubelets also carry the later kubelet
		// CVEs fixed from 1.28 and 1.29 on.
		{"v1.27.1", false, []string{"CVE-2023-2431", "CVE-2024-10220", "CVE-2025-0426"}},
		{"v1.27.2", false, []string{"CVE-2024-10220", "CVE-2025-0426"}},
		{"v1.30.2", false, []string{"CVE-2024-10220", "CVE-2025-0426"}},
		{"v1.30.3", false, []string{"CVE-2025-0426"}},
		{"v1.30.10", false, nil},
		// API server side of the same release.
		{"v1.27.1", true, []string{"CVE-2023-2727", "CVE-2023-2728", "CVE-2024-3177"}},
		{"v1.27.13", true, nil},
		// CVE-2025-4563 was introduced in 1.32.0: 1.31 is not affected by it.
		{"v1.32.5", true, []string{"CVE-2025-4563"}},
		{"v1.31.14", true, nil},
		{"v1.33.1", true, []string{"CVE-2025-4563"}},
		{"v1.33.2", true, nil},
		// Vendor suffixes are ignored for matching.
		{"v1.27.1-eks-2f008fe", true, []string{"CVE-2023-2727", "CVE-2023-2728", "CVE-2024-3177"}},
		{"v1.37.2", true, nil},
		{"v1.37.2", false, nil},
	}
	for _, c := range cases {
		got := ids(f.Matches(mustVersion(t, c.version), c.server))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s (server %v): got %v, want %v", c.version, c.server, got, c.want)
		}
	}
	var c *CVE
	for _, m := range f.Matches(mustVersion(t, "v1.26.4"), false) {
		if m.ID == "CVE-2023-2431" {
			c = m
		}
	}
	if fix := c.Fix(mustVersion(t, "v1.26.4")); fix != "1.26.5" {
		t.Errorf("fix for 1.26.4 = %q, want 1.26.5", fix)
	}
	if c.Severity(catalog.SeverityHigh) != catalog.SeverityLow {
		t.Errorf("CVE-2023-2431 severity = %v, want low", c.Severity(catalog.SeverityHigh))
	}
}

// The prose parser must agree with the structured ranges on every embedded item: the embedded
// text is written the way Kubernetes advisories list affected and fixed versions.
func TestProseAgreesWithStructuredRanges(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(embeddedFeedJSON, &raw); err != nil {
		t.Fatal(err)
	}
	for _, it := range raw["items"].([]any) {
		delete(it.(map[string]any), "_kubeharden")
	}
	stripped, _ := json.Marshal(raw)
	prose, err := ParseFeed(stripped)
	if err != nil {
		t.Fatal(err)
	}
	if prose.Heuristic() != len(prose.Items) {
		t.Fatalf("%d of %d items parsed from prose", prose.Heuristic(), len(prose.Items))
	}
	structured := EmbeddedFeed()
	probe := []string{}
	for minor := 10; minor <= 38; minor++ {
		for _, patch := range []int{0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20} {
			probe = append(probe, "1."+itoa(minor)+"."+itoa(patch))
		}
	}
	for i := range structured.Items {
		s, p := &structured.Items[i], &prose.Items[i]
		if !slices.Equal(s.components, p.components) {
			t.Errorf("%s: components %v from prose, %v structured", s.ID, p.components, s.components)
		}
		for _, vs := range probe {
			v := mustVersion(t, vs)
			for _, server := range []bool{true, false} {
				if s.Affects(v, server) != p.Affects(v, server) {
					t.Errorf("%s at %s (server %v): structured %v, prose %v", s.ID, vs, server, s.Affects(v, server), p.Affects(v, server))
				}
			}
		}
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n/10)) + string(rune('0'+n%10)))
}

// An item in the official feed's own wording, without kubeharden's extension.
const officialStyleFeed = `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Kubernetes Vulnerability Announcements - CVE Feed",
  "items": [
    {
      "id": "CVE-2099-0001",
      "url": "https://github.com/kubernetes/kubernetes/issues/1",
      "external_url": "https://www.cve.org/cverecord?id=CVE-2099-0001",
      "summary": "Example kubelet issue",
      "content_text": "A security issue was discovered in the kubelet.\n\n#### Am I vulnerable?\n\nClusters running the affected versions.\n\n##### Affected Versions\n\n- kubelet v1.40.0 - v1.40.3\n- kubelet v1.39.0 - v1.39.7\n- kubelet <= v1.38.11\n\n#### How do I mitigate this vulnerability?\n\nUpgrade.\n\n##### Fixed Versions\n\n- kubelet v1.40.4\n- kubelet v1.39.8\n- kubelet v1.38.12\n",
      "date_published": "2099-01-01T00:00:00Z",
      "_kubernetes_io": {"google_group_url": "https://groups.google.com/g/kubernetes-announce/search?q=CVE-2099-0001", "issue_number": 1}
    },
    {
      "id": "CVE-2099-0002",
      "summary": "Only fixed versions given",
      "content_text": "Something in kube-apiserver.\n\nFixed Versions:\n- v1.40.2\n- v1.39.5\n"
    },
    {
      "id": "CVE-2099-0003",
      "summary": "No versions at all",
      "content_text": "A design issue with no fix."
    }
  ]
}`

func TestParseOfficialFeed(t *testing.T) {
	f, err := ParseFeed([]byte(officialStyleFeed))
	if err != nil {
		t.Fatal(err)
	}
	if f.Heuristic() != 2 {
		t.Errorf("Heuristic() = %d, want 2", f.Heuristic())
	}
	k := &f.Items[0]
	if !k.Heuristic || !slices.Equal(k.components, []string{"kubelet"}) {
		t.Errorf("item 0: heuristic %v components %v", k.Heuristic, k.components)
	}
	for v, want := range map[string]bool{"1.40.3": true, "1.40.4": false, "1.39.0": true, "1.39.8": false, "1.38.11": true, "1.38.12": false, "1.20.0": true} {
		if got := k.Affects(mustVersion(t, v), false); got != want {
			t.Errorf("CVE-2099-0001 at %s: %v, want %v", v, got, want)
		}
	}
	if k.Affects(mustVersion(t, "1.40.0"), true) {
		t.Error("a kubelet CVE matched the API server")
	}
	// Fixed versions only: X.Y.0 up to each fix, and everything before the oldest fix.
	a := &f.Items[1]
	for v, want := range map[string]bool{"1.40.1": true, "1.40.2": false, "1.39.4": true, "1.38.20": true, "1.41.0": false} {
		if got := a.Affects(mustVersion(t, v), true); got != want {
			t.Errorf("CVE-2099-0002 at %s: %v, want %v", v, got, want)
		}
	}
	if f.Items[2].Affects(mustVersion(t, "1.0.0"), true) {
		t.Error("an item without versions matched")
	}
}

func TestParseFeedRejects(t *testing.T) {
	for name, data := range map[string]string{
		"not json":     `{`,
		"not a feed":   `{"items": []}`,
		"no id":        `{"version": "https://jsonfeed.org/version/1.1", "items": [{"summary": "x"}]}`,
		"bad range":    `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "CVE-1", "_kubeharden": {"affected": [{"introduced": "0"}]}}]}`,
		"bad severity": `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "CVE-1", "_kubeharden": {"severity": "dire", "affected": [{"introduced": "0", "fixed": "1.2.3"}]}}]}`,
		"bad version":  `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "CVE-1", "_kubeharden": {"affected": [{"introduced": "0", "fixed": "one"}]}}]}`,
	} {
		if _, err := ParseFeed([]byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUP08UsesTheActiveFeed(t *testing.T) {
	inv, ci, nodes := clusterObjects("v1.27.1", "v1.27.1-eks-abc")
	a := run(t, "UP-08", ci, inv)
	got := map[string]bool{}
	for _, f := range a.Failures {
		got[strings.Fields(strings.SplitAfter(f.Message, "affected by ")[1])[0]] = true
		if !strings.Contains(f.Message, "fixed in v1.27.") {
			t.Errorf("message names no fix: %s", f.Message)
		}
	}
	if !got["CVE-2023-2727"] || !got["CVE-2024-3177"] || got["CVE-2023-2431"] {
		t.Errorf("server v1.27.1: %v", got)
	}
	a = run(t, "UP-08", nodes[0], inv)
	if len(a.Failures) != 3 {
		t.Errorf("kubelet v1.27.1-eks: %+v", a.Failures)
	}
	for _, f := range a.Failures {
		if !strings.Contains(f.Message, "vendor build") {
			t.Errorf("no vendor note: %s", f.Message)
		}
		if strings.Contains(f.Message, "CVE-2023-2431") && f.Severity != catalog.SeverityLow {
			t.Errorf("CVE-2023-2431 at %v, want low", f.Severity)
		}
	}

	f, err := ParseFeed([]byte(officialStyleFeed))
	if err != nil {
		t.Fatal(err)
	}
	restore := UseFeed(f)
	inv, _, nodes = clusterObjects("v1.40.3", "v1.40.3")
	a = run(t, "UP-08", nodes[0], inv)
	restore()
	if len(a.Failures) != 1 || !strings.Contains(a.Failures[0].Message, "CVE-2099-0001") || !strings.Contains(a.Failures[0].Message, "advisory text") {
		t.Errorf("with a newer feed: %+v", a.Failures)
	}
	if currentFeed() != EmbeddedFeed() {
		t.Error("restore did not bring back the embedded feed")
	}
}

func TestFeedFileOnDisk(t *testing.T) {
	// The embedded file is valid JSON Feed that other tools can read as is.
	data, err := os.ReadFile("data/cve-feed.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string            `json:"version"`
		Items   []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != "https://jsonfeed.org/version/1.1" || len(doc.Items) == 0 {
		t.Fatalf("data/cve-feed.json: %v %q %d", err, doc.Version, len(doc.Items))
	}
}
