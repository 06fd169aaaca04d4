package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (slash-separated path under the folder: content) into a new temporary
// folder and returns it: the charts, kustomizations and folders of manifests tests build.
func WriteTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
