package fileread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLimited(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(p, []byte("kind: Pod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := Limited(p, 100); err != nil || string(data) != "kind: Pod\n" {
		t.Errorf("whole file: %q, %v", data, err)
	}
	// Over the limit: limit+1 bytes' worth, so the caller can tell, without the content.
	if data, err := Limited(p, 4); err != nil || len(data) != 5 {
		t.Errorf("oversized file: %d bytes, %v", len(data), err)
	}
	if _, err := Limited(filepath.Join(dir, "missing.yaml"), 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Limited(dir, 100); err == nil {
		t.Error("a directory was read")
	}
}
