package node

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func TestSplitQuoted(t *testing.T) {
	for in, want := range map[string][]string{
		`--a=1 --b="x y"`:            {"--a=1", "--b=x y"},
		`"KUBELET_ARGS=--c=1 --d=2"`: {"KUBELET_ARGS=--c=1 --d=2"},
		`'single quoted'  plain`:     {"single quoted", "plain"},
		``:                           nil,
	} {
		if got := splitQuoted(in); !slices.Equal(got, want) {
			t.Errorf("splitQuoted(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSystemdAssembly: /etc hides a drop-in of the same name in /usr/lib, EnvironmentFile
// overrides Environment, the last ExecStart after a reset wins, and ${VAR} stays one argument.
func TestSystemdAssembly(t *testing.T) {
	root := t.TempDir()
	write := func(p, body string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet --from-unit\n")
	write("usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "[Service]\nExecStart=/usr/bin/kubelet --hidden\n")
	write("etc/systemd/system/kubelet.service.d/10-kubeadm.conf", `[Service]
Environment="ARGS=--from-environment=1" "ONE=--node-labels=a=b c=d"
EnvironmentFile=-/etc/kubelet.env
EnvironmentFile=-/missing.env
ExecStart=
ExecStart=/usr/bin/kubelet $ARGS \
  ${ONE} --literal
`)
	write("etc/systemd/system/kubelet.service.d/20-extra.conf", "[Unit]\nDescription=ignored\n[Service]\nEnvironment=EXTRA=--extra\n")
	write("etc/kubelet.env", "# overrides the drop-in\nARGS=\"--from-file=2 --second\"\n")
	r := &reader{root: root, inv: &inventory.Inventory{}, opts: Options{}}
	units := r.unitFiles()
	wantUnits := []string{"/lib/systemd/system/kubelet.service", "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "/etc/systemd/system/kubelet.service.d/20-extra.conf"}
	if !slices.Equal(units, wantUnits) {
		t.Fatalf("units = %q, want %q", units, wantUnits)
	}
	args, read, ok := r.systemdCommand(units)
	if !ok {
		t.Fatal("no ExecStart")
	}
	var texts []string
	for _, a := range args {
		texts = append(texts, a.text)
	}
	if want := []string{"--from-file=2", "--second", "--node-labels=a=b c=d", "--literal"}; !slices.Equal(texts, want) {
		t.Errorf("args = %q, want %q", texts, want)
	}
	if args[0].at.file != "/etc/kubelet.env" || args[0].at.line != 2 || args[0].at.key != "ARGS" {
		t.Errorf("origin of %s: %+v", args[0].text, args[0].at)
	}
	if args[3].at.key != "ExecStart" || args[3].at.line != 6 {
		t.Errorf("origin of --literal: %+v", args[3].at)
	}
	if !slices.Contains(read, "/etc/kubelet.env") || slices.Contains(read, "/missing.env") {
		t.Errorf("files read: %q", read)
	}
}
