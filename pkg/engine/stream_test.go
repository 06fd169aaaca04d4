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

// TestStreamMatchesRun scans the same inputs with Run over a whole inventory and with a Stream
// that assesses and releases objects while they are read, and requires byte-identical reports,
// with passes and exemptions listed or not.
func TestStreamMatchesRun(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join(root, "examples"), filepath.Join(root, "pkg", "source", "manifest", "testdata")}
	if os.Getenv(testutil.CorpusEnv) != "" || corpusBeside(root) {
		dirs = append(dirs, testutil.CorpusDir(t))
	}
	cfgFile := filepath.Join(t.TempDir(), config.FileName)
	if err := os.WriteFile(cfgFile, []byte(streamConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgFile, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	write, err := report.Lookup("json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, dir := range dirs {
		for _, listed := range []bool{false, true} {
			opts := engine.Options{Config: cfg, Now: now, ShowPassed: listed, ShowExempt: listed}
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
				t.Errorf("%s (passes and exemptions listed: %v): streamed report differs from the whole-inventory one at byte %d of %d",
					dir, listed, firstDifference(a.Bytes(), b.Bytes()), a.Len())
			}
		}
	}
}

func corpusBeside(root string) bool {
	st, err := os.Stat(filepath.Join(filepath.Dir(root), "shared", "corpus", "real"))
	return err == nil && st.IsDir()
}

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
