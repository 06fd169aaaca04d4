package node_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/node"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	source "github.com/kubeharden/kubeharden/pkg/source/node"
)

var kubeletControls = []string{"AA-02", "AA-03", "AA-04", "NS-14", "NS-29", "NS-30", "NS-32", "PS-32"}

var controls = append(slices.Clone(kubeletControls), "NS-26", "NS-27", "NS-28")

func TestControlsAreRegisteredAndInTheCatalog(t *testing.T) {
	for _, id := range controls {
		if _, ok := checks.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
		if c := catalog.Default().Get(id); c == nil || !c.HasSource(catalog.SourceNode) {
			t.Errorf("%s is not a node control of the catalog", id)
		}
	}
}

// assess runs control id on o and reports the outcome.
func assess(id string, inv *inventory.Inventory, o *inventory.Object) checks.Assessment {
	c, _ := checks.Lookup(id)
	var a checks.Assessment
	if !c.Match(o) {
		a.Skip()
		return a
	}
	c.Assess(&a, o, inv)
	return a
}

// TestKubeletConfigFixtures: each testdata/<ID>/*.yaml is a kubelet configuration file on its
// own; fail-* must fail, pass-* pass.
func TestKubeletConfigFixtures(t *testing.T) {
	for _, id := range kubeletControls {
		t.Run(id, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("testdata", id, "*.yaml"))
			var fails, passes int
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				o, err := source.ParseConfig("/var/lib/kubelet/config.yaml", data, "")
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				inv := &inventory.Inventory{}
				inv.Add(o)
				a := assess(id, inv, o)
				name := filepath.Base(f)
				switch {
				case strings.HasPrefix(name, "fail-"):
					fails++
					if len(a.Failures) == 0 {
						t.Errorf("%s should fail %s", f, id)
					}
					for _, fl := range a.Failures {
						if fl.Path == "" || fl.Message == "" {
							t.Errorf("%s: failure without path or message: %+v", f, fl)
						}
					}
				case strings.HasPrefix(name, "pass-"):
					passes++
					if len(a.Failures) > 0 || a.NotAssessedReason != "" || a.Skipped {
						t.Errorf("%s should pass %s: %+v", f, id, a)
					}
				}
			}
			if fails == 0 || passes == 0 {
				t.Errorf("%s needs fail-* and pass-* files", id)
			}
		})
	}
}

// flagsObject is a KubeletFlags object holding flags at the given command-line positions.
func flagsObject(file string, order int, args ...string) *inventory.Object {
	o := &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindKubeletFlags, Name: "kubelet",
		Origin: inventory.Origin{Source: inventory.SourceNode, File: file, Line: 1}}
	fl := inventory.ParseFlags(args, func(i int) string { return inventory.Field("KUBELET_EXTRA_ARGS", strings.SplitN(args[i], "=", 2)[0]) }, order)
	o.Typed = &inventory.KubeletFlags{Flags: fl}
	return o
}

func config(t *testing.T, path, body string) *inventory.Object {
	t.Helper()
	o, err := source.ParseConfig(path, []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"+body), "")
	if err != nil {
		t.Fatal(err)
	}
	o.Name = "kubelet"
	return o
}

// TestPrecedence: flags over drop-ins over the file, later flags over earlier ones; each
// setting judged once, on the object that decided it.
func TestPrecedence(t *testing.T) {
	file := config(t, "/var/lib/kubelet/config.yaml", "authentication:\n  anonymous:\n    enabled: false\nreadOnlyPort: 10255\nseccompDefault: false\n")
	dropIn := config(t, "/etc/kubernetes/kubelet.conf.d/10.conf", "readOnlyPort: 0\n")
	early := flagsObject("/var/lib/kubelet/kubeadm-flags.env", 0, "--config=/var/lib/kubelet/config.yaml", "--seccomp-default=true", "--anonymous-auth=false")
	late := flagsObject("/etc/default/kubelet", 10, "--anonymous-auth=true")
	inv := &inventory.Inventory{}
	inv.Add(file, dropIn, early, late)

	k := node.View(inv)
	if k.Primary != file || !k.HasConfig || k.Missing != "" {
		t.Fatalf("view: primary %v, hasConfig %v, missing %q", k.Primary.Origin.File, k.HasConfig, k.Missing)
	}
	for _, tc := range []struct {
		id     string
		obj    *inventory.Object
		failed bool
		skip   bool
	}{
		{"AA-02", late, true, false}, // the later flag wins
		{"AA-02", early, false, true},
		{"AA-02", file, false, true},
		{"NS-29", dropIn, false, false}, // the drop-in's 0 beats the file's 10255
		{"NS-29", file, false, true},
		{"PS-32", early, false, false}, // the flag beats the file's false
		{"PS-32", file, false, true},
	} {
		a := assess(tc.id, inv, tc.obj)
		if (len(a.Failures) > 0) != tc.failed || a.Skipped != tc.skip {
			t.Errorf("%s on %s: failures %v skipped %v", tc.id, tc.obj.Origin.File, a.Failures, a.Skipped)
		}
	}
	if a := assess("AA-02", inv, late); len(a.Failures) != 1 || a.Failures[0].Path != "KUBELET_EXTRA_ARGS.--anonymous-auth" {
		t.Errorf("AA-02 path: %+v", a.Failures)
	}
}

// TestDefaultsWithoutConfigFile: the binary's legacy defaults when only flags are given, judged
// on the first flag object.
func TestDefaultsWithoutConfigFile(t *testing.T) {
	flags := flagsObject("/etc/systemd/system/kubelet.service.d/10.conf", 0, "--kubeconfig=/etc/kubernetes/kubelet.conf")
	inv := &inventory.Inventory{}
	inv.Add(flags)
	for _, id := range []string{"AA-02", "AA-03", "NS-29"} {
		if a := assess(id, inv, flags); len(a.Failures) == 0 || !strings.Contains(a.Failures[0].Message, "without a configuration file") {
			t.Errorf("%s: %+v", id, a.Failures)
		}
	}
	// A --config naming a file that was not read: nothing can be judged.
	flags = flagsObject("/etc/default/kubelet", 0, "--config=/etc/kubelet.yaml")
	inv = &inventory.Inventory{}
	inv.Add(flags)
	if a := assess("AA-02", inv, flags); a.NotAssessedReason == "" {
		t.Errorf("AA-02 with an unreadable --config: %+v", a)
	}
}

// TestKubeletProcess: a running kubelet's command line is its flag source; args[i] paths.
func TestKubeletProcess(t *testing.T) {
	p := &inventory.Object{Kind: inventory.KindProcess, Name: "kubelet", Typed: &inventory.Process{PID: 7,
		Args: []string{"/usr/bin/kubelet", "--read-only-port", "10255", "--streaming-connection-idle-timeout=0", "--feature-gates=RotateKubeletServerCertificate=false,Foo=true"}},
		Origin: inventory.Origin{Source: inventory.SourceNode}}
	inv := &inventory.Inventory{}
	inv.Add(p)
	for id, want := range map[string][]string{
		"NS-29": {"args[1]"},
		"NS-32": {"args[3]"},                 // a flag of 0 means no timeout
		"NS-30": {"args", "args", "args[4]"}, // no serving certificate, no rotation, gate off
	} {
		a := assess(id, inv, p)
		var ps []string
		for _, f := range a.Failures {
			ps = append(ps, f.Path)
		}
		if !slices.Equal(ps, want) {
			t.Errorf("%s: paths %v, want %v", id, ps, want)
		}
	}
}

// TestKubeProxyMetrics: NS-32's kube-proxy part.
func TestKubeProxyMetrics(t *testing.T) {
	for args, fail := range map[string]bool{
		"--metrics-bind-address=0.0.0.0:10249":     true,
		"--metrics-bind-address=127.0.0.1:10249":   false,
		"--config=/var/lib/kube-proxy/config.conf": false,
	} {
		p := &inventory.Object{Kind: inventory.KindProcess, Name: "kube-proxy", Typed: &inventory.Process{Args: []string{"/usr/local/bin/kube-proxy", args}}}
		inv := &inventory.Inventory{}
		inv.Add(p)
		if a := assess("NS-32", inv, p); (len(a.Failures) > 0) != fail {
			t.Errorf("%s: %+v", args, a)
		}
	}
}

func file(role inventory.FileRole, perm uint32, uid, gid uint32) *inventory.Object {
	names := map[uint32]string{0: "root", 998: "etcd", 1000: "alice"}
	f := &inventory.NodeFile{Path: "/f", Role: role, Exists: true, Perm: os.FileMode(perm), UID: uid, GID: gid,
		Owner: names[uid], Group: names[gid], WantUID: -1}
	return &inventory.Object{Kind: inventory.KindFile, Name: "/f", Typed: f}
}

// TestFilePermissions: NS-26, NS-27 and NS-28 by role.
func TestFilePermissions(t *testing.T) {
	user := file(inventory.RoleUserKubeconfig, 0o600, 1000, 1000)
	user.Typed.(*inventory.NodeFile).WantUID = 1000
	otherUser := file(inventory.RoleUserKubeconfig, 0o600, 0, 0)
	otherUser.Typed.(*inventory.NodeFile).WantUID = 1000
	dir := file(inventory.RolePKIDir, 0o755, 0, 0)
	dir.Typed.(*inventory.NodeFile).Dir = true
	openDir := file(inventory.RolePKIDir, 0o777, 0, 0)
	openDir.Typed.(*inventory.NodeFile).Dir = true
	etcdDir := file(inventory.RoleEtcdDataDir, 0o700, 998, 998)
	etcdDir.Typed.(*inventory.NodeFile).Dir = true
	for _, tc := range []struct {
		id   string
		o    *inventory.Object
		want []string
		sev  catalog.Severity
	}{
		{"NS-27", file(inventory.RoleKubeconfig, 0o600, 0, 0), nil, 0},
		{"NS-27", file(inventory.RoleKubeconfig, 0o644, 0, 0), []string{"mode"}, 0},
		{"NS-27", file(inventory.RoleKubeconfig, 0o600, 1000, 0), []string{"owner"}, 0},
		{"NS-27", user, nil, 0},
		{"NS-27", otherUser, []string{"owner"}, 0},
		{"NS-28", file(inventory.RolePrivateKey, 0o600, 0, 0), nil, 0},
		{"NS-28", file(inventory.RolePrivateKey, 0o640, 0, 0), []string{"mode"}, 0},
		{"NS-28", file(inventory.RolePrivateKey, 0o644, 0, 0), []string{"mode"}, catalog.SeverityHigh},
		{"NS-28", file(inventory.RoleCertificate, 0o644, 0, 0), nil, 0},
		{"NS-28", file(inventory.RoleCertificate, 0o666, 0, 0), []string{"mode"}, 0},
		{"NS-28", file(inventory.RoleStaticManifest, 0o600, 0, 0), nil, 0},
		{"NS-28", file(inventory.RoleStaticManifest, 0o600, 0, 1000), []string{"owner"}, 0},
		{"NS-28", file(inventory.RoleKubeletService, 0o644, 0, 0), []string{"mode"}, 0},
		{"NS-28", file(inventory.RoleCNIConfig, 0o600, 0, 0), nil, 0},
		{"NS-28", dir, nil, 0},
		{"NS-28", openDir, []string{"mode"}, 0},
		{"NS-26", etcdDir, nil, 0},
		{"NS-26", file(inventory.RoleEtcdDataDir, 0o700, 0, 0), nil, 0},
		{"NS-26", file(inventory.RoleEtcdDataDir, 0o750, 0, 0), []string{"mode"}, 0},
		{"NS-26", file(inventory.RoleEtcdDataDir, 0o700, 1000, 1000), []string{"owner"}, 0},
	} {
		f := tc.o.Typed.(*inventory.NodeFile)
		a := assess(tc.id, &inventory.Inventory{}, tc.o)
		var ps []string
		for _, fl := range a.Failures {
			ps = append(ps, fl.Path)
			if fl.Severity != tc.sev {
				t.Errorf("%s %s %o: severity %v, want %v", tc.id, f.Role, f.Perm, fl.Severity, tc.sev)
			}
		}
		if !slices.Equal(ps, tc.want) || a.Skipped || a.NotAssessedReason != "" {
			t.Errorf("%s %s %04o %s:%s: %v (%+v), want %v", tc.id, f.Role, f.Perm, f.Owner, f.Group, ps, a, tc.want)
		}
	}
	// Missing files named by a flag are not assessed, never passed.
	missing := &inventory.Object{Kind: inventory.KindFile, Typed: &inventory.NodeFile{Path: "/etc/kubernetes/pki/x.key", Role: inventory.RolePrivateKey, ReferencedBy: "kube-apiserver --tls-private-key-file"}}
	if a := assess("NS-28", &inventory.Inventory{}, missing); a.NotAssessedReason == "" {
		t.Errorf("missing file: %+v", a)
	}
}
