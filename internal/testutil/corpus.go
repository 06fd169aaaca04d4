// Package testutil holds helpers shared by tests and benchmarks.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusEnv names the folder holding the shared manifest corpus (the folder with real/ in it).
const CorpusEnv = "KUBEHARDEN_CORPUS"

// CorpusDir returns the real-world manifest corpus used by corpus-wide tests and benchmarks:
// $KUBEHARDEN_CORPUS/real, else ../shared/corpus/real next to the repository. When the variable
// is set the corpus must exist (CI sets it, so a missing corpus fails there); when it is not set
// and there is no corpus beside the repository, the test is skipped with a message.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv(CorpusEnv); dir != "" {
		real := filepath.Join(dir, "real")
		if st, err := os.Stat(real); err != nil || !st.IsDir() {
			tb.Fatalf("%s=%s but %s is not a folder", CorpusEnv, dir, real)
		}
		return real
	}
	root, err := RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	real := filepath.Join(filepath.Dir(root), "shared", "corpus", "real")
	if st, err := os.Stat(real); err != nil || !st.IsDir() {
		tb.Skipf("no manifest corpus: set %s to the folder that holds real/", CorpusEnv)
	}
	return real
}

// RepoRoot returns the folder holding the module's go.mod, found from the working directory
// (go test runs in the package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && len(b) > 0 && isRootModule(b) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

func isRootModule(gomod []byte) bool {
	const want = "module github.com/kubeharden/kubeharden\n"
	return len(gomod) >= len(want) && string(gomod[:len(want)]) == want
}
