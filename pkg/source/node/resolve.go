package node

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxLinks bounds the symbolic links followed while resolving one path, as the kernel's
// MAXSYMLINKS does, so that a loop ends in an error instead of hanging the read.
const maxLinks = 40

var errTooManyLinks = errors.New("too many levels of symbolic links")

// hostPath is where the node path p is in the local filesystem, following symbolic links as the
// node itself would: every link, in a folder on the way or at the end, is resolved inside the
// root, so that an absolute link in a copy of a node (/var/lib/kubelet/pki/kubelet-client-current.pem
// -> /var/lib/kubelet/pki/kubelet-client-2026.pem) means the copy's file, and no link can lead
// out of the copy to the files of the machine that reads it.
func (r *reader) hostPath(p string) string {
	return r.resolve(p, true)
}

// hostPathNoFollow is hostPath without following a link at the last element: for examining the
// link itself.
func (r *reader) hostPathNoFollow(p string) string {
	return r.resolve(p, false)
}

// resolve maps node path p into the root, resolving links in place of the kernel, which would
// resolve absolute links against the reader's own root. On the node itself (root "/") the
// kernel's resolution is the node's and is left to it. A path that cannot be resolved (a
// missing folder, a link loop) maps to a path under the root that does not exist, so that the
// caller's open or stat reports it as missing.
func (r *reader) resolve(p string, followLast bool) string {
	resolved, err := r.resolveErr(p, followLast)
	if err != nil {
		return filepath.Join(r.root, ".kubeharden-unresolvable", filepath.FromSlash(path.Clean("/"+p)))
	}
	return resolved
}

// resolveErr is resolve with the reason a path cannot be resolved (a loop of links), for callers
// that report it rather than call the file missing.
func (r *reader) resolveErr(p string, followLast bool) (string, error) {
	clean := path.Clean("/" + p)
	if r.root == "/" || r.root == "" {
		return filepath.FromSlash(clean), nil
	}
	return resolveIn(r.root, clean, followLast)
}

// resolveIn resolves the absolute slash path p inside root and returns the local path.
func resolveIn(root, p string, followLast bool) (string, error) {
	done := "/" // the resolved node path so far: no links in it
	rest := strings.Split(strings.TrimPrefix(p, "/"), "/")
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			done = path.Dir(done) // "/.." is "/": a path cannot climb out of the root
			continue
		}
		next := path.Join(done, name)
		if len(rest) == 0 && !followLast {
			done = next
			break
		}
		local := filepath.Join(root, filepath.FromSlash(next))
		st, err := os.Lstat(local)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			// Missing (the caller's open reports it), or not a link: take the name as it is.
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", errTooManyLinks
		}
		target, err := os.Readlink(local)
		if err != nil {
			return "", err
		}
		if path.IsAbs(filepath.ToSlash(target)) {
			done = "/"
		}
		rest = append(strings.Split(filepath.ToSlash(target), "/"), rest...)
	}
	return filepath.Join(root, filepath.FromSlash(done)), nil
}
