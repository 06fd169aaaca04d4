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

// TestSizeUnknown: a regular file whose size the system reports as 0 although it has content
// (procfs) is read to its end, and an empty file reads as empty.
func TestSizeUnknown(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := Limited(empty, 100); err != nil || len(data) != 0 {
		t.Errorf("empty file: %q, %v", data, err)
	}
	const proc = "/proc/self/status"
	if st, err := os.Stat(proc); err != nil || st.Size() != 0 {
		t.Skip("no procfs file of unknown size here")
	}
	data, err := Limited(proc, 1<<20)
	if err != nil || len(data) == 0 {
		t.Errorf("%s: %d bytes, %v; want its content", proc, len(data), err)
	}
	if data, err := Limited(proc, 4); err != nil || len(data) != 5 {
		t.Errorf("%s over a 4-byte limit: %d bytes, %v; want 5", proc, len(data), err)
	}
}
