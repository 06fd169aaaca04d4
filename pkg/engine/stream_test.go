package engine_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/internal/testutil"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	_ "github.com/kubeharden/kubeharden/pkg/checks/all"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	_ "github.com/kubeharden/kubeharden/pkg/report/json"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// streamConfig exempts and expires findings of both kinds of check: those a Stream runs as
// objects are read and the cross-object ones it leaves for Finish.
const streamConfig = `exceptions:
- controls: [NS-07, PS-28]
  namespace: "*a*"
  reason: test
- controls: [NS-12, PS-01, PS-06]
  kind: Deployment
  reason: test
- controls: [NS-13, PS-29]
  reason: expired
  expires: 2020-01-01
`

// streamOnlyConfig leaves out the checks that need LimitRanges and RBAC objects, so that only
// checks that merely read them (NS-12, NS-13, AA-09, AA-22) keep those kinds from release.
const streamOnlyConfig = `disable: [NS-10, AA-05, AA-06, AA-13, AA-15, AA-16, AA-17, AA-18, AA-19, AA-21, NS-40]
`

// streamFixtures are inputs whose verdicts depend on objects in other documents and files.
var streamFixtures = map[string]string{
	// A host-network workload in a namespace whose NetworkPolicy does not decode: NS-07 does
	// not apply to it, but the namespace's policies could not be read, which comes first.
	"np/all.yaml": `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent, app.kubernetes.io/name: agent}}
    spec: {hostNetwork: true, containers: [{name: a, image: busybox:1.36}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: shop}
spec: {podSelector: 5}
`,
	// A workload without resources whose namespace's LimitRange, in a later file, supplies them.
	"lr/a-deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {kubeharden.io/exempt: "ps-01: lower-case ID"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: w, image: nginx:1.27}]}
`,
	"lr/b-limits.yaml": `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits: [{type: Container, default: {cpu: 500m, memory: 256Mi}, defaultRequest: {cpu: 100m, memory: 128Mi}}]
`,
}

// TestStreamMatchesRun scans the same inputs with Run over a whole inventory and with a Stream
// that assesses and releases objects while they are read, and requires byte-identical reports,
// with passes and exemptions listed or not.
func TestStreamMatchesRun(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := t.TempDir()
	for name, text := range streamFixtures {
		if err := os.MkdirAll(filepath.Join(fixtures, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fixtures, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dirs := []string{fixtures, filepath.Join(root, "examples"), filepath.Join(root, "pkg", "source", "manifest", "testdata")}
	if os.Getenv(testutil.CorpusEnv) != "" || corpusBeside(root) {
		dirs = append(dirs, testutil.CorpusDir(t))
	}
	var cfgs []*config.Config
	for _, text := range []string{streamConfig, streamOnlyConfig} {
		cfgFile := filepath.Join(t.TempDir(), config.FileName)
		if err := os.WriteFile(cfgFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(cfgFile, catalog.Default())
		if err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, cfg)
	}
	write, err := report.Lookup("json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, dir := range dirs {
		for i, listed := range []bool{false, true, false} {
			opts := engine.Options{Config: cfgs[i/2], Now: now, ShowPassed: listed, ShowExempt: listed}
			whole, err := engine.Run(manifest.Load([]string{dir}, manifest.Options{}), opts)
			if err != nil {
				t.Fatal(err)
			}
			st, err := engine.NewStream(opts)
			if err != nil {
				t.Fatal(err)
			}
			inv := manifest.Load([]string{dir}, manifest.Options{Stream: st})
			released := 0
			for _, o := range inv.Objects {
				if o.Released() {
					released++
				}
			}
			if released == 0 {
				t.Errorf("%s: the stream released no object", dir)
			}
			streamed, err := st.Finish(inv)
			if err != nil {
				t.Fatal(err)
			}
			var a, b bytes.Buffer
			if err := write(&a, whole, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if err := write(&b, streamed, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s (run %d): streamed report differs from the whole-inventory one at byte %d of %d: %q",
					dir, i, firstDifference(a.Bytes(), b.Bytes()), a.Len(), around(b.Bytes(), firstDifference(a.Bytes(), b.Bytes())))
			}
		}
	}
}

func corpusBeside(root string) bool {
	st, err := os.Stat(filepath.Join(filepath.Dir(root), "shared", "corpus", "real"))
	return err == nil && st.IsDir()
}

func around(b []byte, i int) string { return string(b[max(0, i-200):min(len(b), i+100)]) }

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestStreamErrorsInFileOrder: bad exemption annotations are reported by whichever worker
// reads the object, so the engine puts its errors in file order.
func TestStreamErrorsInFileOrder(t *testing.T) {
	dir := t.TempDir()
	const n = 24
	for i := range n {
		doc := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p%d\n  annotations:\n    kubeharden.io/exempt: \"NOPE-%d: typo\"\nspec:\n  containers: [{name: c, image: x}]\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.yaml", i)), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		st, err := engine.NewStream(engine.Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Finish(manifest.Load([]string{dir}, manifest.Options{Stream: st, Workers: 4}))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != n {
			t.Fatalf("%d errors, want %d: %v", len(res.Errors), n, res.Errors)
		}
		for i, e := range res.Errors {
			if want := fmt.Sprintf("f%02d.yaml", i); filepath.Base(e.File) != want {
				t.Fatalf("error %d is about %s, want %s: %v", i, e.File, want, res.Errors)
			}
		}
	}
}
