package node_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/internal/testcluster"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/node"
)

// TestRealControlPlaneProcesses starts the test harness's real kube-apiserver and etcd with
// insecure flags and audits them the way `kubeharden node` does on a binary install: from their
// command lines in /proc and the files those name, on this machine's real filesystem.
func TestRealControlPlaneProcesses(t *testing.T) {
	c := testcluster.Start(t, testcluster.Options{
		APIServerFlags: []string{"--anonymous-auth=true", "--profiling=true"},
	})
	if c.APIServerPID == 0 || c.EtcdPID == 0 {
		t.Fatalf("the harness reported no pids: %+v", c)
	}
	inv := node.Load(node.Options{Root: "/", NodeName: "e2e"})
	res, err := engine.Run(inv, engine.Options{ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}

	// Other test clusters may run on the same machine; look only at this one's processes.
	byPID := map[int]*inventory.Object{}
	for _, o := range inv.OfKind(inventory.KindProcess) {
		byPID[o.Typed.(*inventory.Process).PID] = o
	}
	api, etcd := byPID[c.APIServerPID], byPID[c.EtcdPID]
	if api == nil || etcd == nil {
		t.Fatalf("processes %d (kube-apiserver) and %d (etcd) not found in /proc; found %v", c.APIServerPID, c.EtcdPID, byPID)
	}
	args := api.Typed.(*inventory.Process).Args
	argPath := func(flag string) string {
		i := slices.Index(args, flag)
		if i < 0 {
			t.Fatalf("%s not on the API server's command line %q", flag, args)
		}
		return inventory.Index("args", i)
	}
	verdicts := map[string]string{} // "ID object" -> status, path
	for _, f := range res.Findings {
		if f.Object != api && f.Object != etcd {
			continue
		}
		key := f.Control.ID + " " + f.Object.Name
		if f.Status == engine.StatusFail {
			verdicts[key] += "fail@" + f.Path + " "
		} else {
			verdicts[key] += f.Status.String() + " "
		}
	}
	want := map[string]string{
		// The insecure flags, pointed at by their position on the real command line.
		"AA-01 kube-apiserver": "fail@" + argPath("--anonymous-auth=true") + " ",
		"NS-19 kube-apiserver": "fail@" + argPath("--profiling=true") + " ",
		// kubeadm's defaults, which the harness reproduces.
		"AL-01 kube-apiserver": "fail@args ",
		"AL-02 kube-apiserver": "fail@args ",
		"NS-37 kube-apiserver": "fail@args ",
		"NS-16 kube-apiserver": "fail@args ",
		"AA-11 kube-apiserver": "pass ",
		"AA-12 kube-apiserver": "pass ",
		"NS-15 kube-apiserver": "pass ",
		"NS-23 kube-apiserver": "pass ",
		"AA-07 kube-apiserver": "pass ",
		// etcd: mutual TLS for clients and peers, its own CA, loopback only.
		"NS-21 etcd": "pass ",
		"NS-22 etcd": "pass ",
		"NS-24 etcd": "pass ",
		"NS-25 etcd": "pass ",
	}
	for k, w := range want {
		if verdicts[k] != w {
			t.Errorf("%s: got %q, want %q", k, verdicts[k], w)
		}
	}
	if !strings.Contains(api.Origin.Detail, "process ") || !strings.Contains(api.Origin.Detail, "node e2e") {
		t.Errorf("origin detail %q", api.Origin.Detail)
	}

	// The files the processes name were examined on the real filesystem: the etcd data
	// directory (etcd creates it 0700) and the API server's serving key.
	dataDir := ""
	for _, a := range etcd.Typed.(*inventory.Process).Args {
		if v, ok := strings.CutPrefix(a, "--data-dir="); ok {
			dataDir = v
		}
	}
	st, err := os.Stat(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	dd := inv.Get(inventory.KindFile, "", dataDir)
	if dd == nil || dd.Typed.(*inventory.NodeFile).Perm != st.Mode().Perm() {
		t.Fatalf("etcd data dir %s: %+v", dataDir, dd)
	}
	key := ""
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--tls-private-key-file="); ok {
			key = v
		}
	}
	if f := inv.Get(inventory.KindFile, "", key); f == nil || f.Typed.(*inventory.NodeFile).Role != inventory.RolePrivateKey {
		t.Errorf("the API server's key %s was not examined", key)
	}
	// The process table was read, so AL-08 was judged rather than skipped.
	if h := inv.OfKind(inventory.KindHost)[0].Typed.(*inventory.Host); !h.ProcRead || h.Processes == 0 {
		t.Errorf("host: %+v", h)
	}
}
