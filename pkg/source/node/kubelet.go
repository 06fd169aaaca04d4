package node

// The kubelet: where its flags come from and which configuration files it reads. The checks
// (pkg/checks/node) combine them as the kubelet does: flags over --config-dir drop-ins over the
// --config file over the defaults.

import (
	"path"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

const (
	defaultKubeletConfig = "/var/lib/kubelet/config.yaml"
	defaultKubeletRoot   = "/var/lib/kubelet"
	defaultManifests     = "/etc/kubernetes/manifests"
)

// kubeletInfo is what the rest of the reader needs to know about the kubelet.
type kubeletInfo struct {
	flags         inventory.Flags // the whole command line, in order
	configs       []*inventory.Object
	staticPodPath string
	rootDir       string
	serviceFiles  []string // unit, drop-ins and environment files read
	// complete says the command line is known in full: from the running process or from a
	// unit's ExecStart.
	complete bool
}

// kubelet finds the kubelet's flags and configuration and adds their objects.
func (r *reader) kubelet(procs []proc) kubeletInfo {
	var kl kubeletInfo
	for _, p := range procs {
		if p.name == inventory.ComponentKubelet {
			o := r.processObject(p)
			r.add(o)
			kl.flags = inventory.ComponentOf(o).Flags
			kl.complete = true
			break
		}
	}
	if kl.complete {
		// The running command line is what counts; the systemd files are still examined for
		// their permissions.
		_, read, ok := r.systemdCommand(r.unitFiles())
		if !ok {
			_, read = r.fallbackCommand()
		}
		kl.serviceFiles = read
	} else {
		kl.flags = r.kubeletFlagObjects(&kl)
	}

	configPath := ""
	if f, ok := kl.flags.Last("config"); ok {
		configPath = f.Value
	} else if !kl.complete && r.isFile(defaultKubeletConfig) {
		// Without a running kubelet or a unit's ExecStart the command line may be incomplete
		// (a copy of /var/lib/kubelet alone); kubeadm's configuration file is then assumed.
		configPath = defaultKubeletConfig
	}
	if configPath != "" {
		configPath = nodeAbs(configPath)
		if o := r.parseConfigFile(kubeletConfigKind, configPath); o != nil {
			o.Name = inventory.ComponentKubelet
			kl.configs = append(kl.configs, o)
		}
	}
	if f, ok := kl.flags.Last("config-dir"); ok && f.Value != "" {
		dir := nodeAbs(f.Value)
		for _, name := range r.listDir(dir) {
			if strings.HasSuffix(name, ".conf") && r.isFile(path.Join(dir, name)) {
				if o := r.parseConfigFile(kubeletConfigKind, path.Join(dir, name)); o != nil {
					o.Name = inventory.ComponentKubelet
					kl.configs = append(kl.configs, o)
				}
			}
		}
	}

	kl.staticPodPath = defaultManifests
	kl.rootDir = defaultKubeletRoot
	for _, c := range kl.configs {
		if v, ok := c.Typed.(*inventory.KubeletConfiguration).Lookup("staticPodPath"); ok {
			if s, ok := v.(string); ok && s != "" {
				kl.staticPodPath = nodeAbs(s)
			}
		}
	}
	if f, ok := kl.flags.Last("pod-manifest-path"); ok && f.Value != "" {
		kl.staticPodPath = nodeAbs(f.Value)
	}
	if f, ok := kl.flags.Last("root-dir"); ok && f.Value != "" {
		kl.rootDir = nodeAbs(f.Value)
	}
	return kl
}

// kubeletFlagObjects assembles the kubelet command line from systemd (or kubeadm's environment
// files) and adds one KubeletFlags object per file that contributes flags.
func (r *reader) kubeletFlagObjects(kl *kubeletInfo) inventory.Flags {
	units := r.unitFiles()
	args, read, ok := r.systemdCommand(units)
	if !ok {
		args, read = r.fallbackCommand()
	}
	kl.serviceFiles = read
	kl.complete = ok
	if len(args) == 0 {
		return nil
	}
	texts := make([]string, len(args))
	paths := make([]string, len(args))
	for i, a := range args {
		texts[i] = a.text
		name, _, _ := strings.Cut(strings.TrimLeft(a.text, "-"), "=")
		paths[i] = inventory.Field(a.at.key, "--"+name)
	}
	flags := inventory.ParseFlags(texts, func(i int) string { return paths[i] }, 0)

	// One object per file, in the order the files first contribute.
	byFile := map[string]*inventory.Object{}
	var order []string
	for i, f := range flags {
		at := args[f.Order].at
		o := byFile[at.file]
		if o == nil {
			o = &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindKubeletFlags,
				Name: inventory.ComponentKubelet, Typed: &inventory.KubeletFlags{}, Origin: r.origin(at.file),
				Lines: &inventory.LineIndex{}}
			o.Origin.Line = at.line
			o.Lines.Add(inventory.RootHash, at.line)
			byFile[at.file] = o
			order = append(order, at.file)
		}
		kf := o.Typed.(*inventory.KubeletFlags)
		kf.Flags = append(kf.Flags, flags[i])
		o.Lines.Add(inventory.HashPath(f.Path), at.line)
		o.Lines.Add(inventory.HashPath(at.key), at.line)
	}
	for _, file := range order {
		o := byFile[file]
		o.Lines.Seal()
		r.add(o)
	}
	return flags
}

// kubeletFiles adds the File objects the kubelet's settings name: its configuration files,
// service files, kubeconfigs, client CA and serving certificate.
func (r *reader) kubeletFiles(kl kubeletInfo) {
	for _, c := range kl.configs {
		r.file(c.Origin.File, inventory.RoleKubeletConfig, "kubelet --config")
	}
	for _, p := range kl.serviceFiles {
		r.file(p, inventory.RoleKubeletService, "")
	}
	for _, name := range []string{"kubeconfig", "bootstrap-kubeconfig"} {
		if f, ok := kl.flags.Last(name); ok && f.Value != "" {
			r.fileIfExists(nodeAbs(f.Value), inventory.RoleKubeconfig, "kubelet --"+name)
		}
	}
	// The client CA and serving certificate, from the flags or else the configuration files.
	for _, s := range []struct{ flag, field string }{
		{"client-ca-file", "authentication.x509.clientCAFile"},
		{"tls-cert-file", "tlsCertFile"},
		{"tls-private-key-file", "tlsPrivateKeyFile"},
	} {
		p := ""
		if f, ok := kl.flags.Last(s.flag); ok {
			p = f.Value
		} else {
			for _, c := range kl.configs {
				if v, ok := c.Typed.(*inventory.KubeletConfiguration).Lookup(s.field); ok {
					if str, ok := v.(string); ok {
						p = str
					}
				}
			}
		}
		if p != "" {
			r.file(nodeAbs(p), pkiRole(p), "kubelet "+s.field)
		}
	}
	r.walkPKI(path.Join(kl.rootDir, "pki"))
}

// nodeAbs makes a path from a flag or configuration absolute on the node. Relative paths are
// relative to the component's working directory, which for the kubelet and for static pods is /.
func nodeAbs(p string) string {
	if !path.IsAbs(p) {
		p = "/" + p
	}
	return path.Clean(p)
}
