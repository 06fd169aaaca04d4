package node

// File objects: the permissions and owners of kubeconfigs, PKI files, static pod manifests,
// kubelet files and the etcd data directory, and the node-wide facts of the Host object.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// kubeconfigs are the kubeconfig files kubeadm writes to /etc/kubernetes.
var kubeconfigs = []string{"admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf", "bootstrap-kubelet.conf"}

// wellKnownFiles adds the files whose place is fixed by kubeadm's layout rather than named by a
// flag: kubeconfigs, the PKI folder, users' kubeconfigs and CNI configuration.
func (r *reader) wellKnownFiles(kl kubeletInfo) {
	for _, name := range kubeconfigs {
		r.fileIfExists(path.Join("/etc/kubernetes", name), inventory.RoleKubeconfig, "")
	}
	r.walkPKI("/etc/kubernetes/pki")
	// Users' kubeconfigs: kubeadm tells the administrator to copy admin.conf there.
	r.userKubeconfig("/root")
	for _, name := range r.listDir("/home") {
		r.userKubeconfig(path.Join("/home", name))
	}
	for _, name := range r.listDir("/etc/cni/net.d") {
		p := path.Join("/etc/cni/net.d", name)
		if r.isFile(p) {
			r.file(p, inventory.RoleCNIConfig, "")
		}
	}
}

func (r *reader) userKubeconfig(home string) {
	p := path.Join(home, ".kube", "config")
	if !r.isFile(p) {
		return
	}
	o := r.file(p, inventory.RoleUserKubeconfig, "")
	nf := o.Typed.(*inventory.NodeFile)
	nf.WantUID = -1
	if st, err := os.Stat(r.hostPath(home)); err == nil {
		if fuid, fgid, ok := fileOwner(st); ok {
			uid, _ := r.owner(home, fuid, fgid)
			nf.WantUID = int64(uid)
			nf.WantOwner = r.userName(uid)
		}
	}
}

// walkPKI adds a PKI folder, its subfolders and files: *.key and *.pem (which may hold a key,
// as the kubelet's kubelet-client-current.pem does) as private keys, the rest as certificates.
func (r *reader) walkPKI(dir string) {
	if !r.isDir(dir) {
		return
	}
	r.file(dir, inventory.RolePKIDir, "")
	for _, name := range r.listDir(dir) {
		p := path.Join(dir, name)
		switch {
		case r.isDir(p):
			r.walkPKI(p)
		default:
			r.file(p, pkiRole(name), "")
		}
	}
}

// pkiRole classifies a PKI file by its name; private keys are never opened to find out.
func pkiRole(name string) inventory.FileRole {
	switch strings.ToLower(path.Ext(name)) {
	case ".key", ".pem":
		return inventory.RolePrivateKey
	}
	return inventory.RoleCertificate
}

// fileIfExists adds a File object only when the file exists.
func (r *reader) fileIfExists(p string, role inventory.FileRole, ref string) {
	if _, err := os.Lstat(r.hostPathNoFollow(p)); err == nil {
		r.file(p, role, ref)
	}
}

// file adds (once) the File object of node path p. A missing file gets an object marked as not
// existing, so that the checks can say the file a flag names is not there.
//
// One file may be named for several reasons; it keeps the strictest role, since its permissions
// must satisfy all of them. The API server's --service-account-key-file takes public and private
// keys alike, so the flag alone says "certificate" (0644 allowed) of what may be the signing key:
// a .key file, or one that another flag or the PKI folder names as a private key, is one.
func (r *reader) file(p string, role inventory.FileRole, ref string) *inventory.Object {
	p = path.Clean(p)
	if role == inventory.RoleCertificate && strings.EqualFold(path.Ext(p), ".key") {
		role = inventory.RolePrivateKey
	}
	if o := r.files[p]; o != nil {
		nf := o.Typed.(*inventory.NodeFile)
		if stricterRole(nf, role, ref) {
			nf.Role, nf.Digest = role, ""
			if ref != "" {
				nf.ReferencedBy = ref
			}
		}
		return o
	}
	nf := &inventory.NodeFile{Path: p, Role: role, ReferencedBy: ref}
	r.stat(nf)
	if nf.Exists && role == inventory.RoleCertificate && !nf.Dir {
		nf.Digest = r.certDigest(p)
	}
	o := &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindFile, Name: p, Typed: nf, Origin: r.origin(p)}
	r.files[p] = o
	r.fileOrder = append(r.fileOrder, o)
	return o
}

// stricterRole reports whether role, given by ref, should replace the role the file f has. A
// certificate's limit (0644) is the loosest, so any other role replaces it; but the PKI folder's
// guess that a .pem file holds a key (ref "") does not overrule a flag that names the file as a
// certificate, since certificates are often kept as .pem.
func stricterRole(f *inventory.NodeFile, role inventory.FileRole, ref string) bool {
	if f.Role != inventory.RoleCertificate || role == inventory.RoleCertificate {
		return false
	}
	guess := ref == "" && role == inventory.RolePrivateKey && strings.EqualFold(path.Ext(f.Path), ".pem")
	return !(guess && f.ReferencedBy != "")
}

// stat fills in mode and owner of the file nf names, following symbolic links inside the node
// root exactly as reads do (resolve.go): the permissions judged are those of the file a read of
// the path would open, wherever links in folders on the way or at the end lead. Link keeps the
// first link's target as written, for messages.
func (r *reader) stat(nf *inventory.NodeFile) {
	p := nf.Path
	local := r.hostPathNoFollow(p)
	st, err := os.Lstat(local)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		// Only a link needs the rest of the resolution.
		if target, err := os.Readlink(local); err == nil {
			nf.Link = target
		}
		if local, err = r.resolveErr(p, true); err == nil {
			st, err = os.Stat(local)
		}
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			nf.Error = describe(err)
		}
		return
	}
	nf.Exists = true
	nf.Dir = st.IsDir()
	nf.Perm = st.Mode().Perm()
	if uid, gid, ok := fileOwner(st); ok {
		nf.UID, nf.GID = r.owner(nf.Path, uid, gid)
	}
	nf.Owner, nf.Group = r.userName(nf.UID), r.groupName(nf.GID)
}

func (r *reader) owner(p string, uid, gid uint32) (uint32, uint32) {
	if r.opts.Owner != nil {
		return r.opts.Owner(p, uid, gid)
	}
	return uid, gid
}

// certDigest hashes the first certificate of a PEM file, or the whole file when it holds none.
func (r *reader) certDigest(p string) string {
	data, err := r.readFile(p)
	if err != nil {
		return ""
	}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			data = b.Bytes
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			return "" // not a certificate after all; never hash key material
		}
	}
	sum := sha256.Sum256(bytes.TrimSpace(data))
	return hex.EncodeToString(sum[:])
}

// loadAccounts reads the node's /etc/passwd and /etc/group to name owners as the node does.
func (r *reader) loadAccounts() {
	r.users = map[uint32]string{0: "root"}
	r.groups = map[uint32]string{0: "root"}
	read := func(p string, into map[uint32]string) {
		data, err := os.ReadFile(r.hostPath(p))
		if err != nil {
			return
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			f := strings.Split(sc.Text(), ":")
			if len(f) < 3 || strings.HasPrefix(f[0], "#") {
				continue
			}
			if id, err := strconv.ParseUint(f[2], 10, 32); err == nil {
				if _, dup := into[uint32(id)]; !dup {
					into[uint32(id)] = f[0]
				}
			}
		}
	}
	read("/etc/passwd", r.users)
	read("/etc/group", r.groups)
}

func (r *reader) userName(uid uint32) string {
	if n, ok := r.users[uid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(uid), 10)
}

func (r *reader) groupName(gid uint32) string {
	if n, ok := r.groups[gid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// seccomp records the profiles under the kubelet's seccomp folder (AL-09).
func (r *reader) seccomp(rootDir string) {
	dir := path.Join(rootDir, "seccomp")
	r.host.SeccompDir = dir
	r.host.SeccompDirExists = r.isDir(dir)
	var walk func(d string, depth int)
	walk = func(d string, depth int) {
		if depth > 4 {
			return
		}
		for _, name := range r.listDir(d) {
			p := path.Join(d, name)
			if r.isDir(p) {
				walk(p, depth+1)
				continue
			}
			if !strings.HasSuffix(name, ".json") {
				continue
			}
			sp := inventory.SeccompProfile{Path: p}
			var prof struct {
				DefaultAction string `json:"defaultAction"`
				Syscalls      []struct {
					Action string `json:"action"`
				} `json:"syscalls"`
			}
			if data, err := r.readFile(p); err != nil {
				sp.Error = describe(err)
			} else if err := json.Unmarshal(data, &prof); err != nil {
				sp.Error = "not a seccomp profile: " + err.Error()
			} else {
				sp.DefaultAction = prof.DefaultAction
				sp.Logs = prof.DefaultAction == "SCMP_ACT_LOG"
				for _, s := range prof.Syscalls {
					sp.Logs = sp.Logs || s.Action == "SCMP_ACT_LOG"
				}
			}
			r.host.SeccompProfiles = append(r.host.SeccompProfiles, sp)
		}
	}
	if r.host.SeccompDirExists {
		walk(dir, 0)
	}
}
