package node

// Static pod manifests, and the files that the components' flags name.

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// staticPods reads the kubelet's static pod folder. It returns the components found there, so
// that their processes are not read a second time.
func (r *reader) staticPods(dir string) map[string]bool {
	found := map[string]bool{}
	for _, name := range r.listDir(dir) {
		p := path.Join(dir, name)
		// The kubelet reads every file of the folder except hidden ones; kubeharden reads the
		// ones that can hold a manifest.
		if strings.HasPrefix(name, ".") || !isManifestName(name) || !r.isFile(p) {
			continue
		}
		r.file(p, inventory.RoleStaticManifest, "")
		data, ok := r.readRequired(p)
		if !ok {
			continue
		}
		inv := manifest.Parse(p, data, r.detail, manifest.Options{})
		r.inv.Errors = append(r.inv.Errors, inv.Errors...)
		r.inv.Stats.Documents += inv.Stats.Documents
		for _, o := range inv.Objects {
			o.Origin.Source = inventory.SourceNode
			r.add(o)
			if c := inventory.ComponentOf(o); c != nil {
				found[c.Name] = true
			} else if name := lookalike(o); name != "" {
				// Its controls would otherwise vanish and the node score as if it had no
				// such component; the results are incomplete, so the run says so.
				r.fail(p, o.Origin.Line, fmt.Sprintf("static pod %s looks like %s (by its name, label, container or image), "+
					"but no container's command or args start the %s binary in a form kubeharden reads: its controls are not assessed", o.Name, name, name))
			}
		}
	}
	return found
}

// lookalike returns the control-plane component a pod that was not recognised as one appears
// to be by its name, its component or k8s-app label, a container's name or its image
// (registry.k8s.io/kube-apiserver:v1.37.2, .../kube-apiserver-amd64), or "". A static pod of
// anything else (a load balancer, kube-vip) is not a component and has nothing to report.
func lookalike(o *inventory.Object) string {
	p, ok := o.Typed.(*corev1.Pod)
	if !ok {
		return ""
	}
	if name := inventory.ComponentLabel(p); name != "" {
		return name
	}
	if inventory.IsComponent(o.Name) {
		return o.Name
	}
	for _, c := range p.Spec.Containers {
		if inventory.IsComponent(c.Name) {
			return c.Name
		}
		image := c.Image
		if i := strings.IndexByte(image, '@'); i >= 0 {
			image = image[:i]
		}
		image = path.Base(image)
		if i := strings.IndexByte(image, ':'); i >= 0 {
			image = image[:i]
		}
		for _, arch := range []string{"-amd64", "-arm64", "-arm", "-ppc64le", "-s390x"} {
			image = strings.TrimSuffix(image, arch)
		}
		if inventory.IsComponent(image) {
			return image
		}
	}
	return ""
}

func isManifestName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json", ".manifest":
		return true
	}
	return false
}

// fileFlags lists, per component, the flags that name files whose mode and owner matter.
var fileFlags = map[string]map[string]inventory.FileRole{
	inventory.ComponentAPIServer: {
		"tls-cert-file": inventory.RoleCertificate, "tls-private-key-file": inventory.RolePrivateKey,
		"client-ca-file": inventory.RoleCertificate, "etcd-cafile": inventory.RoleCertificate,
		"etcd-certfile": inventory.RoleCertificate, "etcd-keyfile": inventory.RolePrivateKey,
		"kubelet-client-certificate": inventory.RoleCertificate, "kubelet-client-key": inventory.RolePrivateKey,
		"kubelet-certificate-authority": inventory.RoleCertificate,
		"service-account-key-file":      inventory.RoleCertificate, "service-account-signing-key-file": inventory.RolePrivateKey,
		"proxy-client-cert-file": inventory.RoleCertificate, "proxy-client-key-file": inventory.RolePrivateKey,
		"requestheader-client-ca-file": inventory.RoleCertificate,
		"encryption-provider-config":   inventory.RoleEncryptionConfig, "audit-policy-file": inventory.RoleAuditPolicy,
		"audit-webhook-config-file": inventory.RoleKubeconfig,
	},
	inventory.ComponentControllerManager: {
		"kubeconfig": inventory.RoleKubeconfig, "authentication-kubeconfig": inventory.RoleKubeconfig,
		"authorization-kubeconfig": inventory.RoleKubeconfig, "client-ca-file": inventory.RoleCertificate,
		"requestheader-client-ca-file": inventory.RoleCertificate, "root-ca-file": inventory.RoleCertificate,
		"service-account-private-key-file": inventory.RolePrivateKey, "cluster-signing-cert-file": inventory.RoleCertificate,
		"cluster-signing-key-file": inventory.RolePrivateKey, "tls-cert-file": inventory.RoleCertificate,
		"tls-private-key-file": inventory.RolePrivateKey,
	},
	inventory.ComponentScheduler: {
		"kubeconfig": inventory.RoleKubeconfig, "authentication-kubeconfig": inventory.RoleKubeconfig,
		"authorization-kubeconfig": inventory.RoleKubeconfig, "tls-cert-file": inventory.RoleCertificate,
		"tls-private-key-file": inventory.RolePrivateKey,
	},
	inventory.ComponentEtcd: {
		"cert-file": inventory.RoleCertificate, "key-file": inventory.RolePrivateKey, "trusted-ca-file": inventory.RoleCertificate,
		"peer-cert-file": inventory.RoleCertificate, "peer-key-file": inventory.RolePrivateKey,
		"peer-trusted-ca-file": inventory.RoleCertificate, "data-dir": inventory.RoleEtcdDataDir,
	},
	inventory.ComponentKubeProxy: {"kubeconfig": inventory.RoleKubeconfig},
}

// configFlags are API server flags that name configuration files the checks read.
var configFlags = []struct {
	flag string
	kind configKind
}{
	{"encryption-provider-config", encryptionKind},
	{"audit-policy-file", auditPolicyKind},
	{"audit-webhook-config-file", kubeconfigKind},
	{"authentication-config", authnKind},
	{"authorization-config", authzKind},
}

// referencedFiles adds the files a component's flags name: File objects for mode and owner, and
// the decoded configuration files. Paths inside a static pod are mapped to the node through the
// pod's hostPath volumes; a path that no hostPath covers is not on the node and is skipped.
func (r *reader) referencedFiles(o *inventory.Object, c *inventory.Component) {
	if c.ConfigFile != nil {
		// etcd with --config-file uses only the file: the files it names are the ones that
		// matter, and its flags and variables are ignored.
		hp, onHost := c.HostPath(c.ConfigFile.Value)
		if !onHost {
			return
		}
		cf := r.etcdConfig(hp)
		if cf == nil {
			return
		}
		for _, f := range cf.Typed.(*inventory.EtcdConfiguration).Settings {
			r.settingFile(c, f.Name, f.Value, func() string { return c.Name + " " + f.Key + " in " + f.File })
		}
		return
	}
	for _, f := range c.Flags {
		r.settingFile(c, f.Name, f.Value, func() string { return c.Name + " --" + f.Name })
	}
	if c.Name == inventory.ComponentEtcd {
		// etcd also takes its settings from ETCD_* variables.
		for _, f := range c.Env {
			r.settingFile(c, f.Name, f.Value, func() string {
				return c.Name + " ETCD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			})
		}
	}
	if c.Name != inventory.ComponentAPIServer {
		return
	}
	for _, cf := range configFlags {
		f, ok := c.Flags.Last(cf.flag)
		if !ok || f.Value == "" {
			continue
		}
		if hp, onHost := c.HostPath(f.Value); onHost {
			r.parseConfigFile(cf.kind, hp)
		}
	}
}

// settingFile records the file a component's setting names (a flag, a variable or a line of its
// configuration file, called name in fileFlags), when the setting names one and a hostPath puts
// it on the node; ref says where the setting was given.
func (r *reader) settingFile(c *inventory.Component, name, value string, ref func() string) {
	role, ok := fileFlags[c.Name][name]
	if !ok || value == "" {
		return
	}
	if hp, onHost := c.HostPath(value); onHost {
		r.file(hp, role, ref())
	}
}
