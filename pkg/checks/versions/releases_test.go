package versions

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.28.3": "1.28.3", "1.28": "1.28.0", "v1.29.3-eks-adc7111": "1.29.3", "v1.28.5+k3s1": "1.28.5",
		"v1.27.8-gke.1067000": "1.27.8", "v1.30.0-rc.1": "1.30.0",
	} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, bad := range []string{"", "v1", "latest", "v1.x.3", "1.2.3.4", "v-1.2"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded", bad)
		}
	}
}

func TestReleaseTableIsWellFormed(t *testing.T) {
	if _, err := parseReleases(releasesJSON); err != nil {
		t.Fatal(err)
	}
	prevEOL := time.Time{}
	for _, r := range Releases().Releases {
		rel := day(r.Released)
		if !r.eol.After(rel.AddDate(0, 9, 0)) || r.eol.After(rel.AddDate(0, 18, 0)) {
			t.Errorf("%s: end of life %s is not 9 to 18 months after release %s", r.Minor, r.EndOfLife, r.Released)
		}
		if !r.eol.After(prevEOL) {
			t.Errorf("%s: end of life %s is not after the previous release's", r.Minor, r.EndOfLife)
		}
		prevEOL = r.eol
	}
	// Once a release is marked projected, every later one must be too.
	projected := false
	for _, r := range Releases().Releases {
		if projected && !r.Projected {
			t.Errorf("%s has published dates after a projected release", r.Minor)
		}
		projected = projected || r.Projected
	}
}

func TestLookup(t *testing.T) {
	v := func(s string) Version { x, _ := ParseVersion(s); return x }
	on := day("2026-11-27")
	cases := []struct {
		version string
		check   func(Support) bool
		what    string
	}{
		{"v1.37.2", func(s Support) bool { return s.Supported && s.Release.Minor == "1.37" }, "supported"},
		{"v1.34.1", func(s Support) bool { return !s.Supported && s.DaysLeft < 0 }, "past end of life"},
		{"v1.24.0", func(s Support) bool { return !s.Supported }, "long past end of life"},
		{"v1.9.0", func(s Support) bool { return s.Older }, "older than the table"},
		{"v1.99.0", func(s Support) bool { return s.Newer }, "newer than the table"},
	}
	for _, c := range cases {
		if s := Releases().Lookup(v(c.version), on); !c.check(s) {
			t.Errorf("%s on %s: got %+v, want %s", c.version, on.Format(time.DateOnly), s, c.what)
		}
	}
	// The last day of support still counts as supported.
	if s := Releases().Lookup(v("1.33.0"), day("2026-06-28")); !s.Supported || s.DaysLeft != 0 {
		t.Errorf("1.33 on its end-of-life day: %+v", s)
	}
	if s := Releases().Lookup(v("1.33.0"), day("2026-06-29")); s.Supported {
		t.Errorf("1.33 the day after its end of life: %+v", s)
	}
	if got := Releases().MaxKubeletSkew(v("1.28.0")); got != 3 {
		t.Errorf("skew for 1.28 = %d, want 3", got)
	}
	if got := Releases().MaxKubeletSkew(v("1.27.9")); got != 2 {
		t.Errorf("skew for 1.27 = %d, want 2", got)
	}
}

// run assesses one object with a check, the way the engine does.
func run(t *testing.T, id string, o *inventory.Object, inv *inventory.Inventory) checks.Assessment {
	t.Helper()
	c, ok := checks.Lookup(id)
	if !ok {
		t.Fatalf("no check %s", id)
	}
	var a checks.Assessment
	if !c.Match(o) {
		t.Fatalf("%s does not match %s", id, o.Ref())
	}
	c.Assess(&a, o, inv)
	return a
}

func clusterObjects(server string, kubelets ...string) (*inventory.Inventory, *inventory.Object, []*inventory.Object) {
	inv := &inventory.Inventory{Complete: true}
	ci := &inventory.Object{Kind: inventory.KindClusterInfo, Name: "cluster", Typed: &inventory.ClusterInfo{Version: &inventory.ServerVersion{GitVersion: server}}}
	inv.Add(ci)
	var nodes []*inventory.Object
	for i, k := range kubelets {
		n := &corev1.Node{}
		n.Name = "node" + string(rune('a'+i))
		n.Status.NodeInfo.KubeletVersion = k
		o := &inventory.Object{APIVersion: "v1", Kind: "Node", Name: n.Name, Typed: n, Meta: &n.ObjectMeta}
		inv.Add(o)
		nodes = append(nodes, o)
	}
	return inv, ci, nodes
}

func TestSupportWindowAndSkew(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return day("2026-11-27") }

	inv, ci, nodes := clusterObjects("v1.37.2", "v1.37.2", "v1.34.5", "v1.33.9", "v1.38.0", "v1.35.1")
	if a := run(t, "UP-01", ci, inv); len(a.Failures) != 0 || a.NotAssessedReason != "" {
		t.Errorf("v1.37.2 server: %+v", a)
	}
	want := map[string][]string{
		"nodea": nil,
		"nodeb": {"end of life on 2026-10-27"},
		"nodec": {"end of life", "4 minor releases older"},
		"noded": {"newer than the API server"},
		"nodee": nil,
	}
	for _, n := range nodes {
		a := run(t, "UP-01", n, inv)
		if n.Name == "noded" {
			// v1.38 is newer than the table: not assessed, whatever the skew.
			if a.NotAssessedReason == "" {
				t.Errorf("v1.38 kubelet: want not assessed, got %+v", a)
			}
			continue
		}
		var msgs []string
		for _, f := range a.Failures {
			msgs = append(msgs, f.Message)
		}
		joined := strings.Join(msgs, " | ")
		if len(want[n.Name]) == 0 && len(msgs) > 0 {
			t.Errorf("%s: unexpected failures %s", n.Name, joined)
		}
		for _, w := range want[n.Name] {
			if !strings.Contains(joined, w) {
				t.Errorf("%s: failures %q lack %q", n.Name, joined, w)
			}
		}
	}

	// Close to the end of life: a low-severity warning.
	now = func() time.Time { return day("2027-01-15") }
	inv, ci, _ = clusterObjects("v1.35.4")
	a := run(t, "UP-01", ci, inv)
	if len(a.Failures) != 1 || a.Failures[0].Severity != catalog.SeverityLow || !strings.Contains(a.Failures[0].Message, "projected") {
		t.Errorf("v1.35 six weeks before its projected end of life: %+v", a)
	}

	// No version: not assessed, never a pass.
	inv = &inventory.Inventory{}
	o := &inventory.Object{Kind: inventory.KindClusterInfo, Name: "cluster", Typed: &inventory.ClusterInfo{VersionError: "GET /version: forbidden"}}
	inv.Add(o)
	if a := run(t, "UP-01", o, inv); a.NotAssessedReason == "" {
		t.Errorf("no version: %+v", a)
	}
}
