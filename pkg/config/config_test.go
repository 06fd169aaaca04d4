package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

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

	// Every mistake names the file and the line of the field, so that it can be fixed there.
	for name, tc := range map[string]struct{ body, want string }{
		"no-reason.yaml":      {"exceptions:\n- controls: [PS-19]\n", ":2: exceptions[0]: (PS-19 on * */*) reason is required"},
		"bad-id.yaml":         {"minSeverity: low\ndisable: [PS-09, PS-999]\n", `:2: disable[1]: unknown control "PS-999"`},
		"bad-control.yaml":    {"exceptions:\n- reason: r\n  controls:\n  - PS-19\n  - PS-X\n", `:5: exceptions[0].controls[1]: unknown control "PS-X"`},
		"bad-date.yaml":       {"exceptions:\n- controls: [PS-19]\n  reason: r\n  expires: next week\n", ":4: exceptions[0].expires: cannot use string"},
		"unknown-key.yaml":    {"minSeverity: low\ndisabled: [PS-09]\n", `:2: unknown setting "disabled"`},
		"unknown-nested.yaml": {"exceptions:\n- controls: [PS-19]\n  reason: r\n  tikcet: 1\n", `:4: unknown setting "exceptions[0].tikcet"`},
		"wrong-type.yaml":     {"\ndisable: PS-09\n", ":2: disable: cannot use string"},
		"bad-severity.yaml":   {"failOn: 3\n", ":1: failOn: cannot use int 3 as catalog.Severity: want low, medium, high or critical"},
		"bad-glob.yaml":       {"exceptions:\n- controls: [PS-19]\n  reason: r\n  name: \"[\"\n", `:4: exceptions[0].name: bad pattern "["`},
		"two-documents.yaml":  {"minSeverity: high\n---\nminSeverity: low\n", ":3: a second YAML document"},
		"not-a-mapping.yaml":  {"- PS-09\n", ":1: the configuration must be a mapping"},
		"syntax.yaml":         {"disable: [PS-09\n", ":1: flow sequence is not closed"},
		"duplicate.yaml":      {"disable: [PS-09]\ndisable: [PS-14]\n", ":2:"},
	} {
		_, err := Load(write(t, dir, name, tc.body), catalog.Default())
		if err == nil || !strings.Contains(err.Error(), name+tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, name+tc.want)
		}
	}
	// Merge keys are YAML, not settings.
	merged := write(t, dir, "merge.yaml", "exceptions:\n- &base {controls: [PS-19], reason: shared, kind: DaemonSet}\n- <<: *base\n  kind: Pod\n")
	if c, err := Load(merged, catalog.Default()); err != nil || len(c.Exceptions) != 2 || c.Exceptions[1].Kind != "Pod" || c.Exceptions[1].Reason != "shared" {
		t.Errorf("merge key: %+v, %v", c, err)
	}
	// An empty file, or one of comments, is the default configuration.
	for _, body := range []string{"", "# nothing yet\n", "---\n"} {
		if c, err := Load(write(t, dir, "empty.yaml", body), catalog.Default()); err != nil || len(c.Exceptions) != 0 {
			t.Errorf("%q: %+v, %v", body, c, err)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	find := func(paths ...string) string {
		t.Helper()
		f, err := Find(paths)
		if err != nil {
			t.Fatalf("Find(%q): %v", paths, err)
		}
		return f
	}
	cfg := write(t, root, FileName, "disable: []\n")
	manifest := write(t, root, "deploy/app/deploy.yaml", "kind: Pod\n")
	other := write(t, root, "other/x.yaml", "kind: Pod\n")
	if got := find(manifest); got != cfg {
		t.Errorf("Find from a file = %q, want %q", got, cfg)
	}
	if got := find(filepath.Join(root, "deploy")); got != cfg {
		t.Errorf("Find from a folder = %q, want %q", got, cfg)
	}
	nearer := write(t, root, "deploy/"+FileName, "disable: []\n")
	if got := find(manifest); got != nearer {
		t.Errorf("the nearest file should win: got %q", got)
	}
	// Two paths whose nearest files differ: one configuration would silently govern both.
	if f, err := Find([]string{manifest, other}); err == nil || !strings.Contains(err.Error(), nearer) || !strings.Contains(err.Error(), cfg) {
		t.Errorf("Find over two configurations = %q, %v; want an error naming both", f, err)
	}
	// A path without a configuration is refused next to one with a configuration too.
	if err := os.Remove(cfg); err != nil {
		t.Fatal(err)
	}
	if f, err := Find([]string{manifest, other}); err == nil || !strings.Contains(err.Error(), "no "+FileName) {
		t.Errorf("Find over a configuration and none = %q, %v; want an error", f, err)
	}
	// A path with no file of its own gets the working directory's: next to a path whose
	// nearest file is that one, it is not refused.
	t.Chdir(filepath.Join(root, "deploy"))
	if f, err := Find([]string{manifest, other}); err != nil || f != nearer {
		t.Errorf("Find with the working directory's configuration = %q, %v; want %q", f, err, nearer)
	}
	// Paths that share their nearest file, and stdin, are fine together.
	if got := find(manifest, filepath.Join(root, "deploy"), "-"); got != nearer {
		t.Errorf("Find over one configuration = %q, want %q", got, nearer)
	}
}

func TestParseExemptAnnotation(t *testing.T) {
	got, errs := ParseExemptAnnotation("ps-17, PS-15: node agent; PS-19: reads /var/log\n", nil)
	if errs != nil {
		t.Fatal(errs)
	}
	if len(got) != 2 || got[0].Controls[0] != "PS-17" || got[0].Controls[1] != "PS-15" || got[0].Reason != "node agent" || got[1].Reason != "reads /var/log" {
		t.Fatalf("parsed %+v", got)
	}
	for _, bad := range []string{"PS-17", "PS-17:", ": reason", " , : reason"} {
		if _, errs := ParseExemptAnnotation(bad, nil); len(errs) != 1 {
			t.Errorf("%q: errors %v, want one", bad, errs)
		}
	}
	// Checked against the catalog, a wrong ID is an error and the rest still applies.
	cat := catalog.Default()
	got, errs = ParseExemptAnnotation("PS-17,PS-99: agent; PS-17 PS-15: spaces; *: all; PS15: no dash; ps-15: ok; PS-19", cat)
	if len(got) != 2 || len(got[0].Controls) != 1 || got[0].Controls[0] != "PS-17" || got[1].Controls[0] != "PS-15" || got[1].Reason != "ok" {
		t.Errorf("kept %+v, want PS-17 (agent) and PS-15 (ok)", got)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	for _, want := range []string{`"PS-99"`, `"PS-17 PS-15"`, `"*"`, `"PS15"`, `"PS-19" needs the form`} {
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m, want)
		}
		if !found {
			t.Errorf("no error mentions %s in %q", want, msgs)
		}
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want 5: %q", len(errs), msgs)
	}
}

// TestExemptAnnotationOwnsItsStrings: a streamed scan keeps parsed exemptions after it has
// released the object, so they must not point into the annotation's memory.
func TestExemptAnnotationOwnsItsStrings(t *testing.T) {
	value := "ps-01,NS-07: the agent needs it"
	entries, errs := ParseExemptAnnotation(value, catalog.Default())
	if len(errs) > 0 || len(entries) != 1 {
		t.Fatalf("entries %v, errors %v", entries, errs)
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(value)))
	hi := lo + uintptr(len(value))
	inside := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return len(s) > 0 && p >= lo && p < hi
	}
	e := entries[0]
	if inside(e.Reason) {
		t.Errorf("the reason %q points into the annotation", e.Reason)
	}
	for _, id := range e.Controls {
		if inside(id) {
			t.Errorf("the control ID %q points into the annotation", id)
		}
	}
	if e.Controls[0] != "PS-01" || e.Reason != "the agent needs it" {
		t.Errorf("parsed %+v", e)
	}
}
