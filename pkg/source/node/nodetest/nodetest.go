// Package nodetest prepares the node trees of pkg/source/node/testdata for tests: git keeps
// neither file modes nor owners, so a tree is copied into a temporary folder, the modes listed
// in its .modes file are applied, and Owner reports the owners the file lists (root otherwise),
// whoever runs the tests.
package nodetest

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/source/node"
)

// Tree is a prepared copy of a test tree.
type Tree struct {
	Root   string
	owners map[string][2]uint32 // node path -> uid, gid
}

// Dir returns the testdata folder of pkg/source/node.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("nodetest: cannot locate the testdata folder")
	}
	return filepath.Join(filepath.Dir(filepath.Dir(file)), "testdata")
}

// Prepare copies testdata/<name> and applies testdata/<name>.modes.
func Prepare(t testing.TB, name string) *Tree {
	t.Helper()
	src := filepath.Join(Dir(t), name)
	dst := filepath.Join(t.TempDir(), name)
	if err := CopyTree(src, dst, false); err != nil {
		t.Fatalf("nodetest: copying %s: %v", name, err)
	}
	tree := &Tree{Root: dst, owners: map[string][2]uint32{}}
	f, err := os.Open(src + ".modes")
	if err != nil {
		if os.IsNotExist(err) {
			return tree
		}
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 3 && fields[0] == "owner":
			u, g, _ := strings.Cut(fields[1], ":")
			uid, err1 := strconv.ParseUint(u, 10, 32)
			gid, err2 := strconv.ParseUint(g, 10, 32)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s.modes:%d: bad owner %q", name, n, fields[1])
			}
			tree.owners["/"+fields[2]] = [2]uint32{uint32(uid), uint32(gid)}
		case len(fields) == 2:
			mode, err := strconv.ParseUint(fields[0], 8, 32)
			if err != nil {
				t.Fatalf("%s.modes:%d: bad mode %q", name, n, fields[0])
			}
			if err := os.Chmod(filepath.Join(dst, fields[1]), fs.FileMode(mode)); err != nil {
				t.Fatalf("%s.modes:%d: %v", name, n, err)
			}
		default:
			t.Fatalf("%s.modes:%d: want MODE PATH or owner UID:GID PATH", name, n)
		}
	}
	return tree
}

// Owner is a node.Options.Owner that reports the owners of the .modes file, and root for the
// rest.
func (tr *Tree) Owner(nodePath string, _, _ uint32) (uint32, uint32) {
	if o, ok := tr.owners[path.Clean(nodePath)]; ok {
		return o[0], o[1]
	}
	return 0, 0
}

// SetMode changes the mode of a node path in the copy.
func (tr *Tree) SetMode(t testing.TB, nodePath string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(filepath.Join(tr.Root, filepath.FromSlash(nodePath)), mode); err != nil {
		t.Fatal(err)
	}
}

// SetOwner records another owner for a node path.
func (tr *Tree) SetOwner(nodePath string, uid, gid uint32) {
	tr.owners[path.Clean(nodePath)] = [2]uint32{uid, gid}
}

// Options returns node.Options for the copy, without a process table.
func (tr *Tree) Options() node.Options {
	return node.Options{Root: tr.Root, NoProc: true, Owner: tr.Owner}
}

// CopyTree copies the file or folder src to dst, links as links: each file and folder with its
// own mode when keepModes is set, else with 0o644 and 0o755.
func CopyTree(src, dst string, keepModes bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		fileMode, dirMode := fs.FileMode(0o644), fs.FileMode(0)
		if keepModes {
			info, err := d.Info()
			if err != nil {
				return err
			}
			fileMode, dirMode = info.Mode().Perm(), info.Mode().Perm()
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil || !keepModes {
				return err
			}
			return os.Chmod(target, dirMode)
		default:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, fileMode)
		}
	})
}
