// Package node reads a Kubernetes node, or a copy of one, into an inventory: the static pod
// manifests of the control plane, the kubelet's configuration file and flags, the files those
// name (encryption configuration, audit policy, certificates and keys), the permissions and
// owners of kubeconfigs, PKI files and the etcd data directory, and the command lines of
// running components from /proc.
//
// Every path is read under Options.Root and reported as the node sees it, so findings on a copy
// read with --root name /etc/kubernetes/admin.conf, not the copy's location. Symbolic links are
// resolved inside the root, as a chroot would (resolve.go). A file that does
// not exist produces no object (a worker has no etcd), or, when a component's flag names it, a
// File object marked as missing that the checks report as not assessed; a file that exists but
// cannot be read is an input error, because the results are then incomplete.
//
// What the reader decides, and the checks rely on:
//
//   - A component that has a static pod manifest is read from the manifest, never also from its
//     process: the manifest is what the kubelet runs (and what the user edits), the process is its
//     mirror. Components without a manifest (binary installs) are read from /proc.
//   - The kubelet's flags come from its running process when there is one (that is what runs);
//     otherwise from its systemd unit, drop-ins and environment files (see systemd.go), one
//     KubeletFlags object per file that contributes flags. Its configuration file is the last
//     --config flag; with no flags found at all, /var/lib/kubelet/config.yaml when present.
//     Flags override the file in the checks, as the kubelet does.
//   - Private keys are never read, only examined for mode and owner. Certificates are read to
//     compare CAs (etcd's own CA against the API server's).
package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kubeharden/kubeharden/internal/fileread"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// maxFileSize bounds every file read; node configuration files are a few kilobytes.
const maxFileSize = 8 << 20

// Options configure a node read.
type Options struct {
	// Root is the node's root directory: "/" on the node itself, or a copy laid out like one.
	Root string
	// Proc is the process table to read (default Root/proc). Inside a pod with hostPID, pass
	// "/proc" while Root is the host's filesystem mount.
	Proc string
	// NoProc skips the process table.
	NoProc bool
	// NodeName names the node in findings; default the host name when Root is "/".
	NodeName string
	// Owner, when set, replaces the owner and group read from the filesystem. Tests use it to
	// give a tree checked out by any user the owners a node would have.
	Owner func(nodePath string, uid, gid uint32) (uint32, uint32)
}

// reader holds the state of one Load.
type reader struct {
	opts   Options
	root   string // absolute
	proc   string
	detail string
	inv    *inventory.Inventory

	users  map[uint32]string
	groups map[uint32]string

	files     map[string]*inventory.Object // File objects by node path
	fileOrder []*inventory.Object
	configs   map[string]*inventory.Object // configuration files read, by configKey: the object, nil when missing or broken
	objects   []*inventory.Object
	host      *inventory.Host
}

// Load reads the node described by opts.
func Load(opts Options) *inventory.Inventory {
	if opts.Root == "" {
		opts.Root = "/"
	}
	r := &reader{opts: opts, inv: &inventory.Inventory{}, files: map[string]*inventory.Object{}, configs: map[string]*inventory.Object{}}
	root, err := filepath.Abs(opts.Root)
	if err == nil {
		r.root = root
	} else {
		r.root = opts.Root
	}
	if st, err := os.Stat(r.root); err != nil || !st.IsDir() {
		msg := "not a directory"
		if err != nil {
			msg = describe(err)
		}
		r.inv.Errors = append(r.inv.Errors, inventory.InputError{File: opts.Root, Message: "node root: " + msg})
		return r.inv
	}
	r.proc = opts.Proc
	if r.proc == "" {
		r.proc = filepath.Join(r.root, "proc")
	}
	name := opts.NodeName
	if name == "" && r.root == "/" {
		name, _ = os.Hostname()
	}
	r.host = &inventory.Host{Name: name, Root: opts.Root}
	switch {
	case name != "":
		r.detail = "node " + name
	default:
		r.detail = "root " + opts.Root
	}
	r.loadAccounts()

	procs := r.readProc()
	kl := r.kubelet(procs)
	pods := r.staticPods(kl.staticPodPath)
	r.componentProcesses(procs, pods)
	for _, o := range r.objects {
		if c := inventory.ComponentOf(o); c != nil {
			r.referencedFiles(o, c)
		}
	}
	r.kubeletFiles(kl)
	r.wellKnownFiles(kl)
	r.seccomp(kl.rootDir)
	r.requireSomething(kl)

	// Reports list objects in input order: the control plane first, the files its flags name,
	// then the kubelet, the files and the node.
	sort.SliceStable(r.objects, func(i, j int) bool { return rank(r.objects[i]) < rank(r.objects[j]) })
	r.inv.Add(r.objects...)
	r.inv.Add(r.fileOrder...)
	r.inv.Add(&inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindHost, Name: r.hostName(),
		Typed: r.host, Origin: r.origin("")})
	r.inv.Stats.Objects = len(r.inv.Objects)
	return r.inv
}

// requireSomething reports a node in which neither a kubelet (configuration file, flags or
// process) nor a control-plane component was found. Every node runs a kubelet, so this is an
// empty folder or a wrong --root; without the error the run would pass on having judged
// nothing, and a scanner must not report a clean node it could not read.
func (r *reader) requireSomething(kl kubeletInfo) {
	if len(kl.flags) > 0 || len(kl.configs) > 0 {
		return
	}
	for _, o := range r.objects {
		if o.Kind == inventory.KindKubeletFlags || inventory.ComponentName(o) != "" {
			return
		}
	}
	where := "under " + r.opts.Root
	if r.root == "/" {
		where = "on this machine"
	}
	msg := "no kubelet (no configuration file, flags, systemd unit or process) and no control-plane component found " + where +
		": nothing was assessed; is it a node's root folder (--root)?"
	if r.opts.NoProc {
		msg += " (processes were not read: --no-proc)"
	}
	r.fail(r.opts.Root, 0, msg)
}

func (r *reader) hostName() string {
	if r.host.Name != "" {
		return r.host.Name
	}
	return r.opts.Root
}

// origin is the provenance of an object read from a node file (or, with file "", of the node).
func (r *reader) origin(file string) inventory.Origin {
	return inventory.Origin{Source: inventory.SourceNode, File: file, Detail: r.detail}
}

// readFile reads the node file p, counting it in the inventory's statistics.
func (r *reader) readFile(p string) ([]byte, error) {
	data, err := fileread.Limited(r.hostPath(p), maxFileSize)
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	r.inv.Stats.Files++
	r.inv.Stats.Bytes += int64(len(data))
	return data, nil
}

// readRequired reads a file the audit needs: a missing file is reported by the caller, any other
// failure is an input error.
func (r *reader) readRequired(p string) ([]byte, bool) {
	data, err := r.readFile(p)
	if err == nil {
		return data, true
	}
	if !errors.Is(err, fs.ErrNotExist) {
		r.fail(p, 0, "cannot read: "+describe(err))
	}
	return nil, false
}

func (r *reader) fail(file string, line int, msg string) {
	r.inv.Errors = append(r.inv.Errors, inventory.InputError{File: file, Line: line, Message: msg})
}

func (r *reader) isFile(p string) bool {
	st, err := os.Stat(r.hostPath(p))
	return err == nil && st.Mode().IsRegular()
}

func (r *reader) isDir(p string) bool {
	st, err := os.Stat(r.hostPath(p))
	return err == nil && st.IsDir()
}

// listDir returns the sorted entry names of a node folder; a missing folder is empty, an
// unreadable one an input error.
func (r *reader) listDir(p string) []string {
	entries, err := os.ReadDir(r.hostPath(p))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			r.fail(p, 0, "cannot list: "+describe(err))
		}
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// describe turns an OS error into a short message without the local path (findings name the
// node path already).
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied (run as root, or with read access to the node's configuration)"
	}
	return err.Error()
}

func rank(o *inventory.Object) int {
	switch o.Kind {
	case inventory.KindKubeletConfiguration, inventory.KindKubeletFlags:
		return 2
	case "Pod":
		return 0
	case inventory.KindProcess:
		if o.Name == inventory.ComponentKubelet {
			return 2
		}
		return 0
	}
	return 1
}

// add appends an object read from a node file.
func (r *reader) add(o *inventory.Object) {
	r.objects = append(r.objects, o)
}
