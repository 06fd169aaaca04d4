package node_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	// The node's checks; the other packages have no node-sourced controls.
	_ "github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	_ "github.com/kubeharden/kubeharden/pkg/checks/logging"
	_ "github.com/kubeharden/kubeharden/pkg/checks/node"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/node"
	"github.com/kubeharden/kubeharden/pkg/source/node/nodetest"
)

// run loads a node and runs every check on it.
func run(t testing.TB, opts node.Options) (*inventory.Inventory, *engine.Result) {
	t.Helper()
	inv := node.Load(opts)
	res, err := engine.Run(inv, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv, res
}

// row renders a finding as "ID status severity file:line path" for comparisons.
func row(f engine.Finding) string {
	where := f.Object.Origin.File
	if where == "" {
		where = f.Object.Ref().String()
	}
	return fmt.Sprintf("%s %s %s %s:%d %s", f.Control.ID, f.Status, f.Severity, where, f.Line, f.Path)
}

func rows(res *engine.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, row(f))
	}
	return out
}

func diff(t *testing.T, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing finding: %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("unexpected finding: %s", g)
		}
	}
}

// TestKubeadmDefault pins what a node as kubeadm v1.37 leaves it reports: every finding, with
// its file, line and field.
func TestKubeadmDefault(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatalf("input errors: %v", inv.Errors)
	}
	const api = "/etc/kubernetes/manifests/kube-apiserver.yaml"
	want := []string{
		"NS-25 fail medium /etc/kubernetes/manifests/etcd.yaml:23 spec.containers[0].command[9]",
		"NS-25 fail medium /etc/kubernetes/manifests/etcd.yaml:25 spec.containers[0].command[11]",
		"PS-11 fail low " + api + ":19 spec.containers[0].command[5]",
		"NS-16 fail high " + api + ":13 spec.containers[0].command",
		"NS-19 fail medium " + api + ":13 spec.containers[0].command",
		"NS-37 fail high " + api + ":13 spec.containers[0].command",
		"AA-01 fail critical " + api + ":13 spec.containers[0].command",
		"AA-08 fail medium " + api + ":13 spec.containers[0].command",
		"AL-01 fail high " + api + ":13 spec.containers[0].command",
		"AL-02 fail high " + api + ":13 spec.containers[0].command",
		"NS-19 fail medium /etc/kubernetes/manifests/kube-controller-manager.yaml:11 spec.containers[0].command",
		"NS-19 fail medium /etc/kubernetes/manifests/kube-scheduler.yaml:11 spec.containers[0].command",
		"PS-32 fail medium /var/lib/kubelet/config.yaml:1 seccompDefault",
		"NS-14 fail medium /var/lib/kubelet/config.yaml:1 podPidsLimit",
		"NS-30 fail medium /var/lib/kubelet/config.yaml:1 serverTLSBootstrap",
		"NS-28 fail medium /var/lib/kubelet/config.yaml:0 mode",
		"NS-28 fail medium /usr/lib/systemd/system/kubelet.service:0 mode",
		"NS-28 fail medium /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:0 mode",
		"NS-28 fail medium /var/lib/kubelet/kubeadm-flags.env:0 mode",
		"NS-28 fail medium /etc/default/kubelet:0 mode",
		"AL-08 not-assessed medium Host " + tr.Root + ":0 ",
		"AL-09 fail low Host " + tr.Root + ":0 seccompProfiles",
	}
	diff(t, rows(res), want)
	if got := res.Summary.Fail; got != 20 {
		t.Errorf("failing pairs = %d, want 20", got)
	}
	// Everything else that applies was judged and passed: etcd TLS and its own CA, kubelet
	// authentication, PKI and kubeconfig modes.
	if res.Summary.Pass < 60 {
		t.Errorf("only %d passing pairs", res.Summary.Pass)
	}
}

// TestKubeadmHardened: the tightened tree has no finding of medium or above (and, in fact, none).
func TestKubeadmHardened(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatalf("input errors: %v", inv.Errors)
	}
	for _, f := range res.Findings {
		if f.Status == engine.StatusFail && f.Severity >= catalog.SeverityMedium {
			t.Errorf("hardened tree: %s: %s", row(f), f.Message)
		} else if f.Status == engine.StatusFail {
			t.Logf("low finding: %s: %s", row(f), f.Message)
		}
	}
	want := []string{"AL-08 not-assessed medium Host " + tr.Root + ":0 "} // no process table in a copy
	diff(t, rows(res), want)
	// The configuration files named by the API server were read and judged.
	for _, k := range []string{inventory.KindEncryptionConfiguration, inventory.KindAuditPolicy, inventory.KindAuthenticationConfiguration} {
		if len(inv.OfKind(k)) != 1 {
			t.Errorf("%d objects of kind %s, want 1", len(inv.OfKind(k)), k)
		}
	}
}

// TestBinaryInstall reads components from a fake /proc: flags on the command line, etcd's
// ETCD_* variables, "--flag value" forms, the last of repeated flags, log forwarders.
func TestBinaryInstall(t *testing.T) {
	tr := nodetest.Prepare(t, "binary-install")
	opts := tr.Options()
	opts.NoProc = false
	inv, res := run(t, opts)
	if len(inv.Errors) > 0 {
		t.Fatalf("input errors: %v", inv.Errors)
	}
	var procs []string
	for _, o := range inv.OfKind(inventory.KindProcess) {
		procs = append(procs, o.Name+" "+o.Origin.Detail)
	}
	wantProcs := []string{
		"etcd process 398 (etcd), root " + tr.Root,
		"kube-apiserver process 412 (kube-apiserver), root " + tr.Root,
		"kubelet process 455 (kubelet), root " + tr.Root,
	}
	if !slices.Equal(procs, wantProcs) {
		t.Errorf("processes:\n got %q\nwant %q", procs, wantProcs)
	}
	host := inv.OfKind(inventory.KindHost)[0].Typed.(*inventory.Host)
	if !host.ProcRead || !slices.Equal(host.LogAgents, []string{"fluent-bit (pid 530)", "fluentd (pid 531)"}) {
		t.Errorf("host = %+v", host)
	}
	got := rows(res)
	for _, w := range []string{
		"AA-01 fail critical Process kube-apiserver:0 args[2]",        // --anonymous-auth=true
		"AA-11 fail critical Process kube-apiserver:0 args[3]",        // --authorization-mode AlwaysAllow
		"AA-07 fail high Process kube-apiserver:0 args[11]",           // --token-auth-file
		"NS-23 fail critical Process kube-apiserver:0 args[6]",        // http:// etcd
		"NS-24 fail high Process etcd:0 environ.ETCD_TRUSTED_CA_FILE", // same CA as the API server
		"NS-21 fail critical Process etcd:0 args[3]",                  // http:// client URL
		"NS-26 fail medium /var/lib/etcd:0 mode",                      // data dir 0755
		"NS-28 fail high /srv/kubernetes/apiserver.key:0 mode",        // world-readable key
		"AA-02 fail critical Process kubelet:0 args[3]",               // flag over file
		"NS-29 fail high Process kubelet:0 args[4]",                   // --read-only-port 10255
		"NS-30 fail medium /etc/kubernetes/kubelet-config.yaml:1 rotateCertificates",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing finding %s", w)
		}
	}
	for _, g := range got {
		switch {
		case strings.HasPrefix(g, "NS-19 "):
			t.Errorf("--profiling=false comes last and wins, but: %s", g) // also checks the bare --profiling before it
		case strings.HasPrefix(g, "AL-08 "):
			t.Errorf("fluent-bit runs, but: %s", g)
		case strings.HasPrefix(g, "AA-02 ") && strings.Contains(g, "kubelet-config.yaml"):
			t.Errorf("the flag decides AA-02, not the file: %s", g)
		}
	}
	// etcd's client-cert-auth comes from ETCD_CLIENT_CERT_AUTH, so NS-21 does not report it.
	for _, f := range res.Findings {
		if f.Control.ID == "NS-21" && strings.Contains(f.Message, "client-cert-auth") {
			t.Errorf("ETCD_CLIENT_CERT_AUTH=true ignored: %s", f.Message)
		}
	}
}

// writeProc adds a fake process to a prepared tree.
func writeProc(t *testing.T, root string, pid int, args ...string) {
	t.Helper()
	dir := filepath.Join(root, "proc", fmt.Sprint(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmdline"), []byte(strings.Join(args, "\x00")+"\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, root, nodePath, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(nodePath))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestStaticManifestWinsOverProcess: a component with a static pod manifest is read from the
// manifest only; its process (the same thing, running) is not reported a second time. The
// kubelet's running command line replaces the systemd files as its flag source.
func TestStaticManifestWinsOverProcess(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	writeProc(t, tr.Root, 2101, "kube-apiserver", "--advertise-address=192.168.56.10", "--authorization-mode=Node,RBAC")
	writeProc(t, tr.Root, 2102, "/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--anonymous-auth=true")
	opts := tr.Options()
	opts.NoProc = false
	inv, res := run(t, opts)
	var procs []string
	for _, o := range inv.OfKind(inventory.KindProcess) {
		procs = append(procs, o.Name)
	}
	if !slices.Equal(procs, []string{"kubelet"}) {
		t.Errorf("processes = %v, want only the kubelet", procs)
	}
	if n := len(inv.OfKind(inventory.KindKubeletFlags)); n != 0 {
		t.Errorf("%d KubeletFlags objects besides the running kubelet", n)
	}
	got := rows(res)
	if !slices.Contains(got, "AA-02 fail critical Process kubelet:0 args[2]") {
		t.Errorf("the running kubelet's --anonymous-auth=true is not reported: %v", got)
	}
	if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "AA-01 ") && strings.Contains(s, "Process") }) {
		t.Errorf("the API server was reported from its process too")
	}
}

// TestKubeletFlagPrecedence: flags from the systemd files override the configuration file, later
// files override earlier ones, --config-dir drop-ins override the file, and each finding points
// at the line that decided.
func TestKubeletFlagPrecedence(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	writeFile(t, tr.Root, "/etc/default/kubelet", "# set by hand\nKUBELET_EXTRA_ARGS=\"--anonymous-auth=true --read-only-port=0 --pod-max-pids=2048\"\n")
	writeFile(t, tr.Root, "/var/lib/kubelet/kubeadm-flags.env",
		"KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --read-only-port=10255 --config-dir=/etc/kubernetes/kubelet.conf.d\"\n")
	writeFile(t, tr.Root, "/etc/kubernetes/kubelet.conf.d/20-seccomp.conf",
		"apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\nauthorization:\n  mode: AlwaysAllow\n")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	got := rows(res)
	for _, w := range []string{
		// --anonymous-auth=true in /etc/default/kubelet beats the file's false.
		"AA-02 fail critical /etc/default/kubelet:2 KUBELET_EXTRA_ARGS.--anonymous-auth",
		// The drop-in's mode beats config.yaml's Webhook.
		"AA-03 fail critical /etc/kubernetes/kubelet.conf.d/20-seccomp.conf:5 authorization.mode",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		for _, id := range []string{"NS-29 ", "NS-14 ", "PS-32 "} {
			// --read-only-port=0 (EXTRA, later) beats 10255 (KUBEADM); --pod-max-pids=2048 sets
			// the limit; the drop-in turns seccompDefault on.
			if strings.HasPrefix(g, id) {
				t.Errorf("unexpected %s", g)
			}
		}
	}
	// Each setting is counted once: AA-02 fails once, on the flag's file, and is skipped on the
	// configuration file and the other flag files.
	n := 0
	for _, f := range res.Findings {
		if f.Control.ID == "AA-02" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("AA-02 reported %d times", n)
	}
}

// TestKubeletWithoutConfigFile: with flags alone the kubelet binary's legacy defaults apply:
// anonymous access on, AlwaysAllow, read-only port 10255.
func TestKubeletWithoutConfigFile(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	writeFile(t, tr.Root, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
		"[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf\"\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS --client-ca-file=/etc/kubernetes/pki/ca.crt\n")
	inv, res := run(t, tr.Options())
	if n := len(inv.OfKind(inventory.KindKubeletConfiguration)); n != 0 {
		t.Fatalf("%d configuration objects; the unit names no --config", n)
	}
	got := rows(res)
	const dropIn = "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
	for _, w := range []string{
		"AA-02 fail critical " + dropIn + ":2 --anonymous-auth",
		"AA-03 fail critical " + dropIn + ":2 --authorization-mode",
		"NS-29 fail high " + dropIn + ":2 --read-only-port",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if strings.HasPrefix(g, "AA-04 ") {
			t.Errorf("--client-ca-file on the ExecStart line was missed: %s", g)
		}
	}
}

// TestWorkerNode: a node without control plane: nothing about etcd or the API server, no crash;
// a flag that names a missing file makes its control not assessed, never passed.
func TestWorkerNode(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	for _, p := range []string{"etc/kubernetes/manifests", "etc/kubernetes/pki/etcd", "var/lib/etcd", "etc/kubernetes/admin.conf", "etc/kubernetes/super-admin.conf"} {
		if err := os.RemoveAll(filepath.Join(tr.Root, p)); err != nil {
			t.Fatal(err)
		}
	}
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	if n := len(inv.OfKind("Pod")); n != 0 {
		t.Errorf("%d pods on a worker", n)
	}
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Control.ID, "NS-2") && f.Control.ID != "NS-28" && f.Control.ID != "NS-29" {
			t.Errorf("control-plane finding on a worker: %s", row(f))
		}
	}

	// A control plane whose encryption configuration is missing on the node.
	tr = nodetest.Prepare(t, "kubeadm-hardened")
	if err := os.Remove(filepath.Join(tr.Root, "etc/kubernetes/enc/encryption-config.yaml")); err != nil {
		t.Fatal(err)
	}
	_, res = run(t, tr.Options())
	got := rows(res)
	for _, w := range []string{
		"NS-38 not-assessed high /etc/kubernetes/manifests/kube-apiserver.yaml:1 ",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in\n%s", w, strings.Join(got, "\n"))
		}
	}
}

// TestBrokenConfigFile: a configuration file that does not parse is an input error with its
// line, and the kubelet's controls are not assessed rather than passed.
func TestBrokenConfigFile(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	writeFile(t, tr.Root, "/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: [\n")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) != 1 || inv.Errors[0].File != "/var/lib/kubelet/config.yaml" || inv.Errors[0].Line == 0 {
		t.Fatalf("errors = %v", inv.Errors)
	}
	na := 0
	for _, f := range res.Findings {
		if f.Status == engine.StatusNotAssessed && strings.Contains(f.Message, "named by --config") {
			na++
		}
		if f.Control.ID == "AA-02" && f.Status != engine.StatusNotAssessed {
			t.Errorf("AA-02 judged without the configuration file: %s", row(f))
		}
	}
	if na < 5 {
		t.Errorf("only %d kubelet controls not assessed", na)
	}
}

// TestRealOwners reads owners from the filesystem (no Owner hook): files the test wrote belong
// to the user running it.
func TestRealOwners(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-default")
	opts := tr.Options()
	opts.Owner = nil
	inv := node.Load(opts)
	o := inv.Get(inventory.KindFile, "", "/etc/kubernetes/admin.conf")
	if o == nil {
		t.Fatal("no File object for admin.conf")
	}
	f := o.Typed.(*inventory.NodeFile)
	if int(f.UID) != os.Getuid() || f.Perm != 0o600 || !f.Exists {
		t.Errorf("admin.conf: uid %d perm %o, want uid %d perm 600", f.UID, f.Perm, os.Getuid())
	}
	// The symbolic link to the kubelet's current client certificate is followed.
	o = inv.Get(inventory.KindFile, "", "/var/lib/kubelet/pki/kubelet-client-current.pem")
	if f := o.Typed.(*inventory.NodeFile); f.Perm != 0o600 || f.Link == "" {
		t.Errorf("kubelet-client-current.pem: %+v", f)
	}
}

// TestRootMissing: a root that does not exist is an input error, not a crash.
func TestRootMissing(t *testing.T) {
	inv := node.Load(node.Options{Root: filepath.Join(t.TempDir(), "nope")})
	if len(inv.Errors) != 1 {
		t.Fatalf("errors = %v", inv.Errors)
	}
}

func BenchmarkLoadAndCheckKubeadm(b *testing.B) {
	tr := nodetest.Prepare(b, "kubeadm-default")
	opts := tr.Options()
	b.ResetTimer()
	for range b.N {
		inv := node.Load(opts)
		if _, err := engine.Run(inv, engine.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLinksStayInRoot: symbolic links in a copy of a node are resolved as on the node, inside
// the root: an absolute link means the copy's file, and neither an absolute link nor ".." leads
// to the files of the machine reading the copy, in a folder on the way or at the end.
func TestLinksStayInRoot(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	outside := t.TempDir()
	writeFile(t, outside, "/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n")
	writeFile(t, outside, "/pki/stolen.key", "not a key")
	kubeletConfig := filepath.Join(tr.Root, "var", "lib", "kubelet", "config.yaml")
	inRoot := filepath.Join(tr.Root, "etc", "kubernetes", "kubelet-config.yaml")
	if err := os.Rename(kubeletConfig, inRoot); err != nil {
		t.Fatal(err)
	}
	link := func(target, at string) {
		t.Helper()
		p := filepath.Join(tr.Root, filepath.FromSlash(at))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}

	// An absolute link to a file of the node: the copy's file is read.
	link("/etc/kubernetes/kubelet-config.yaml", "/var/lib/kubelet/config.yaml")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	for _, f := range res.Findings {
		if f.Control.ID == "NS-29" && f.Status != engine.StatusPass {
			t.Errorf("NS-29 through an in-root link: %s %s", f.Status, f.Message)
		}
	}

	// Links whose target lies outside the root, absolute or through "..", at the end of the path
	// and in a folder on the way: nothing outside is read or listed.
	link(filepath.Join(outside, "config.yaml"), "/var/lib/kubelet/config.yaml")
	link(filepath.Join(outside, "pki"), "/var/lib/kubelet/pki")
	depth := strings.Count(filepath.ToSlash(strings.TrimPrefix(tr.Root, "/")), "/") + 1
	link(strings.Repeat("../", depth+4)+strings.TrimPrefix(filepath.ToSlash(outside), "/")+"/config.yaml", "/etc/kubernetes/kubelet-config.yaml")
	inv, res = run(t, tr.Options())
	for _, f := range res.Findings {
		if f.Control.ID == "NS-29" && f.Status == engine.StatusFail {
			t.Errorf("NS-29 judged a file outside the root: %s", f.Message)
		}
	}
	for _, o := range inv.OfKind(inventory.KindFile) {
		if strings.Contains(o.Name, "stolen") {
			t.Errorf("listed a folder outside the root: %s", o.Name)
		}
	}
	for _, o := range inv.OfKind(inventory.KindKubeletConfiguration) {
		t.Errorf("read a kubelet configuration outside the root: %s", o.Origin.File)
	}
}

// rewrite replaces old with new in a node file of a prepared tree.
func rewrite(t *testing.T, root, nodePath, old, new string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(nodePath))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", nodePath, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestWrappedAPIServer: an API server started through go-runner (kops, kube-up) is audited like
// kubeadm's, with findings on the wrapped command's own elements; a static pod of a component
// whose command cannot be read is an input error naming it, not a silently passing node.
func TestWrappedAPIServer(t *testing.T) {
	const api = "/etc/kubernetes/manifests/kube-apiserver.yaml"
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	rewrite(t, tr.Root, api, "    - kube-apiserver\n",
		"    - /go-runner\n    - --log-file=/var/log/kube-apiserver.log\n    - --also-stdout\n    - /usr/local/bin/kube-apiserver\n")
	rewrite(t, tr.Root, api, "--profiling=false", "--profiling=true")
	inv, res := run(t, tr.Options())
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	got := rows(res)
	// --profiling is command[25] now (three wrapper elements before the binary), on line 39.
	if w := "NS-19 fail medium " + api + ":39 spec.containers[0].command[25]"; !slices.Contains(got, w) {
		t.Errorf("missing %s in\n%s", w, strings.Join(got, "\n"))
	}
	res, err := engine.Run(inv, engine.Options{ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Findings {
		if f.Object.Origin.File == api && f.Status == engine.StatusPass {
			n++
		}
	}
	if n < 15 {
		t.Errorf("only %d API server controls passed: the wrapped API server was not audited", n)
	}

	// The same pod with its command hidden in a script kubeharden does not read.
	tr = nodetest.Prepare(t, "kubeadm-hardened")
	rewrite(t, tr.Root, api, "    - kube-apiserver\n", "    - /bin/sh\n    - -c\n    - /start-apiserver.sh\n")
	inv, _ = run(t, tr.Options())
	if len(inv.Errors) != 1 || inv.Errors[0].File != api || !strings.Contains(inv.Errors[0].Message, "kube-apiserver") {
		t.Errorf("errors = %v, want one naming the API server's manifest", inv.Errors)
	}
}

// TestKeyNamedAsCertificate: the API server accepts a private key in --service-account-key-file,
// a flag that usually names a public key. A world-readable key stays a key whichever flag names
// it first: the strictest role of a file wins, and a .key file is a private key.
func TestKeyNamedAsCertificate(t *testing.T) {
	const api = "/etc/kubernetes/manifests/kube-apiserver.yaml"
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	rewrite(t, tr.Root, api, "--service-account-key-file=/etc/kubernetes/pki/sa.pub", "--service-account-key-file=/etc/kubernetes/pki/sa.key")
	tr.SetMode(t, "/etc/kubernetes/pki/sa.key", 0o644)
	_, res := run(t, tr.Options())
	if w := "NS-28 fail high /etc/kubernetes/pki/sa.key:0 mode"; !slices.Contains(rows(res), w) {
		t.Errorf("missing %s in\n%s", w, strings.Join(rows(res), "\n"))
	}

	// Named by that flag alone, outside any PKI folder.
	tr = nodetest.Prepare(t, "binary-install")
	writeFile(t, tr.Root, "/srv/kubernetes/sa.key", "not a key")
	tr.SetMode(t, "/srv/kubernetes/sa.key", 0o644)
	writeProc(t, tr.Root, 412, "/usr/local/bin/kube-apiserver", "--service-account-key-file=/srv/kubernetes/sa.key")
	opts := tr.Options()
	opts.NoProc = false
	_, res = run(t, opts)
	if w := "NS-28 fail high /srv/kubernetes/sa.key:0 mode"; !slices.Contains(rows(res), w) {
		t.Errorf("missing %s in\n%s", w, strings.Join(rows(res), "\n"))
	}
}

// TestEtcdDefaultListenURLs: without --listen-client-urls and --listen-peer-urls etcd listens on
// http://localhost:2379 and :2380, in plaintext whatever certificates it has.
func TestEtcdDefaultListenURLs(t *testing.T) {
	const etcd = "/etc/kubernetes/manifests/etcd.yaml"
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	rewrite(t, tr.Root, etcd, "    - --listen-client-urls=https://127.0.0.1:2379\n", "")
	rewrite(t, tr.Root, etcd, "    - --listen-peer-urls=https://127.0.0.1:2380\n", "")
	_, res := run(t, tr.Options())
	got := map[string]string{}
	for _, f := range res.Findings {
		if f.Status == engine.StatusFail {
			got[row(f)] = f.Message
		}
	}
	for _, w := range []string{
		"NS-21 fail critical " + etcd + ":13 spec.containers[0].command",
		"NS-22 fail high " + etcd + ":13 spec.containers[0].command",
	} {
		if msg, ok := got[w]; !ok || !strings.Contains(msg, "plaintext") {
			t.Errorf("missing %s saying the default is plaintext in %v", w, got)
		}
	}
}

// etcdWithConfigFile is a kubeadm-style etcd manifest that passes all its settings in a
// configuration file on a hostPath volume, with a flag etcd ignores then.
const etcdWithConfigFile = `apiVersion: v1
kind: Pod
metadata:
  labels: {component: etcd, tier: control-plane}
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --config-file=/etc/etcd/etcd.conf.yml
    - --client-cert-auth=false
    image: registry.k8s.io/etcd:3.7.0-0
    name: etcd
    volumeMounts:
    - {mountPath: /var/lib/etcd, name: etcd-data}
    - {mountPath: /etc/kubernetes/pki/etcd, name: etcd-certs}
    - {mountPath: /etc/etcd, name: etcd-config}
  hostNetwork: true
  volumes:
  - {hostPath: {path: /etc/kubernetes/pki/etcd, type: DirectoryOrCreate}, name: etcd-certs}
  - {hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}, name: etcd-data}
  - {hostPath: {path: /srv/etcd, type: DirectoryOrCreate}, name: etcd-config}
`

const etcdConfig = `name: cp-1
data-dir: /var/lib/etcd
listen-client-urls: https://127.0.0.1:2379
advertise-client-urls: https://127.0.0.1:2379
listen-peer-urls: https://127.0.0.1:2380
client-transport-security:
  cert-file: /etc/kubernetes/pki/etcd/server.crt
  key-file: /etc/kubernetes/pki/etcd/server.key
  client-cert-auth: true
  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt
peer-transport-security:
  cert-file: /etc/kubernetes/pki/etcd/peer.crt
  key-file: /etc/kubernetes/pki/etcd/peer.key
  client-cert-auth: true
  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt
tls-min-version: TLS1.2
`

// TestEtcdConfigFile: an etcd started with --config-file is judged on that file (found through
// the pod's hostPath volume), whose keys stand for the flags etcd then ignores; when the file
// cannot be read, etcd's controls are not assessed, never passed or failed.
func TestEtcdConfigFile(t *testing.T) {
	const manifest = "/etc/kubernetes/manifests/etcd.yaml"
	etcdRows := func(res *engine.Result, status engine.Status) map[string]string {
		out := map[string]string{}
		for _, f := range res.Findings {
			if f.Status == status && (f.Object.Origin.File == manifest || f.Object.Name == "/var/lib/etcd") {
				out[row(f)] = f.Message
			}
		}
		return out
	}
	opts := func(tr *nodetest.Tree) node.Options { return tr.Options() }

	// The hardened settings, in the file: everything passes, and the data directory the file
	// names is examined (NS-26).
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	writeFile(t, tr.Root, manifest, etcdWithConfigFile)
	writeFile(t, tr.Root, "/srv/etcd/etcd.conf.yml", etcdConfig)
	inv := node.Load(opts(tr))
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	res, err := engine.Run(inv, engine.Options{ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}
	if fails := etcdRows(res, engine.StatusFail); len(fails) > 0 {
		t.Errorf("failures with the hardened file: %v", fails)
	}
	passed := etcdRows(res, engine.StatusPass)
	for _, w := range []string{"NS-21", "NS-22", "NS-24", "NS-25", "NS-26"} {
		found := false
		for r := range passed {
			found = found || strings.HasPrefix(r, w+" ")
		}
		if !found {
			t.Errorf("%s did not pass: %v", w, passed)
		}
	}

	// A setting of the file fails on the --config-file flag, naming the key and the file.
	writeFile(t, tr.Root, "/srv/etcd/etcd.conf.yml", strings.Replace(etcdConfig, "  client-cert-auth: true\n  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt\npeer", "  client-cert-auth: false\n  trusted-ca-file: /etc/kubernetes/pki/etcd/ca.crt\npeer", 1))
	_, res = run(t, opts(tr))
	fails := etcdRows(res, engine.StatusFail)
	const w = "NS-21 fail critical " + manifest + ":11 spec.containers[0].command[1]"
	if msg := fails[w]; !strings.Contains(msg, "client-transport-security.client-cert-auth: false in /srv/etcd/etcd.conf.yml") {
		t.Errorf("missing %s naming the file's key in %v", w, fails)
	}

	// The file is missing: not assessed, with the reason.
	if err := os.Remove(filepath.Join(tr.Root, "srv", "etcd", "etcd.conf.yml")); err != nil {
		t.Fatal(err)
	}
	_, res = run(t, opts(tr))
	if fails := etcdRows(res, engine.StatusFail); len(fails) > 0 {
		t.Errorf("failures without the file: %v", fails)
	}
	na := etcdRows(res, engine.StatusNotAssessed)
	for _, id := range []string{"NS-21", "NS-22", "NS-24", "NS-25"} {
		if msg := na[id+" not-assessed "+map[string]string{"NS-21": "critical", "NS-22": "high", "NS-24": "high", "NS-25": "medium"}[id]+" "+manifest+":1 "]; !strings.Contains(msg, "/srv/etcd/etcd.conf.yml on the node") {
			t.Errorf("%s not assessed naming the file: %v", id, na)
		}
	}
}

// TestKubeletRepeatedListFlag: a repeated --tls-cipher-suites adds to the list (pflag's string
// slices append), so a weak suite in the first occurrence is enabled and reported.
func TestKubeletRepeatedListFlag(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	writeFile(t, tr.Root, "/etc/default/kubelet",
		"KUBELET_EXTRA_ARGS=\"--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n")
	_, res := run(t, tr.Options())
	var msgs []string
	for _, f := range res.Findings {
		if f.Control.ID == "NS-30" && f.Status == engine.StatusFail {
			msgs = append(msgs, row(f)+": "+f.Message)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "/etc/default/kubelet:1 KUBELET_EXTRA_ARGS.--tls-cipher-suites") || !strings.Contains(msgs[0], "TLS_RSA_WITH_RC4_128_SHA") {
		t.Errorf("NS-30 failures = %q, want the RC4 suite of the first flag", msgs)
	}
}

// TestRootEmpty: a root in which neither a kubelet nor a control-plane component is found (an
// empty folder, a wrong --root) is an input error, not a clean node.
func TestRootEmpty(t *testing.T) {
	root := t.TempDir()
	inv := node.Load(node.Options{Root: root, NoProc: true})
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Message, "no kubelet") {
		t.Fatalf("errors = %v", inv.Errors)
	}
	// A worker has a kubelet: no such error.
	tr := nodetest.Prepare(t, "kubeadm-default")
	if err := os.RemoveAll(filepath.Join(tr.Root, "etc/kubernetes/manifests")); err != nil {
		t.Fatal(err)
	}
	if inv := node.Load(tr.Options()); len(inv.Errors) > 0 {
		t.Errorf("worker: %v", inv.Errors)
	}
}

// TestPermissionsThroughLinks: a file's mode is judged on the file a read of its path opens, with
// links resolved inside the root in folders on the way as at the end: here a relative link
// inside a folder reached through an absolute link.
func TestPermissionsThroughLinks(t *testing.T) {
	tr := nodetest.Prepare(t, "kubeadm-hardened")
	at := func(p string) string { return filepath.Join(tr.Root, filepath.FromSlash(p)) }
	for _, d := range []string{"/data", "/data/certs"} {
		if err := os.MkdirAll(at(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	steps := []error{
		os.Rename(at("/etc/kubernetes/pki"), at("/data/pki")),
		os.Symlink("/data/pki", at("/etc/kubernetes/pki")),
		os.Rename(at("/data/pki/ca.key"), at("/data/certs/ca.key")),
		os.Symlink("../certs/ca.key", at("/data/pki/ca.key")),
		os.Chmod(at("/data/certs/ca.key"), 0o666),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, res := run(t, tr.Options())
	var got []string
	for _, f := range res.Findings {
		if f.Control.ID == "NS-28" && f.Object.Name == "/etc/kubernetes/pki/ca.key" {
			got = append(got, fmt.Sprintf("%v: %s", f.Status == engine.StatusFail, f.Message))
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "true: ") || !strings.Contains(got[0], "0666") {
		t.Errorf("NS-28 on /etc/kubernetes/pki/ca.key = %q, want one failure for mode 0666", got)
	}
}
