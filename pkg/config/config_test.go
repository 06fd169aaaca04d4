package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.yaml", `
minSeverity: medium
disable: [PS-09]
exceptions:
- controls: [PS-19]
  kind: DaemonSet
  namespace: "kube-*"
  reason: log collector reads node logs
  expires: 2027-01-31
  ticket: SEC-42
`)
	c, err := Load(good, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if c.MinSeverity != catalog.SeverityMedium || len(c.Exceptions) != 1 || c.Exceptions[0].Expires.Format(time.DateOnly) != "2027-01-31" {
		t.Fatalf("loaded %+v", c)
	}
	e := &c.Exceptions[0]
	if !e.Matches("PS-19", "DaemonSet", "kube-system", "fluentd") || e.Matches("PS-19", "Deployment", "kube-system", "x") || e.Matches("PS-14", "DaemonSet", "kube-system", "x") {
		t.Error("exception matching is wrong")
	}
	if e.Expired(time.Date(2027, 1, 31, 23, 0, 0, 0, time.UTC)) || !e.Expired(time.Date(2027, 2, 1, 0, 0, 1, 0, time.UTC)) {
		t.Error("an exception applies through its expiry day and not after")
	}

	for name, body := range map[string]string{
		"no-reason.yaml":   "exceptions:\n- controls: [PS-19]\n",
		"bad-id.yaml":      "disable: [PS-999]\n",
		"bad-date.yaml":    "exceptions:\n- controls: [PS-19]\n  reason: r\n  expires: next week\n",
		"unknown-key.yaml": "disabled: [PS-09]\n",
		"bad-glob.yaml":    "exceptions:\n- controls: [PS-19]\n  reason: r\n  name: \"[\"\n",
	} {
		if _, err := Load(write(t, dir, name, body), catalog.Default()); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v should name the file", name, err)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := write(t, root, FileName, "disable: []\n")
	manifest := write(t, root, "deploy/app/deploy.yaml", "kind: Pod\n")
	if got := Find([]string{manifest}); got != cfg {
		t.Errorf("Find from a file = %q, want %q", got, cfg)
	}
	if got := Find([]string{filepath.Join(root, "deploy")}); got != cfg {
		t.Errorf("Find from a folder = %q, want %q", got, cfg)
	}
	nearer := write(t, root, "deploy/"+FileName, "disable: []\n")
	if got := Find([]string{manifest}); got != nearer {
		t.Errorf("the nearest file should win: got %q", got)
	}
}

func TestParseExemptAnnotation(t *testing.T) {
	got, err := ParseExemptAnnotation("ps-17, PS-15: node agent; PS-19: reads /var/log\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Controls[0] != "PS-17" || got[0].Controls[1] != "PS-15" || got[0].Reason != "node agent" || got[1].Reason != "reads /var/log" {
		t.Fatalf("parsed %+v", got)
	}
	for _, bad := range []string{"PS-17", "PS-17:", ": reason"} {
		if _, err := ParseExemptAnnotation(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
