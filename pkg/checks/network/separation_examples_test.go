package network_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	_ "github.com/kubeharden/kubeharden/pkg/checks/network"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// separationControls are the controls of the network-separation checks (and PS-12).
var separationControls = []string{"NS-01", "NS-02", "NS-03", "NS-05", "NS-06", "NS-07", "NS-08", "NS-09", "NS-10", "NS-11", "NS-33", "NS-41", "PS-12"}

func runSeparation(t *testing.T, inv *inventory.Inventory) *engine.Result {
	t.Helper()
	var cs []checks.Check
	for _, id := range separationControls {
		c, ok := checks.Lookup(id)
		if !ok {
			t.Fatalf("%s not registered", id)
		}
		cs = append(cs, c)
	}
	if len(inv.Errors) > 0 {
		t.Fatalf("input errors: %v", inv.Errors)
	}
	res, err := engine.Run(inv, engine.Options{Checks: cs, ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// row renders a finding as "status control Kind name path".
func row(f *engine.Finding) string {
	return fmt.Sprintf("%s %s %s %s %s", f.Status, f.Control.ID, f.Object.Kind, f.Object.Name, f.Path)
}

func TestHardenedExamplePassesSeparationControls(t *testing.T) {
	res := runSeparation(t, manifest.Load([]string{"../../../examples/hardened"}, manifest.Options{}))
	passed := map[string]bool{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Status != engine.StatusPass {
			t.Errorf("hardened example: %s: %s", row(f), f.Message)
			continue
		}
		passed[f.Control.ID] = true
	}
	// The example exercises every control except the ones about misplaced workloads, which
	// have nothing to match in it.
	for _, id := range separationControls {
		if !passed[id] && !slices.Contains([]string{"NS-01", "NS-02"}, id) {
			t.Errorf("hardened example: %s passed on no object", id)
		}
	}
}

func TestInsecureExampleFailures(t *testing.T) {
	res := runSeparation(t, manifest.Load([]string{"../../../examples/insecure"}, manifest.Options{}))
	var got []string
	for i := range res.Findings {
		if f := &res.Findings[i]; f.Status != engine.StatusPass {
			got = append(got, row(f))
		}
	}
	want := []string{
		`fail PS-12 Namespace shop-legacy metadata.labels["pod-security.kubernetes.io/enforce"]`,
		"fail NS-05 Namespace shop-legacy ",
		"fail NS-06 Namespace shop-legacy ",
		"fail NS-06 Namespace shop-legacy ",
		"fail NS-10 Namespace shop-legacy ",
		"fail NS-11 Namespace shop-legacy ",
		// web runs with hostNetwork, which NetworkPolicies do not cover: NS-07 skips it.
		"fail NS-07 Deployment api spec.template.metadata.labels",
		"fail NS-07 Deployment api spec.template.metadata.labels",
		"fail NS-09 Service web spec.type",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("insecure example findings:\n got  %q\n want %q", got, want)
	}
	// Findings point at the offending line of the file.
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Control.ID == "NS-09" {
			if line := lineOf(t, "../../../examples/insecure/shop.yaml", "  type: LoadBalancer"); f.Line != line {
				t.Errorf("NS-09 points at line %d, want %d", f.Line, line)
			}
		}
	}
}

// Scanning one file of the hardened app, without the file that declares its namespace and
// policies, must not invent failures: the namespace is only implied, so the namespace-level
// controls and NS-07 are not assessed, and say how to fix the scan. Declaring the files
// complete turns the same gaps into failures.
func TestPartialScanIsNotAssessed(t *testing.T) {
	res := runSeparation(t, manifest.Load([]string{"../../../examples/hardened/web.yaml"}, manifest.Options{}))
	notAssessed := map[string]bool{}
	for i := range res.Findings {
		f := &res.Findings[i]
		switch f.Status {
		case engine.StatusFail:
			t.Errorf("partial scan failed %s: %s", row(f), f.Message)
		case engine.StatusNotAssessed:
			notAssessed[f.Control.ID+" "+f.Object.Kind] = true
			if !strings.HasSuffix(f.Message, "scan it with its Namespace object or pass --complete") {
				t.Errorf("%s: reason %q does not say how to fix the scan", row(f), f.Message)
			}
		}
	}
	for _, k := range []string{"NS-05 Namespace", "NS-06 Namespace", "NS-10 Namespace", "NS-11 Namespace", "PS-12 Namespace", "NS-07 Deployment"} {
		if !notAssessed[k] {
			t.Errorf("partial scan: %s is not reported not assessed (got %v)", k, notAssessed)
		}
	}
	if res.Summary.NotAssessed != len(notAssessed) || res.Summary.Complete {
		t.Errorf("summary: %d not assessed, complete=%v", res.Summary.NotAssessed, res.Summary.Complete)
	}

	inv := manifest.Load([]string{"../../../examples/hardened/web.yaml"}, manifest.Options{})
	inv.Complete = true
	res = runSeparation(t, inv)
	if res.Summary.NotAssessed != 0 || res.Summary.Fail == 0 || !res.Summary.Complete {
		t.Errorf("complete scan of web.yaml: %d not assessed, %d failed, complete=%v", res.Summary.NotAssessed, res.Summary.Fail, res.Summary.Complete)
	}
}

func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == text {
			return n
		}
	}
	t.Fatalf("%s: no line %q", file, text)
	return 0
}

// A live cluster that forbids listing NetworkPolicies must not produce "no NetworkPolicy"
// failures: the checks that read them declare it, and the engine reports them not assessed.
func TestUnreadablePoliciesAreNotAssessed(t *testing.T) {
	inv := manifest.Load([]string{"../../../examples/insecure"}, manifest.Options{})
	inv.Complete = true
	inv.MarkUnavailable("NetworkPolicy", "forbidden")
	res := runSeparation(t, inv)
	for i := range res.Findings {
		f := &res.Findings[i]
		switch f.Control.ID {
		case "NS-05", "NS-06", "NS-07":
			if f.Status != engine.StatusNotAssessed {
				t.Errorf("%s with NetworkPolicies unreadable: %s", row(f), f.Message)
			}
		case "NS-10", "NS-11":
			if f.Status != engine.StatusFail {
				t.Errorf("%s should still fail: LimitRanges and quotas were read", row(f))
			}
		}
	}
}
