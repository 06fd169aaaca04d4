//go:build unix

package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNamedPipe: a pipe named on the command line (what `scan <(helm template ...)` passes) is
// read to its end, not taken for an empty file; one longer than the limit is an error.
func TestNamedPipe(t *testing.T) {
	doc := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: frompipe\n"
	for _, tc := range []struct {
		limit  int64
		want   string
		errors int
	}{{DefaultMaxFileSize, "Namespace/frompipe", 0}, {int64(len(doc)) - 1, "", 1}} {
		p := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
		go func() {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			// Several writes, so the reader sees the stream arrive in parts.
			for _, part := range strings.SplitAfter(doc, "\n") {
				f.WriteString(part)
			}
		}()
		inv := Load([]string{p}, Options{MaxFileSize: tc.limit})
		if got := strings.Join(names(inv), " "); got != tc.want || len(inv.Errors) != tc.errors {
			t.Errorf("limit %d: objects %q, errors %v", tc.limit, got, inv.Errors)
		}
	}
}

// TestPipeInFolder: a pipe with a manifest's name met while walking a folder is named in an
// error, not read (nothing may be writing to it) and not skipped in silence.
func TestPipeInFolder(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := Load([]string{dir}, Options{})
	if got := strings.Join(names(inv), " "); got != "Namespace/a" || len(inv.Errors) != 1 ||
		!strings.HasSuffix(inv.Errors[0].File, "pipe.yaml") || !strings.Contains(inv.Errors[0].Message, "not a regular file") {
		t.Fatalf("objects %q, errors %v", got, inv.Errors)
	}
}
