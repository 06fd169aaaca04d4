// Package nodeaudit holds the in-cluster manifests of `kubeharden node`; its test checks that
// kubeharden, scanning its own deployment, finds nothing it has not been told about.
package nodeaudit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubeharden/kubeharden/internal/cli"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
	nodesrc "github.com/kubeharden/kubeharden/pkg/source/node"
	"github.com/kubeharden/kubeharden/pkg/source/node/nodetest"
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

// TestMountsCoverTheKubeletUnit builds, from the kubeadm test node, the view each DaemonSet's
// pod has (only what its hostPath volumes mount) and audits it: the kubelet's systemd unit and
// its drop-ins (NS-28, CIS 4.1.1 and 4.1.2) must be examined in the pod as on the node.
func TestMountsCoverTheKubeletUnit(t *testing.T) {
	data, err := os.ReadFile("daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inv := manifest.Parse("daemonset.yaml", data, "", manifest.Options{})
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	tr := nodetest.Prepare(t, "kubeadm-default")
	n := 0
	for _, o := range inv.Objects {
		ds, ok := o.Typed.(*appsv1.DaemonSet)
		if !ok {
			continue
		}
		n++
		view := t.TempDir()
		spec := ds.Spec.Template.Spec
		for _, m := range spec.Containers[0].VolumeMounts {
			for _, v := range spec.Volumes {
				if v.Name != m.Name || v.HostPath == nil {
					continue
				}
				if !m.ReadOnly {
					t.Errorf("%s: %s is mounted writable", ds.Name, v.HostPath.Path)
				}
				if m.MountPath != "/host"+v.HostPath.Path {
					t.Errorf("%s: %s is mounted at %s, not at its node path under /host", ds.Name, v.HostPath.Path, m.MountPath)
				}
				copyTree(t, filepath.Join(tr.Root, v.HostPath.Path), filepath.Join(view, v.HostPath.Path))
			}
		}
		node := nodeInventory(view, tr)
		for _, p := range []string{"/usr/lib/systemd/system/kubelet.service", "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"} {
			f := node.Get(inventory.KindFile, "", p)
			if f == nil || !f.Typed.(*inventory.NodeFile).Exists {
				t.Errorf("%s: %s is not examined in the pod", ds.Name, p)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d DaemonSets, want 2", n)
	}
}

func nodeInventory(root string, tr *nodetest.Tree) *inventory.Inventory {
	return nodesrc.Load(nodesrc.Options{Root: root, NoProc: true, Owner: tr.Owner})
}

// copyTree copies a file or folder of the test node, with its modes; a missing one is skipped
// (the pod would not start, which the hostPath types say).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err := nodetest.CopyTree(src, dst, true); err != nil {
		t.Fatal(err)
	}
}
