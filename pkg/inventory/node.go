package inventory

// Node-only kinds: what `kubeharden node` reads from a node's filesystem and process table, and
// the command-line view of control-plane components that both the node reader and the checks use.
//
// A control-plane component's flags can come from three places: a static pod manifest on the
// node, the mirror of that pod in a live cluster, or a process's command line. ComponentOf gives
// the same view of all three, with the field path of every flag, so one set of checks serves
// `kubeharden node` and `kubeharden cluster` alike and every finding can point at its line.

import (
	"io/fs"
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// NodeAPIVersion is the apiVersion of the kinds kubeharden defines itself for node audits
// (Process, File, Host, KubeletFlags).
const NodeAPIVersion = "node.kubeharden.io/v1"

// Kinds of node objects. The configuration files keep their real kind where the name is
// unambiguous; the audit Policy and the webhook's kubeconfig (kind Config) get qualified names
// because "Policy" and "Config" are also namespaced kinds of common add-ons.
const (
	KindProcess                     = "Process"
	KindFile                        = "File"
	KindHost                        = "Host"
	KindKubeletFlags                = "KubeletFlags"
	KindKubeletConfiguration        = "KubeletConfiguration"
	KindEncryptionConfiguration     = "EncryptionConfiguration"
	KindAuthenticationConfiguration = "AuthenticationConfiguration"
	KindAuthorizationConfiguration  = "AuthorizationConfiguration"
	KindAuditPolicy                 = "AuditPolicy"
	KindKubeconfig                  = "Kubeconfig"
	KindEtcdConfiguration           = "EtcdConfiguration"
)

func init() {
	// Node objects live in no namespace; without this they would be reported in "default" and
	// imply a Namespace object in every node scan.
	for _, k := range []string{KindProcess, KindFile, KindHost, KindKubeletFlags, KindKubeletConfiguration,
		KindEncryptionConfiguration, KindAuthenticationConfiguration, KindAuthorizationConfiguration,
		KindAuditPolicy, KindKubeconfig, KindEtcdConfiguration} {
		clusterScoped[k] = true
	}
}

// Component names as the binaries are called.
const (
	ComponentAPIServer         = "kube-apiserver"
	ComponentControllerManager = "kube-controller-manager"
	ComponentScheduler         = "kube-scheduler"
	ComponentEtcd              = "etcd"
	ComponentKubelet           = "kubelet"
	ComponentKubeProxy         = "kube-proxy"
)

// IsComponent reports whether name is one of the components above.
func IsComponent(name string) bool {
	switch name {
	case ComponentAPIServer, ComponentControllerManager, ComponentScheduler, ComponentEtcd, ComponentKubelet, ComponentKubeProxy:
		return true
	}
	return false
}

// Process is the typed value of Process objects: a process found in /proc.
type Process struct {
	PID int
	// Args is the command line, argv[0] first.
	Args []string
	// Env holds the environment of etcd processes (etcd reads ETCD_* variables as flags), or nil
	// when it could not be read; it is not read for other processes.
	Env map[string]string
}

// Host is the typed value of the one Host object of a node inventory: node-wide facts that no
// single file carries.
type Host struct {
	// Name is the node name, or "" for a copy of a node's filesystem read with --root.
	Name string
	Root string
	// ProcRead says a process table was read; without it, "no process found" means nothing.
	ProcRead  bool
	Processes int
	// LogAgents lists running log forwarders, as "fluent-bit (pid 812)".
	LogAgents []string
	// SeccompDir is the kubelet's seccomp profile directory (node path) and whether it exists.
	SeccompDir       string
	SeccompDirExists bool
	SeccompProfiles  []SeccompProfile
}

// SeccompProfile is one profile file under the kubelet's seccomp directory.
type SeccompProfile struct {
	Path          string
	DefaultAction string
	// Logs says the profile logs syscalls (SCMP_ACT_LOG as the default or a rule's action).
	Logs  bool
	Error string
}

// FileRole says why a file matters, and so which permissions and owner it should have.
type FileRole string

const (
	RoleKubeconfig       FileRole = "kubeconfig"
	RoleUserKubeconfig   FileRole = "user kubeconfig"
	RoleStaticManifest   FileRole = "static pod manifest"
	RolePKIDir           FileRole = "PKI directory"
	RolePrivateKey       FileRole = "private key"
	RoleCertificate      FileRole = "certificate"
	RoleKubeletConfig    FileRole = "kubelet configuration"
	RoleKubeletService   FileRole = "kubelet service file"
	RoleEtcdDataDir      FileRole = "etcd data directory"
	RoleEncryptionConfig FileRole = "encryption configuration"
	RoleAuditPolicy      FileRole = "audit policy"
	RoleCNIConfig        FileRole = "CNI configuration"
)

// NodeFile is the typed value of File objects: a file or directory on the node and its mode.
type NodeFile struct {
	// Path is the path on the node (without the --root prefix).
	Path   string
	Role   FileRole
	Exists bool
	Dir    bool
	// Perm holds the permission bits, after following a symbolic link.
	Perm fs.FileMode
	UID  uint32
	GID  uint32
	// Owner and Group are names from the node's /etc/passwd and /etc/group, or the numbers.
	Owner string
	Group string
	// WantOwner, for a user's kubeconfig, is the account that owns the home directory.
	WantOwner string
	WantUID   int64
	// Link is the target when Path is a symbolic link.
	Link string
	// Digest is the SHA-256 of the first certificate of a PEM file (of the whole file when it
	// holds no PEM), so checks can tell whether two CA files are the same CA. Only certificates
	// are read; private keys never are.
	Digest string
	// ReferencedBy says which setting named the file ("kube-apiserver --tls-private-key-file").
	ReferencedBy string
	// Error is why the file could not be examined (other than not existing).
	Error string
}

// Flag is one flag of a command line.
type Flag struct {
	// Name is the flag name without leading dashes.
	Name  string
	Value string
	// HasValue is false for a bare boolean flag ("--profiling").
	HasValue bool
	// Path is the field path of the argument in its object (spec.containers[0].command[3],
	// args[2], KUBELET_KUBEADM_ARGS.--node-ip).
	Path string
	// Order is the flag's position on the whole command line; later flags win.
	Order int
	// Key and File are set for a setting read from a configuration file instead of the command
	// line (etcd's --config-file): the key's path in the file, and the file.
	Key  string
	File string
}

// Arg renders the flag as it was written.
func (f Flag) Arg() string {
	if f.Key != "" {
		return f.Key + ": " + f.Value + " in " + f.File
	}
	if !f.HasValue {
		return "--" + f.Name
	}
	return "--" + f.Name + "=" + f.Value
}

// Bool interprets the flag as a boolean: a bare flag is true.
func (f Flag) Bool() (v, ok bool) {
	if !f.HasValue {
		return true, true
	}
	b, err := strconv.ParseBool(f.Value)
	return b, err == nil
}

// Flags is a parsed command line, in order.
type Flags []Flag

// Last returns the last occurrence of a flag: for single-valued flags the last one wins, as in
// pflag and Go's flag package.
func (fs Flags) Last(name string) (Flag, bool) {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].Name == name {
			return fs[i], true
		}
	}
	return Flag{}, false
}

// List returns the comma-separated items of every occurrence of a list flag, in order (pflag's
// string slices append on repeated flags), and the last occurrence for the finding's path.
func (fs Flags) List(name string) (items []string, last Flag, ok bool) {
	for _, f := range fs {
		if f.Name != name {
			continue
		}
		ok, last = true, f
		for _, it := range strings.Split(f.Value, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	}
	return items, last, ok
}

// boolFlags are the boolean flags of the components whose value, if any, must be attached with
// '='; a following argument is not their value (pflag's and Go flag's rule for booleans).
var boolFlags = map[string]bool{
	"anonymous-auth": true, "profiling": true, "client-cert-auth": true, "peer-client-cert-auth": true,
	"auto-tls": true, "peer-auto-tls": true, "use-service-account-credentials": true,
	"service-account-lookup": true, "allow-privileged": true, "enable-bootstrap-token-auth": true,
	"leader-elect": true, "rotate-certificates": true, "rotate-server-certificates": true,
	"make-iptables-util-chains": true, "authentication-token-webhook": true, "seccomp-default": true,
	"enable-aggregator-routing": true, "enable-priority-and-fairness": true, "audit-log-compress": true,
	"enable-debugging-handlers": true, "fail-swap-on": true, "logtostderr": true, "alsologtostderr": true,
	"enable-garbage-collector": true, "protect-kernel-defaults": true, "enable-controller-attach-detach": true,
	"strict-reconfig-check": true, "enable-v2": true, "experimental-initial-corrupt-check": true,
	"help": true,
}

// ParseFlags parses args (without argv[0]) the way pflag and Go's flag package read them:
// "--name=value", "-name=value", "--name value" (except for boolean flags) and a bare boolean
// "--name". A following argument that starts with "-" is the next flag, not a value, except a
// lone "-", which pflag takes as a value ("--audit-log-path -" is standard output). Arguments
// that are not flags are skipped; "--" ends the flags. path gives the field
// path of argument i; order0 is added to each flag's Order.
func ParseFlags(args []string, path func(i int) string, order0 int) Flags {
	var out Flags
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if name == "" {
			continue
		}
		f := Flag{Path: path(i), Order: order0 + i}
		if k, v, ok := strings.Cut(name, "="); ok {
			f.Name, f.Value, f.HasValue = k, v, true
		} else if !boolFlags[name] && i+1 < len(args) && (args[i+1] == "" || args[i+1] == "-" || args[i+1][0] != '-') {
			f.Name, f.Value, f.HasValue = name, args[i+1], true
			i++
		} else {
			f.Name = name
		}
		out = append(out, f)
	}
	return out
}

// KubeletFlags is the typed value of KubeletFlags objects: the kubelet flags that one file
// (a systemd drop-in, kubeadm-flags.env, /etc/default/kubelet) contributes to the kubelet's
// command line. Each flag's Order is its position on the assembled command line.
type KubeletFlags struct {
	Flags Flags
}

// KubeletConfiguration is the typed value of KubeletConfiguration objects (the --config file and
// --config-dir drop-ins). Fields holds the document as decoded YAML (maps, slices, strings,
// int64, float64, bool), so that a field the file does not set is told apart from one set to
// its zero value; Lookup reads it by path.
type KubeletConfiguration struct {
	APIVersion string
	Fields     map[string]any
}

// Lookup returns the value at a dotted path ("authentication.anonymous.enabled").
func (c *KubeletConfiguration) Lookup(dotted string) (any, bool) {
	return LookupPath(c.Fields, dotted)
}

// LookupPath returns the value at a dotted path in a decoded configuration file: the kubelet's,
// etcd's.
func LookupPath(fields map[string]any, dotted string) (any, bool) {
	var cur any = fields
	for _, k := range strings.Split(dotted, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// EncryptionConfiguration is the typed value of EncryptionConfiguration objects
// (apiserver.config.k8s.io/v1), reduced to what the checks read. Key material is not kept.
type EncryptionConfiguration struct {
	APIVersion string               `json:"apiVersion"`
	Resources  []EncryptionResource `json:"resources"`
}

// EncryptionResource is one resources[] entry.
type EncryptionResource struct {
	Resources []string             `json:"resources"`
	Providers []EncryptionProvider `json:"providers"`
}

// EncryptionProvider is one providers[] entry; exactly one field is set in a valid file.
type EncryptionProvider struct {
	Identity  *struct{}    `json:"identity"`
	AESCBC    *Present     `json:"aescbc"`
	AESGCM    *Present     `json:"aesgcm"`
	Secretbox *Present     `json:"secretbox"`
	KMS       *KMSSettings `json:"kms"`
}

// KMSSettings are the fields of a kms provider the checks read.
type KMSSettings struct {
	APIVersion string `json:"apiVersion"`
	Name       string `json:"name"`
	Endpoint   string `json:"endpoint"`
}

// Type names the provider ("identity", "aescbc", ..., or "" when none is set).
func (p EncryptionProvider) Type() string {
	switch {
	case p.Identity != nil:
		return "identity"
	case p.AESCBC != nil:
		return "aescbc"
	case p.AESGCM != nil:
		return "aesgcm"
	case p.Secretbox != nil:
		return "secretbox"
	case p.KMS != nil:
		return "kms"
	}
	return ""
}

// Present records that a field was set while dropping its value, so that keys, passwords and
// tokens read from node files are never held in memory longer than decoding takes.
type Present bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *Present) UnmarshalJSON(b []byte) error {
	*p = Present(string(b) != "null")
	return nil
}

// AuditPolicy is the typed value of AuditPolicy objects (audit.k8s.io/v1 Policy).
type AuditPolicy struct {
	APIVersion string            `json:"apiVersion"`
	Rules      []AuditPolicyRule `json:"rules"`
	OmitStages []string          `json:"omitStages"`
}

// AuditPolicyRule is one rule; the first rule that matches a request sets its level.
type AuditPolicyRule struct {
	Level           string                `json:"level"`
	Users           []string              `json:"users"`
	UserGroups      []string              `json:"userGroups"`
	Verbs           []string              `json:"verbs"`
	Resources       []AuditGroupResources `json:"resources"`
	Namespaces      []string              `json:"namespaces"`
	NonResourceURLs []string              `json:"nonResourceURLs"`
	OmitStages      []string              `json:"omitStages"`
}

// AuditGroupResources selects resources of one API group.
type AuditGroupResources struct {
	Group         string   `json:"group"`
	Resources     []string `json:"resources"`
	ResourceNames []string `json:"resourceNames"`
}

// AuthenticationConfiguration is the typed value of the API server's --authentication-config
// file, reduced to what the checks read.
type AuthenticationConfiguration struct {
	APIVersion string `json:"apiVersion"`
	JWT        []struct {
		Issuer struct {
			URL string `json:"url"`
		} `json:"issuer"`
	} `json:"jwt"`
	Anonymous *struct {
		Enabled    bool `json:"enabled"`
		Conditions []struct {
			Path string `json:"path"`
		} `json:"conditions"`
	} `json:"anonymous"`
}

// AuthorizationConfiguration is the typed value of the API server's --authorization-config file.
type AuthorizationConfiguration struct {
	APIVersion  string `json:"apiVersion"`
	Authorizers []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"authorizers"`
}

// Kubeconfig is the typed value of Kubeconfig objects (a kind: Config file such as the audit
// webhook's), reduced to what the checks read; credentials are recorded as present, not kept.
type Kubeconfig struct {
	Clusters []struct {
		Name    string `json:"name"`
		Cluster struct {
			Server                string `json:"server"`
			InsecureSkipTLSVerify bool   `json:"insecure-skip-tls-verify"`
		} `json:"cluster"`
	} `json:"clusters"`
	Users []struct {
		Name string `json:"name"`
		User struct {
			Username Present `json:"username"`
			Password Present `json:"password"`
			Token    Present `json:"token"`
		} `json:"user"`
	} `json:"users"`
}

// Component is a control-plane or node component seen through its command line.
type Component struct {
	Name  string
	Flags Flags
	// Env holds etcd's ETCD_* variables as flags (name "cert-file" for ETCD_CERT_FILE), with
	// their paths; etcd reads them when the flag itself is absent.
	Env Flags
	// ConfigFile is etcd's --config-file (or ETCD_CONFIG_FILE) when set. etcd then takes every
	// setting from that file and ignores its other flags and variables, so Setting reads Config
	// instead; Config is nil until the file's object is attached (see AttachConfig), and stays
	// nil when the file could not be read.
	ConfigFile *Flag
	Config     *EtcdConfiguration
	// Pod and Container are set for a static or mirror pod; Process for a process.
	Pod       *corev1.PodSpec
	Container int
	Process   *Process
}

// Setting returns the effective value of a flag: the last occurrence on the command line, else,
// for etcd, the ETCD_* environment variable. For an etcd with a configuration file it is the
// file's setting, with the path of the --config-file flag (findings point there) and Key and
// File naming where in the file.
func (c *Component) Setting(name string) (Flag, bool) {
	if c.ConfigFile != nil && name != "config-file" {
		if c.Config == nil {
			return Flag{}, false
		}
		f, ok := c.Config.Settings.Last(name)
		if ok {
			f.Path, f.Order = c.ConfigFile.Path, c.ConfigFile.Order
		}
		return f, ok
	}
	if f, ok := c.Flags.Last(name); ok {
		return f, true
	}
	return c.Env.Last(name)
}

// ConfigUnread reports whether the component takes its settings from a configuration file that
// is not in the inventory: nothing it does can then be judged from its command line.
func (c *Component) ConfigUnread() bool {
	return c.ConfigFile != nil && c.Config == nil
}

// AttachConfig gives an etcd with a --config-file the settings of that file, when inv holds it
// (the node reader adds it, under its node path).
func (c *Component) AttachConfig(inv *Inventory) {
	if c.ConfigFile == nil || c.Config != nil {
		return
	}
	hp, onHost := c.HostPath(c.ConfigFile.Value)
	if !onHost {
		return
	}
	if o := inv.Get(KindEtcdConfiguration, "", hp); o != nil {
		c.Config, _ = o.Typed.(*EtcdConfiguration)
	}
}

// EtcdConfiguration is the typed value of EtcdConfiguration objects: the file etcd's
// --config-file names, its keys mapped to the flags they stand for (Settings), each with Key
// (the key's path in the file) and File set.
type EtcdConfiguration struct {
	Settings Flags
}

// EtcdConfigKeys maps the keys of etcd's configuration file that the checks read to the flags
// they stand for (etcd's embed.Config and its transport security sections).
var EtcdConfigKeys = map[string]string{
	"listen-client-urls": "listen-client-urls", "listen-peer-urls": "listen-peer-urls",
	"advertise-client-urls": "advertise-client-urls", "data-dir": "data-dir",
	"cipher-suites": "cipher-suites", "tls-min-version": "tls-min-version",
	"client-transport-security.cert-file": "cert-file", "client-transport-security.key-file": "key-file",
	"client-transport-security.client-cert-auth": "client-cert-auth", "client-transport-security.trusted-ca-file": "trusted-ca-file",
	"client-transport-security.auto-tls": "auto-tls",
	"peer-transport-security.cert-file":  "peer-cert-file", "peer-transport-security.key-file": "peer-key-file",
	"peer-transport-security.client-cert-auth": "peer-client-cert-auth", "peer-transport-security.trusted-ca-file": "peer-trusted-ca-file",
	"peer-transport-security.auto-tls": "peer-auto-tls",
}

// EtcdConfigKey returns the configuration file key of an etcd flag, or the flag's name.
func EtcdConfigKey(flag string) string {
	for k, f := range EtcdConfigKeys {
		if f == flag {
			return k
		}
	}
	return flag
}

// ComponentOf recognises a component in a Pod (a static pod on a node, or its mirror pod in
// kube-system) or a Process, and returns its flags; nil for anything else. A pod container is
// the component when its binary appears in the container's command followed by its args (the
// argv the kubelet runs; see locate), or when the command is empty (the image's entrypoint runs)
// and the pod's "component" or "k8s-app" label names it. Pods that did not come from a node's
// manifest folder are only considered in kube-system, so an application's own etcd elsewhere is
// not mistaken for the control plane's.
func ComponentOf(o *Object) *Component {
	switch t := o.Typed.(type) {
	case *Process:
		name, _ := recognise(o)
		if name == "" {
			return nil
		}
		c := &Component{Name: name, Process: t, Container: -1}
		c.Flags = ParseFlags(t.Args[1:], func(i int) string { return Index("args", i+1) }, 1)
		if name == ComponentEtcd {
			for k, v := range t.Env {
				if f, ok := etcdEnvFlag(k); ok {
					c.Env = append(c.Env, Flag{Name: f, Value: v, HasValue: true, Path: Field("environ", k)})
				}
			}
			c.setConfigFile()
		}
		return c
	case *corev1.Pod:
		name, ctrIndex, loc := recognisePod(o, t, true)
		if name == "" {
			return nil
		}
		ctr := &t.Spec.Containers[ctrIndex]
		base := Index("spec.containers", ctrIndex)
		c := &Component{Name: name, Pod: &t.Spec, Container: ctrIndex}
		c.Flags = ParseFlags(loc.args, func(j int) string { return loc.paths[j] }, loc.order0)
		if name == ComponentEtcd {
			for j, e := range ctr.Env {
				if f, ok := etcdEnvFlag(e.Name); ok && e.ValueFrom == nil {
					c.Env = append(c.Env, Flag{Name: f, Value: e.Value, HasValue: true, Path: Index(base+".env", j) + ".value"})
				}
			}
			c.setConfigFile()
		}
		return c
	}
	return nil
}

// ComponentName is the name of the component o is, or "", without parsing its flags: checks use
// it to match objects cheaply.
func ComponentName(o *Object) string {
	name, _ := recognise(o)
	return name
}

// recognise returns the component name of o and, for a pod, the index of its container.
func recognise(o *Object) (string, int) {
	switch t := o.Typed.(type) {
	case *Process:
		if len(t.Args) == 0 {
			return "", -1
		}
		// A wrapper process (go-runner, a shell) has the component as a child process of its
		// own, so only argv[0] names a component here.
		if name := path.Base(t.Args[0]); IsComponent(name) {
			return name, -1
		}
	case *corev1.Pod:
		name, i, _ := recognisePod(o, t, false)
		return name, i
	}
	return "", -1
}

// ComponentLabel returns the component a pod's "component" label (kubeadm) or "k8s-app" label
// (kube-up, kops) names, or "".
func ComponentLabel(p *corev1.Pod) string {
	for _, k := range []string{"component", "k8s-app"} {
		if v := p.Labels[k]; IsComponent(v) {
			return v
		}
	}
	return ""
}

// recognisePod finds the container of a pod that runs a component and, with withArgs, the
// component's own arguments in it: matching objects by name (ComponentName) needs no argument
// list and no field paths.
func recognisePod(o *Object, p *corev1.Pod, withArgs bool) (string, int, argv) {
	if o.Origin.Source != SourceNode && o.EffectiveNamespace() != "kube-system" {
		return "", -1, argv{}
	}
	label := ComponentLabel(p)
	for i := range p.Spec.Containers {
		ctr := &p.Spec.Containers[i]
		if name, loc, ok := locate(ctr, i, withArgs); ok {
			return name, i, loc
		}
		if len(ctr.Command) == 0 && label != "" && (ctr.Name == label || len(p.Spec.Containers) == 1) {
			// The image's entrypoint is the component: every arg is its own.
			loc := argv{args: ctr.Args, order0: 0}
			if withArgs {
				for j := range ctr.Args {
					loc.paths = append(loc.paths, Index(Index("spec.containers", i)+".args", j))
				}
			}
			return label, i, loc
		}
	}
	return "", -1, argv{}
}

// argv is a component's own arguments (after its binary) with the field path of each, and the
// position of the first on the container's whole command line.
type argv struct {
	args   []string
	paths  []string
	order0 int
}

// wrapperBoolFlags are boolean flags of the wrappers that start components (go-runner's), which
// take no separate value: the argument after them may be the component's binary.
var wrapperBoolFlags = map[string]bool{"also-stdout": true, "redirect-stderr": true}

// locate finds a component's binary in a container's command followed by its args, the argv
// the kubelet runs. The binary is the first element whose base name is a component's: command[0]
// as kubeadm writes it, or further on after a wrapper such as kops' and kube-up's
// `/go-runner --log-file=... --also-stdout /usr/local/bin/kube-apiserver --flag...`. An element
// after a flag written without "=" may be that flag's value (`--datastore-type etcd`), so there
// it counts only when it is a program's path (in a bin folder or /) or the flag is a known
// boolean. A shell started with
// -c (`sh -c "exec /usr/local/bin/kube-apiserver --flag ..."`) has its script split into words
// as the shell would; the flags then all point at the script's element. The arguments and their
// field paths are built only withArgs.
func locate(ctr *corev1.Container, ctrIndex int, withArgs bool) (string, argv, bool) {
	n := len(ctr.Command) + len(ctr.Args)
	arg := func(i int) string {
		if i < len(ctr.Command) {
			return ctr.Command[i]
		}
		return ctr.Args[i-len(ctr.Command)]
	}
	var base string
	if withArgs {
		base = Index("spec.containers", ctrIndex)
	}
	at := func(i int) (string, string) {
		if i < len(ctr.Command) {
			return ctr.Command[i], Index(base+".command", i)
		}
		return ctr.Args[i-len(ctr.Command)], Index(base+".args", i-len(ctr.Command))
	}
	if n == 0 {
		return "", argv{}, false
	}
	if isShell(arg(0)) && n >= 3 {
		if opt := arg(1); strings.HasPrefix(opt, "-") && !strings.HasPrefix(opt, "--") && strings.Contains(opt, "c") {
			if name, words, ok := locateInScript(arg(2)); ok {
				if !withArgs {
					return name, argv{}, true
				}
				_, p := at(2)
				loc := argv{args: words, order0: 3}
				for range words {
					loc.paths = append(loc.paths, p)
				}
				return name, loc, true
			}
			return "", argv{}, false
		}
	}
	prev := ""
	for i := 0; i < n; i++ {
		a := arg(i)
		if name := path.Base(a); !strings.HasPrefix(a, "-") && IsComponent(name) && (i == 0 || isProgramPath(a) || !takesValue(prev)) {
			if !withArgs {
				return name, argv{}, true
			}
			loc := argv{order0: i + 1}
			for j := i + 1; j < n; j++ {
				a, p := at(j)
				loc.args = append(loc.args, a)
				loc.paths = append(loc.paths, p)
			}
			return name, loc, true
		}
		prev = a
	}
	return "", argv{}, false
}

// takesValue reports whether arg is a flag that may take the next argument as its value.
func takesValue(arg string) bool {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" || strings.Contains(arg, "=") {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	return !boolFlags[name] && !wrapperBoolFlags[name]
}

// isProgramPath reports whether p is an absolute path in a folder of programs, so that a
// folder named after a component (--cert-dir /var/lib/kube-apiserver) is not taken for it.
func isProgramPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	dir := path.Dir(p)
	return dir == "/" || path.Base(dir) == "bin" || path.Base(dir) == "sbin"
}

func isShell(arg string) bool {
	switch path.Base(arg) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// locateInScript finds a component in a shell script: the first simple command (commands are
// separated by ;, &, |, && and ||) whose program, after an optional exec and variable
// assignments, is a component's binary. It returns the words after the binary up to the end of
// that command, without redirections.
func locateInScript(script string) (string, []string, bool) {
	for _, cmd := range shellCommands(script) {
		i := 0
		for i < len(cmd) && (cmd[i] == "exec" || isAssignment(cmd[i])) {
			i++
		}
		if i >= len(cmd) || !IsComponent(path.Base(cmd[i])) {
			continue
		}
		var words []string
		for _, w := range cmd[i+1:] {
			if !isRedirection(w) {
				words = append(words, w)
			}
		}
		return path.Base(cmd[i]), words, true
	}
	return "", nil, false
}

func isAssignment(w string) bool {
	k, _, ok := strings.Cut(w, "=")
	return ok && k != "" && !strings.HasPrefix(k, "-") && !strings.ContainsAny(k, "/.")
}

// isRedirection reports whether a word is a redirection with its target attached
// ("1>>/var/log/x.log", "2>&1"); a lone operator's target is the next word, which is then taken
// for an argument, harmlessly, since it is no flag.
func isRedirection(w string) bool {
	w = strings.TrimLeft(w, "0123456789")
	return strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<")
}

// shellCommands splits a script into simple commands of words, handling quotes, backslashes
// and line continuations the way a POSIX shell does; expansions ($VAR) are kept as written.
func shellCommands(s string) [][]string {
	var cmds [][]string
	var cmd []string
	var w strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			cmd = append(cmd, w.String())
			w.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(cmd) > 0 {
			cmds = append(cmds, cmd)
			cmd = nil
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
				inWord = true
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue
					}
				}
				w.WriteByte(s[i])
			}
		case c == ';' || c == '&' || c == '|' || c == '\n':
			if c == '&' && (w.Len() > 0 && strings.HasSuffix(w.String(), ">") || i > 0 && s[i-1] == '>') {
				w.WriteByte(c) // "2>&1"
				inWord = true
				continue
			}
			endCmd()
		case c == ' ' || c == '\t':
			endWord()
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			endCmd()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// setConfigFile records etcd's --config-file, from its flag or ETCD_CONFIG_FILE.
func (c *Component) setConfigFile() {
	if f, ok := c.Setting("config-file"); ok && strings.TrimSpace(f.Value) != "" {
		c.ConfigFile = &f
	}
}

// etcdEnvFlag maps ETCD_CLIENT_CERT_AUTH to client-cert-auth.
func etcdEnvFlag(env string) (string, bool) {
	rest, ok := strings.CutPrefix(env, "ETCD_")
	if !ok || rest == "" {
		return "", false
	}
	return strings.ReplaceAll(strings.ToLower(rest), "_", "-"), true
}

// HostPath maps a path the component uses to the path on the node. For a process it is the
// path itself; for a pod it goes through the volume mounted at the longest prefix of p, and
// onHost is false when that volume is not a hostPath (or no volume covers p), in which case the
// file lives in the container and not on the node.
func (c *Component) HostPath(p string) (hostPath string, onHost bool) {
	if p == "" {
		return "", false
	}
	if c.Pod == nil {
		if !path.IsAbs(p) {
			p = "/" + p
		}
		return path.Clean(p), true
	}
	ctr := &c.Pod.Containers[c.Container]
	best, bestLen := -1, -1
	for i, m := range ctr.VolumeMounts {
		mp := strings.TrimSuffix(m.MountPath, "/")
		if (p == mp || strings.HasPrefix(p, mp+"/") || mp == "") && len(mp) > bestLen {
			best, bestLen = i, len(mp)
		}
	}
	if best < 0 {
		return "", false
	}
	m := ctr.VolumeMounts[best]
	for _, v := range c.Pod.Volumes {
		if v.Name != m.Name {
			continue
		}
		if v.HostPath == nil {
			return "", false
		}
		rest := strings.TrimPrefix(p, strings.TrimSuffix(m.MountPath, "/"))
		return path.Join(v.HostPath.Path, m.SubPath, rest), true
	}
	return "", false
}
