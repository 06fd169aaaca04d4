package sarif

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
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

// sarifLog is the part of a log that GitHub code scanning and the checks below read.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				SemanticVersion string `json:"semanticVersion"`
				Rules           []struct {
					ID                   string                           `json:"id"`
					Name                 string                           `json:"name"`
					ShortDescription     *struct{ Text string }           `json:"shortDescription"`
					FullDescription      *struct{ Text string }           `json:"fullDescription"`
					Help                 *struct{ Text, Markdown string } `json:"help"`
					DefaultConfiguration struct{ Level string }           `json:"defaultConfiguration"`
					Properties           map[string]any                   `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        *bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level     string
				Message   struct{ Text string }
				Locations []json.RawMessage
			} `json:"toolExecutionNotifications"`
			ToolConfigurationNotifications []json.RawMessage `json:"toolConfigurationNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string                 `json:"ruleId"`
			RuleIndex *int                   `json:"ruleIndex"`
			Kind      string                 `json:"kind"`
			Level     string                 `json:"level"`
			Message   *struct{ Text string } `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Suppressions        []struct {
				Kind, Status, Justification string
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

func decode(t *testing.T, b []byte) *sarifLog {
	t.Helper()
	var l sarifLog
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	return &l
}

// TestGitHubRequirements checks the properties GitHub code scanning requires of an upload, and
// the SARIF rules on kind and level, on both the default and the full log.
func TestGitHubRequirements(t *testing.T) {
	levels := map[string]bool{"error": true, "warning": true, "note": true}
	for _, full := range []bool{false, true} {
		l := decode(t, render(t, reporttest.Result(full)))
		if l.Version != "2.1.0" || l.Schema != SchemaURI || len(l.Runs) != 1 {
			t.Fatalf("version %q, schema %q, %d runs", l.Version, l.Schema, len(l.Runs))
		}
		run := l.Runs[0]
		d := run.Tool.Driver
		if d.Name != "kubeharden" || d.SemanticVersion != "1.2.3" {
			t.Errorf("driver = %q %q", d.Name, d.SemanticVersion)
		}
		ids := map[string]int{}
		nameRE := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
		for i, r := range d.Rules {
			ids[r.ID] = i
			if r.ShortDescription == nil || r.ShortDescription.Text == "" || r.FullDescription == nil || r.Help == nil ||
				r.Help.Text == "" || !strings.Contains(r.Help.Markdown, "**Remediation.**") || !nameRE.MatchString(r.Name) {
				t.Errorf("rule %s is incomplete: %+v", r.ID, r)
			}
			if !levels[r.DefaultConfiguration.Level] {
				t.Errorf("rule %s: level %q", r.ID, r.DefaultConfiguration.Level)
			}
			if s, ok := r.Properties["security-severity"].(string); !ok || s == "" {
				t.Errorf("rule %s: security-severity must be a string number, got %v", r.ID, r.Properties["security-severity"])
			}
		}
		if len(d.Rules) != len(reporttest.Catalog().All()) {
			t.Errorf("%d rules, want every control of the catalog", len(d.Rules))
		}
		kinds := map[string]int{}
		for _, r := range run.Results {
			idx, ok := ids[r.RuleID]
			if !ok || r.RuleIndex == nil || *r.RuleIndex != idx {
				t.Errorf("result for %s: rule missing or ruleIndex wrong", r.RuleID)
			}
			if r.Message == nil || r.Message.Text == "" {
				t.Errorf("result for %s without message text", r.RuleID)
			}
			kind := r.Kind
			if kind == "" {
				kind = "fail"
			}
			kinds[kind]++
			if (kind == "fail") != levels[r.Level] || (kind != "fail" && r.Level != "none") {
				t.Errorf("result for %s: kind %q with level %q", r.RuleID, r.Kind, r.Level)
			}
			if len(r.Locations) != 1 || len(r.Locations[0].LogicalLocations) != 1 {
				t.Fatalf("result for %s: want one location with the object", r.RuleID)
			}
			if pl := r.Locations[0].PhysicalLocation; pl != nil {
				if pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "" {
					t.Errorf("result for %s: physical location without uri", r.RuleID)
				}
				if pl.Region != nil && pl.Region.StartLine < 1 {
					t.Errorf("result for %s: startLine %d", r.RuleID, pl.Region.StartLine)
				}
				if al := pl.ArtifactLocation; strings.Contains(al.URI, "\\") || (al.URIBaseID != "" && strings.HasPrefix(al.URI, "/")) {
					t.Errorf("uri %q with base %q", al.URI, al.URIBaseID)
				}
			}
			if len(r.PartialFingerprints[FingerprintKey]) != 32 {
				t.Errorf("result for %s: fingerprint %v", r.RuleID, r.PartialFingerprints)
			}
		}
		inv := run.Invocations[0]
		if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 || len(inv.ToolConfigurationNotifications) != 1 {
			t.Errorf("invocation = %+v", inv)
		}
		if full {
			if kinds["fail"] != 9 || kinds["pass"] != 11 || kinds["open"] != 3 {
				t.Errorf("full log kinds = %v", kinds)
			}
		} else if len(kinds) != 1 || kinds["fail"] != 8 {
			t.Errorf("default log must hold the failures only, kinds = %v", kinds)
		}
	}
}

func TestLocations(t *testing.T) {
	l := decode(t, render(t, reporttest.Result(true)))
	var web, outside, cluster, exempt bool
	for _, r := range l.Runs[0].Results {
		fq := r.Locations[0].LogicalLocations[0].FullyQualifiedName
		pl := r.Locations[0].PhysicalLocation
		switch {
		case fq == "Deployment/shop/web" && r.RuleID == "PS-14":
			web = pl.ArtifactLocation.URI == "deploy/web.yaml" && pl.ArtifactLocation.URIBaseID == SrcRoot && pl.Region.StartLine == 22
		case fq == "Deployment/tools/outside" && r.RuleID == "PS-01":
			outside = pl.ArtifactLocation.URI == "file:///elsewhere/outside.yaml" && pl.ArtifactLocation.URIBaseID == "" && pl.Region == nil
		case fq == "Pod/kube-system/etcd" && r.RuleID == "PS-14":
			// A live object has no file: its location is a path made of its identity, which
			// GitHub code scanning accepts (it refuses results without a physical location).
			cluster = pl != nil && pl.ArtifactLocation.URI == "cluster/Pod/kube-system/etcd" &&
				pl.ArtifactLocation.URIBaseID == "" && pl.Region == nil
		case fq == "Deployment/shop/legacy" && r.RuleID == "PS-14":
			exempt = len(r.Suppressions) == 1 && r.Suppressions[0].Kind == "external" && r.Suppressions[0].Status == "accepted" &&
				strings.HasPrefix(r.Suppressions[0].Justification, "needs raw disk access")
		}
	}
	if !web || !outside || !cluster || !exempt {
		t.Errorf("locations: web %v, outside %v, cluster %v, exempt %v", web, outside, cluster, exempt)
	}
}

// fingerprintsOf renders res as SARIF and returns its results' fingerprints in order.
func fingerprintsOf(t *testing.T, res *engine.Result) []string {
	t.Helper()
	var out []string
	for _, r := range decode(t, render(t, res)).Runs[0].Results {
		out = append(out, r.PartialFingerprints[FingerprintKey])
	}
	return out
}

// TestFingerprintIgnoresLines: moving a finding within its file must keep its alert.
func TestFingerprintIgnoresLines(t *testing.T) {
	a := reporttest.Result(false)
	b := reporttest.Result(false)
	for i := range b.Findings {
		b.Findings[i].Line += 40
	}
	fa, fb := fingerprintsOf(t, a), fingerprintsOf(t, b)
	if strings.Join(fa, ",") != strings.Join(fb, ",") {
		t.Fatal("fingerprints changed with line numbers")
	}
	seen := map[string]bool{}
	for _, f := range fa {
		if seen[f] {
			t.Fatalf("duplicate fingerprint %s", f)
		}
		seen[f] = true
	}
}

// TestFingerprintSeparatesSiblings: two findings of one control on one field that say different
// things (no default-deny ingress policy, none for egress) are two alerts, not one, and each keeps
// its fingerprint whether or not the other is there; quoted names and numbers in a message do
// not change it.
func TestFingerprintSeparatesSiblings(t *testing.T) {
	res := reporttest.Result(false)
	lone := fingerprintsOf(t, res)
	i := slices.IndexFunc(res.Findings, func(f engine.Finding) bool { return f.Status == engine.StatusFail })
	twin := res.Findings[i]
	twin.Message = "the same field, another problem"
	res.Findings = slices.Insert(res.Findings, i+1, twin)
	got := fingerprintsOf(t, res)
	if len(got) != len(lone)+1 || got[0] == got[1] || got[0] != lone[0] || strings.Join(got[2:], ",") != strings.Join(lone[1:], ",") {
		t.Errorf("with a sibling: %v; alone: %v", got, lone)
	}
	res.Findings[i].Message = `container "web" has 2 problems`
	before := fingerprintsOf(t, res)
	res.Findings[i].Message = `container "api-v2" has 17 problems`
	if after := fingerprintsOf(t, res); after[0] != before[0] {
		t.Error("a quoted name or a number changed the fingerprint")
	}
	if a, b := messageShape(`namespace "shop" has 12 workloads  and no "x"`), messageShape(`namespace "web" has 1 workload and no "y"`); a != b || a != "namespace ha workload and no" {
		t.Errorf("shapes %q and %q, want one", a, b)
	}
}

func TestArtifactURI(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	up := "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(wd), "x.yaml"))
	for _, tc := range []struct{ file, base, uri, baseID string }{
		{"../x.yaml", ".", up, ""}, // outside the base folder: never a relative URI that climbs out
		{"/repo/deploy/a b.yaml", "/repo", "deploy/a%20b.yaml", SrcRoot},
		{"deploy/x.yaml", "", "deploy/x.yaml", SrcRoot},
		{"/other/x.yaml", "/repo", "file:///other/x.yaml", ""},
		{"/repo/we:ird.yaml", "/repo", "./we:ird.yaml", SrcRoot},
		{"", "/repo", "", ""},
	} {
		uri, baseID := artifactURI(tc.file, tc.base)
		if uri != tc.uri || baseID != tc.baseID {
			t.Errorf("artifactURI(%q, %q) = %q, %q; want %q, %q", tc.file, tc.base, uri, baseID, tc.uri, tc.baseID)
		}
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"Pod shares the host's IPC namespace":  "PodSharesTheHostsIpcNamespace",
		"Container unmasks /proc":              "ContainerUnmasksProc",
		"Image uses a mutable tag":             "ImageUsesAMutableTag",
		"Pod mounts a hostPath (read-only)":    "PodMountsAHostPathReadOnly",
		"Container has no CPU or memory limit": "ContainerHasNoCpuOrMemoryLimit",
	} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"v1.2.3": "1.2.3", "1.0.0-rc.1": "1.0.0-rc.1", "dev": "", "dev-0123456789ab": "", "v1.2": ""} {
		if got := semver(in); got != want {
			t.Errorf("semver(%q) = %q, want %q", in, got, want)
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

// TestCatalogRuleNames checks every control of the real catalog against what SARIF viewers
// expect of a rule: a unique Pascal-case name and a complete help text.
func TestCatalogRuleNames(t *testing.T) {
	nameRE := regexp.MustCompile(`^[A-Z][a-z0-9]*([A-Z][a-z0-9]*)*$`)
	seen := map[string]string{}
	for _, c := range catalog.Default().All() {
		r := ruleOf(c)
		if !nameRE.MatchString(r.Name) {
			t.Errorf("%s: name %q is not Pascal case", c.ID, r.Name)
		}
		if other, dup := seen[r.Name]; dup {
			t.Errorf("%s and %s share the rule name %q", c.ID, other, r.Name)
		}
		seen[r.Name] = c.ID
		if c.Example != "" && !strings.Contains(r.Help.Markdown, "```yaml\n") {
			t.Errorf("%s: example missing from the help", c.ID)
		}
	}
}
