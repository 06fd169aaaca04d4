package manifest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/internal/testutil"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// A reader reads each file into the memory of the previous one's text. If anything decoded
// from a file still pointed into its text, the next file would overwrite it: so a folder read by
// one worker must give exactly what reading every file into fresh memory gives.
func TestReusedTextKeepsNothingOfEarlierFiles(t *testing.T) {
	dir := t.TempDir()
	const files = 40
	for i := range files {
		// Largest first, so that every later file fits in the first one's buffer.
		pad := strings.Repeat("# padding\n", (files-i)*20)
		body := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-%[1]d
  namespace: team-%[1]d
  labels: {app: web-%[1]d, tier: "front-%[1]d"}
  annotations:
    note-%[1]d: "annotation text %[1]d"
spec:
  selector: {matchLabels: {app: web-%[1]d}}
  template:
    metadata: {labels: {app: web-%[1]d}}
    spec:
      containers:
      - name: c-%[1]d
        image: registry.example/web:%[1]d.0
        args: ["--flag-%[1]d", "value-%[1]d"]
        env: [{name: VAR_%[1]d, value: "v%[1]d"}]
        ports: [{name: http-%[1]d, containerPort: 80%[1]02d}]
        resources: {limits: {cpu: "%[1]dm", memory: "%[1]dMi"}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-%[1]d}
spec:
  ports: [{port: 80, targetPort: http-%[1]d}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: widget-%[1]d, namespace: ns-%[1]d}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-%[1]d}
data: {key-%[1]d: "value %[1]d", other: "x%[1]d"}
---
apiVersion: v1
kind: Service
metadata: {name: bad-%[1]d}
spec:
  ports: [{port: "PORT-%[1]d"}]
---
just: a document %[1]d
%[2]s`, i, pad)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.yaml", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compareWithFreshReads(t, dir)
}

// The same on the shared corpus, whose files vary in every way the generated ones do not.
func TestReusedTextKeepsNothingOfEarlierFilesCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the corpus twice over")
	}
	compareWithFreshReads(t, testutil.CorpusDir(t))
}

func compareWithFreshReads(t *testing.T, dir string) {
	t.Helper()
	reused := dump(t, Load([]string{dir}, Options{Workers: 1}))
	reuseText = false
	defer func() { reuseText = true }()
	fresh := dump(t, Load([]string{dir}, Options{Workers: 1}))
	if len(reused) < 40 {
		t.Fatalf("only %d objects and errors read", len(reused))
	}
	for i := range min(len(reused), len(fresh)) {
		if reused[i] != fresh[i] {
			t.Fatalf("reading into reused memory changed what was read:\n got %s\nwant %s", reused[i], fresh[i])
		}
	}
	if len(reused) != len(fresh) {
		t.Fatalf("%d lines read into reused memory, %d into fresh memory", len(reused), len(fresh))
	}
}

// dump renders every object (all decoded fields) and error of inv, one line each.
func dump(t *testing.T, inv *inventory.Inventory) []string {
	t.Helper()
	var out []string
	for _, o := range inv.Objects {
		typed, err := json.Marshal(o.Typed)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d %s %s %s/%s %s", o.Origin.File, o.Origin.Line, o.APIVersion, o.Kind, o.Namespace, o.Name, typed))
	}
	for _, e := range inv.Errors {
		out = append(out, fmt.Sprintf("error %s:%d %s", e.File, e.Line, e.Message))
	}
	for _, s := range inv.Stats.SkippedFiles {
		out = append(out, fmt.Sprintf("skipped %s %s", s.File, s.Reason))
	}
	return out
}
