package controlplane_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	_ "github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/node"
)

// controls are the controls this package implements.
var controls = []string{
	"PS-11", "PS-13",
	"NS-15", "NS-16", "NS-17", "NS-18", "NS-19", "NS-21", "NS-22", "NS-23", "NS-24", "NS-25", "NS-37", "NS-38", "NS-39",
	"AA-01", "AA-07", "AA-08", "AA-10", "AA-11", "AA-12",
}

func TestRegisteredChecksAreTheCatalogsControls(t *testing.T) {
	var got []string
	for _, c := range checks.All() {
		got = append(got, c.ID)
	}
	for _, id := range controls {
		if !slices.Contains(got, id) {
			t.Errorf("%s is not registered", id)
		}
		c := catalog.Default().Get(id)
		if c == nil || !c.HasSource(catalog.SourceNode) {
			t.Errorf("%s is not a node control of the catalog", id)
		}
	}
	if len(got) != len(controls) {
		t.Errorf("registered %v, want %v", got, controls)
	}
}

// TestPodFixtures runs the controls over testdata/<ID>.yaml: kube-system pods named fail-*,
// pass-*, na-* or skip-* after their expected outcome.
func TestPodFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) < 15 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, path := range files {
		id := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(id, func(t *testing.T) {
			outs := checktest.Expect(t, id, path)
			for name, o := range outs {
				for _, f := range o.Failures {
					if f.Path == "" || f.Message == "" {
						t.Errorf("%s: failure without path or message: %+v", name, f)
					}
				}
			}
		})
	}
}

// loadFiles parses testdata/files/<id>/*.yaml into one inventory, naming each object after its
// file so that checktest's fail-/pass- conventions apply.
func loadFiles(t *testing.T, id string) *inventory.Inventory {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "files", id, "*.yaml"))
	if len(files) == 0 {
		t.Fatalf("no files for %s", id)
	}
	inv := &inventory.Inventory{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		o, err := node.ParseConfig("/etc/kubernetes/"+filepath.Base(f), data, "")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		o.Name = strings.TrimSuffix(filepath.Base(f), ".yaml")
		inv.Add(o)
	}
	return inv
}

// TestConfigFileFixtures runs the controls judged on configuration files over
// testdata/files/<ID>/.
func TestConfigFileFixtures(t *testing.T) {
	for _, id := range []string{"AA-01", "AA-11", "NS-38", "NS-39"} {
		t.Run(id, func(t *testing.T) {
			outs := checktest.ExpectInventory(t, id, "testdata/files/"+id, loadFiles(t, id))
			for name, o := range outs {
				for _, f := range o.Failures {
					if f.Path == "" || f.Message == "" {
						t.Errorf("%s: failure without path or message: %+v", name, f)
					}
				}
			}
		})
	}
}

// paths runs a check on one object and returns the failure paths.
func paths(t *testing.T, id string, inv *inventory.Inventory, o *inventory.Object) (ps []string, notAssessed string, skipped bool) {
	t.Helper()
	c, _ := checks.Lookup(id)
	if !c.Match(o) {
		t.Fatalf("%s does not match %s", id, o.Ref())
	}
	var a checks.Assessment
	c.Assess(&a, o, inv)
	for _, f := range a.Failures {
		ps = append(ps, f.Path)
	}
	return ps, a.NotAssessedReason, a.Skipped
}

func process(args ...string) *inventory.Object {
	return &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindProcess, Name: filepath.Base(args[0]),
		Typed: &inventory.Process{PID: 42, Args: args}, Origin: inventory.Origin{Source: inventory.SourceNode, Detail: "process 42"}}
}

func fileObj(path string, f inventory.NodeFile) *inventory.Object {
	f.Path, f.Exists = path, true
	return &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindFile, Name: path, Typed: &f,
		Origin: inventory.Origin{Source: inventory.SourceNode, File: path}}
}

// TestProcessFlags: the same checks read a process's command line, with args[i] paths.
func TestProcessFlags(t *testing.T) {
	api := process("/usr/local/bin/kube-apiserver", "--anonymous-auth", "false", "--authorization-mode", "Node,RBAC", "--profiling=true")
	inv := &inventory.Inventory{}
	inv.Add(api)
	// A bare boolean flag does not take the next argument: "--anonymous-auth false" is true
	// followed by a stray argument, as pflag reads it.
	if ps, _, _ := paths(t, "AA-01", inv, api); !slices.Equal(ps, []string{"args[1]"}) {
		t.Errorf("AA-01 paths = %v", ps)
	}
	if ps, _, _ := paths(t, "AA-11", inv, api); len(ps) != 0 {
		t.Errorf("AA-11 paths = %v", ps)
	}
	if ps, _, _ := paths(t, "NS-19", inv, api); !slices.Equal(ps, []string{"args[5]"}) {
		t.Errorf("NS-19 paths = %v", ps)
	}
	// An etcd process: ETCD_* variables stand in for absent flags, flags win over them.
	etcd := process("etcd", "--client-cert-auth=false")
	etcd.Typed.(*inventory.Process).Env = map[string]string{"ETCD_CERT_FILE": "/e/s.crt", "ETCD_KEY_FILE": "/e/s.key", "ETCD_CLIENT_CERT_AUTH": "true",
		"ETCD_LISTEN_CLIENT_URLS": "https://127.0.0.1:2379"}
	inv = &inventory.Inventory{}
	inv.Add(etcd)
	if ps, _, _ := paths(t, "NS-21", inv, etcd); !slices.Equal(ps, []string{"args[1]"}) {
		t.Errorf("NS-21 paths = %v", ps)
	}
}

// TestEtcdSeparateCA compares etcd's trusted CA with the API server's client CA by path and by
// certificate digest.
func TestEtcdSeparateCA(t *testing.T) {
	api := process("kube-apiserver", "--client-ca-file=/pki/ca.crt")
	cases := []struct {
		name     string
		etcdCA   string
		files    map[string]string // path -> digest
		fail, na bool
	}{
		{"separate", "/pki/etcd/ca.crt", map[string]string{"/pki/ca.crt": "aa", "/pki/etcd/ca.crt": "bb"}, false, false},
		{"same path", "/pki/ca.crt", nil, true, false},
		{"same certificate", "/pki/etcd/ca.crt", map[string]string{"/pki/ca.crt": "aa", "/pki/etcd/ca.crt": "aa"}, true, false},
		{"files not read", "/pki/etcd/ca.crt", nil, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			etcd := process("etcd", "--trusted-ca-file="+tc.etcdCA)
			inv := &inventory.Inventory{}
			inv.Add(api, etcd)
			for p, d := range tc.files {
				inv.Add(fileObj(p, inventory.NodeFile{Role: inventory.RoleCertificate, Digest: d}))
			}
			ps, na, _ := paths(t, "NS-24", inv, etcd)
			if (len(ps) > 0) != tc.fail || (na != "") != tc.na {
				t.Errorf("failures %v, not assessed %q", ps, na)
			}
		})
	}
	// Without an API server there is nothing to compare with.
	etcd := process("etcd", "--trusted-ca-file=/pki/etcd/ca.crt")
	inv := &inventory.Inventory{}
	inv.Add(etcd)
	if _, na, _ := paths(t, "NS-24", inv, etcd); na == "" {
		t.Error("NS-24 judged without an API server")
	}
}

// TestConfigFilesFromTheAPIServer: the API server's verdict defers to the file when the file is
// in the inventory, and is not assessed when it is not (a mirror pod in a live cluster).
func TestConfigFilesFromTheAPIServer(t *testing.T) {
	api := process("kube-apiserver", "--encryption-provider-config=/etc/kubernetes/enc.yaml", "--authentication-config=/etc/kubernetes/authn.yaml")
	enc, err := node.ParseConfig("/etc/kubernetes/enc.yaml", []byte("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	authn, err := node.ParseConfig("/etc/kubernetes/authn.yaml", []byte("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer: {url: https://idp.example.com, audiences: [k]}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	inv.Add(api, enc, authn)
	if _, _, skipped := paths(t, "NS-38", inv, api); !skipped {
		t.Error("NS-38 on the API server should defer to the file")
	}
	if ps, _, _ := paths(t, "NS-38", inv, enc); !slices.Equal(ps, []string{"resources"}) {
		t.Errorf("NS-38 on the file: %v", ps)
	}
	// The file has no anonymous section, so --anonymous-auth (unset: true) decides.
	if ps, _, _ := paths(t, "AA-01", inv, api); !slices.Equal(ps, []string{"args"}) {
		t.Errorf("AA-01: %v", ps)
	}
	if ps, na, _ := paths(t, "AA-08", inv, api); len(ps) > 0 || na != "" {
		t.Errorf("AA-08 with a JWT issuer: %v %q", ps, na)
	}

	mirror := &inventory.Inventory{}
	pod := checktest.Parse(t, "mirror.yaml", []byte(`apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver-cp-1, namespace: kube-system, labels: {component: kube-apiserver}}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.37.2
    command: [kube-apiserver, --encryption-provider-config=/etc/kubernetes/enc/enc.yaml]
    volumeMounts: [{name: enc, mountPath: /etc/kubernetes/enc, readOnly: true}]
  volumes: [{name: enc, hostPath: {path: /etc/kubernetes/enc}}]
`)).Objects[0]
	pod.Origin.Source = inventory.SourceCluster
	mirror.Add(pod)
	if _, na, _ := paths(t, "NS-38", mirror, pod); !strings.Contains(na, "kubeharden node") {
		t.Errorf("NS-38 on a mirror pod: not assessed = %q", na)
	}
}

// TestEncryptionFileMode: NS-39 on the file's mode and owner.
func TestEncryptionFileMode(t *testing.T) {
	for _, tc := range []struct {
		f    inventory.NodeFile
		want []string
	}{
		{inventory.NodeFile{Perm: 0o600}, nil},
		{inventory.NodeFile{Perm: 0o644}, []string{"mode"}},
		{inventory.NodeFile{Perm: 0o600, UID: 1000, Owner: "alice"}, []string{"owner"}},
	} {
		tc.f.Role = inventory.RoleEncryptionConfig
		o := fileObj("/etc/kubernetes/enc/enc.yaml", tc.f)
		if ps, _, _ := paths(t, "NS-39", &inventory.Inventory{}, o); !slices.Equal(ps, tc.want) {
			t.Errorf("mode %o uid %d: %v, want %v", tc.f.Perm, tc.f.UID, ps, tc.want)
		}
	}
	missing := &inventory.Object{Kind: inventory.KindFile, Typed: &inventory.NodeFile{Path: "/x", Role: inventory.RoleEncryptionConfig}}
	if _, na, _ := paths(t, "NS-39", &inventory.Inventory{}, missing); na == "" {
		t.Error("a missing encryption configuration must not pass")
	}
}
