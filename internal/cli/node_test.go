package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/source/node/nodetest"
)

// End-to-end tests of `kubeharden node` on the kubeadm trees of pkg/source/node/testdata.

type nodeReport struct {
	Summary struct {
		Fail, Pass, NotAssessed, Exempt int
	} `json:"summary"`
	Findings []struct {
		Control, Severity, Status, File, Path, Source, Message string
		Line                                                   int
		References                                             []string
		Object                                                 struct{ Kind, Name string }
	} `json:"findings"`
	Errors []struct{ File, Message string } `json:"errors"`
}

func runNode(t *testing.T, args ...string) (nodeReport, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"node"}, args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	var r nodeReport
	if strings.Contains(strings.Join(args, " "), "-o json") {
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("exit %d, stderr %q, output is not JSON: %v\n%s", code, errOut.String(), err, out.String())
		}
	}
	return r, errOut.String(), code
}

func TestNodeCommandJSON(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	r, errOut, code := runNode(t, "--root", tr.Root, "--no-proc", "-o", "json")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var anon *struct {
		Control, Severity, Status, File, Path, Source, Message string
		Line                                                   int
		References                                             []string
		Object                                                 struct{ Kind, Name string }
	}
	for i := range r.Findings {
		if r.Findings[i].Control == "AA-01" {
			anon = &r.Findings[i]
		}
	}
	if anon == nil {
		t.Fatalf("no AA-01 finding in %+v", r.Findings)
	}
	if anon.File != "/etc/kubernetes/manifests/kube-apiserver.yaml" || anon.Line != 13 || anon.Severity != "critical" ||
		anon.Object.Kind != "Pod" || anon.Source != "root "+tr.Root || !strings.Contains(strings.Join(anon.References, " "), "cis:1.2.1") {
		t.Errorf("AA-01 finding: %+v", *anon)
	}
	if r.Summary.Fail < 15 {
		t.Errorf("summary: %+v", r.Summary)
	}

	// Same outputs, exit codes and exceptions as scan: --fail-on, and a configuration file
	// accepting the systemd files' modes.
	if _, _, code := runNode(t, "--root", tr.Root, "--no-proc", "-o", "json", "--fail-on", "critical"); code != ExitFindings {
		t.Errorf("--fail-on critical: exit %d", code)
	}
	cfg := filepath.Join(t.TempDir(), "kubeharden.yaml")
	if err := os.WriteFile(cfg, []byte(`exceptions:
- controls: [NS-28]
  kind: File
  name: /usr/lib/systemd/system/kubelet.service
  reason: the distribution's package installs unit files world-readable; they hold no secrets
- controls: [NS-28]
  kind: File
  name: /usr/lib/systemd/system/kubelet.service.d/*
  reason: the same for the drop-ins
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r2, _, code := runNode(t, "--root", tr.Root, "--no-proc", "-o", "json", "--config", cfg)
	if code != ExitOK || r2.Summary.Exempt != 2 || r2.Summary.Fail != r.Summary.Fail-2 {
		t.Errorf("with exceptions: exit %d, summary %+v (before %+v)", code, r2.Summary, r.Summary)
	}
}

func TestNodeCommandHardenedAndTable(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	var out, errOut bytes.Buffer
	code := Main([]string{"node", "--root", tr.Root, "--no-proc", "--fail-on", "medium", "--no-color"}, Streams{Out: &out, Err: &errOut})
	if os.Geteuid() != 0 {
		// The copied files belong to the user running the tests, and NS-27/NS-28 rightly report
		// owners other than root; pkg/source/node tests the hardened tree with fixed owners.
		return
	}
	if code != ExitOK || strings.Contains(out.String(), " fail ") {
		t.Errorf("hardened tree: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

func TestNodeCommandUsage(t *testing.T) {
	if _, _, code := runNode(t, "extra-argument"); code != ExitError {
		t.Errorf("positional argument: exit %d", code)
	}
	_, errOut, code := runNode(t, "--root", filepath.Join(t.TempDir(), "missing"), "-o", "json")
	if code != ExitError || !strings.Contains(errOut, "node root") {
		t.Errorf("missing root: exit %d, stderr %q", code, errOut)
	}
}

// TestNodeCommandEmptyRoot: a root with nothing of a node in it (a wrong --root) exits 2, like
// input that could not be read, and the report says why.
func TestNodeCommandEmptyRoot(t *testing.T) {
	r, _, code := runNode(t, "--root", t.TempDir(), "--no-proc", "-o", "json")
	if code != ExitError || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "no kubelet") {
		t.Errorf("empty root: exit %d, errors %+v", code, r.Errors)
	}
}
