// Package nodeaudit holds the in-cluster manifests of `kubeharden node`; its test checks that
// kubeharden, scanning its own deployment, finds nothing it has not been told about.
package nodeaudit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/internal/cli"
)

func TestOwnDeploymentHasNoUnexemptedFindings(t *testing.T) {
	var out, errOut bytes.Buffer
	code := cli.Main([]string{"scan", ".", "-o", "json", "--show-exempt", "--fail-on", "low", "--no-config"},
		cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	var r struct {
		Summary struct {
			Fail, Pass, Exempt int
			Inputs             struct{ Objects int }
		} `json:"summary"`
		Findings []struct {
			Control, Status, Message string
			Object                   struct{ Kind, Name string }
			Exemption                *struct{ Reason, Source string }
		} `json:"findings"`
		Errors []struct{ File, Message string } `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d, stderr %q: %v", code, errOut.String(), err)
	}
	if code != cli.ExitOK || len(r.Errors) > 0 {
		t.Errorf("exit %d, errors %v, stderr %q", code, r.Errors, errOut.String())
	}
	for _, f := range r.Findings {
		switch {
		case f.Status == "fail":
			t.Errorf("unexempted finding: %s on %s %s: %s", f.Control, f.Object.Kind, f.Object.Name, f.Message)
		case f.Status == "exempt" && (f.Exemption == nil || len(f.Exemption.Reason) < 20):
			t.Errorf("exemption without a real reason: %s on %s %s", f.Control, f.Object.Kind, f.Object.Name)
		}
	}
	// The manifests were read (two DaemonSets, the namespace and its policies) and the
	// exemptions are the ones the README lists, nothing more.
	if r.Summary.Inputs.Objects != 7 || r.Summary.Pass == 0 || r.Summary.Exempt == 0 {
		t.Errorf("summary: %+v", r.Summary)
	}
	exempted := map[string]bool{}
	for _, f := range r.Findings {
		if f.Status == "exempt" {
			exempted[f.Control] = true
		}
	}
	for id := range exempted {
		if !strings.Contains("PS-01 PS-12 PS-15 PS-19 PS-34 PS-40 PS-41", id) {
			t.Errorf("%s is exempted but not documented in README.md", id)
		}
	}
}
