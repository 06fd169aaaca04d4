package node

/*
NS-26: the etcd data directory must be private.

Read: the folder named by etcd --data-dir (mode and owner, on the node).
Passes: no access for group or others (0700 or stricter), owned by root or etcd.
Fails:  otherwise. CIS 1.1.12 asks for etcd:etcd; kubeadm runs etcd as root and creates the
        folder root:root 0700, which only root can read, so kubeharden accepts root as well and
        names the owner in the finding.

NS-27: kubeconfig files must be private.

Read: /etc/kubernetes/{admin,super-admin,controller-manager,scheduler,kubelet,bootstrap-kubelet}.conf,
      the kubeconfigs named by component flags (--kubeconfig, the audit webhook's), and users'
      ~/.kube/config under /root and /home.
Passes: 0600 or stricter; owned by root:root, or for a user's kubeconfig by the owner of the
        home folder.

NS-28: control-plane and node configuration files must be protected.

Read: static pod manifests, PKI folders (/etc/kubernetes/pki, the kubelet's pki folder) and the
      files in them, certificate and key files named by component flags, the kubelet's
      configuration file, its systemd unit, drop-ins and environment files, CNI configuration.
Passes: private keys (*.key, *.pem) 0600 or stricter; certificates (and sa.pub) 0644 or
        stricter (a file named both ways, or a .key file named by a flag that also takes
        public keys, such as --service-account-key-file, is judged as a private key); the other files 0600 or stricter; folders not writable by group or others;
        owner and group root.
Fails:  otherwise. A private key readable by every user of the node is reported as high.

A file that a flag names but that does not exist, or cannot be examined, is not assessed.
*/

import (
	"fmt"
	"io/fs"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-26", Match: role(inventory.RoleEtcdDataDir), Assess: fileCheck(assessEtcdDataDir)},
		checks.Check{ID: "NS-27", Match: role(inventory.RoleKubeconfig, inventory.RoleUserKubeconfig), Assess: fileCheck(assessKubeconfig)},
		checks.Check{ID: "NS-28", Match: role(inventory.RoleStaticManifest, inventory.RolePKIDir, inventory.RolePrivateKey,
			inventory.RoleCertificate, inventory.RoleKubeletConfig, inventory.RoleKubeletService, inventory.RoleCNIConfig),
			Assess: fileCheck(assessConfigFile)},
	)
}

func role(roles ...inventory.FileRole) func(*inventory.Object) bool {
	return func(o *inventory.Object) bool {
		f, ok := o.Typed.(*inventory.NodeFile)
		if !ok {
			return false
		}
		for _, r := range roles {
			if f.Role == r {
				return true
			}
		}
		return false
	}
}

// fileCheck handles files that do not exist or cannot be examined.
func fileCheck(fn func(a *checks.Assessment, f *inventory.NodeFile)) func(*checks.Assessment, *inventory.Object, *inventory.Inventory) {
	return func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
		f := o.Typed.(*inventory.NodeFile)
		switch {
		case f.Error != "":
			a.NotAssessed(f.Path + " could not be examined: " + f.Error)
		case !f.Exists && f.ReferencedBy != "":
			a.NotAssessed(f.Path + ", named by " + f.ReferencedBy + ", does not exist on the node")
		case !f.Exists:
			a.NotAssessed(f.Path + " does not exist on the node")
		default:
			fn(a, f)
		}
	}
}

// modeAtMost fails when f grants a permission outside max.
func modeAtMost(a *checks.Assessment, f *inventory.NodeFile, max fs.FileMode, sev catalog.Severity) bool {
	if extra := f.Perm &^ max; extra != 0 {
		msg := fmt.Sprintf("%s %s has mode %04o, more permissive than %04o (%s)", f.Role, f.Path, uint32(f.Perm), uint32(max), grants(extra))
		if sev != 0 {
			a.FailSeverity(sev, "mode", msg)
		} else {
			a.Fail("mode", msg)
		}
		return false
	}
	return true
}

// grants describes the permission bits beyond the allowed ones.
func grants(extra fs.FileMode) string {
	var who []string
	add := func(mask fs.FileMode, s string) {
		if extra&mask != 0 {
			who = append(who, s)
		}
	}
	add(0o700, "owner "+rwx(extra>>6))
	add(0o070, "group "+rwx(extra>>3))
	add(0o007, "others "+rwx(extra))
	out := ""
	for i, w := range who {
		if i > 0 {
			out += ", "
		}
		out += w
	}
	return out
}

func rwx(m fs.FileMode) string {
	s := ""
	for i, c := range "rwx" {
		if m&(0o4>>i) != 0 {
			s += string(c)
		}
	}
	return s
}

func ownedByRoot(a *checks.Assessment, f *inventory.NodeFile) {
	if f.UID != 0 || f.GID != 0 {
		a.Failf("owner", "%s %s is owned by %s:%s; it should be root:root", f.Role, f.Path, f.Owner, f.Group)
	}
}

func assessEtcdDataDir(a *checks.Assessment, f *inventory.NodeFile) {
	modeAtMost(a, f, 0o700, 0)
	okUser := f.UID == 0 || f.Owner == "etcd"
	okGroup := f.GID == 0 || f.Group == "etcd"
	if !okUser || !okGroup {
		a.Failf("owner", "etcd data directory %s is owned by %s:%s; it should be etcd:etcd (or root:root when etcd runs as root, as with kubeadm)", f.Path, f.Owner, f.Group)
	}
}

func assessKubeconfig(a *checks.Assessment, f *inventory.NodeFile) {
	modeAtMost(a, f, 0o600, 0)
	if f.Role == inventory.RoleUserKubeconfig {
		if f.WantUID >= 0 && int64(f.UID) != f.WantUID {
			a.Failf("owner", "%s is owned by %s, not by %s, the owner of the home folder", f.Path, f.Owner, f.WantOwner)
		}
		return
	}
	ownedByRoot(a, f)
}

func assessConfigFile(a *checks.Assessment, f *inventory.NodeFile) {
	switch {
	case f.Dir:
		modeAtMost(a, f, 0o755, 0)
	case f.Role == inventory.RolePrivateKey:
		sev := catalog.Severity(0)
		if f.Perm&0o004 != 0 {
			sev = catalog.SeverityHigh
		}
		modeAtMost(a, f, 0o600, sev)
	case f.Role == inventory.RoleCertificate:
		modeAtMost(a, f, 0o644, 0)
	default:
		modeAtMost(a, f, 0o600, 0)
	}
	ownedByRoot(a, f)
}
