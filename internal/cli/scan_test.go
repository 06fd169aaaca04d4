package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

// End-to-end tests of `scan` on the bundled examples, through Main as a user runs it.

var examplesDir = filepath.Join("..", "..", "examples")

func TestScanExamplesJSON(t *testing.T) {
	r, code, stderr := scanJSON(t, examplesDir)
	if code != ExitOK {
		t.Fatalf("exit %d without --fail-on (stderr %s)", code, stderr)
	}
	if len(r.Errors) != 0 {
		t.Fatalf("input errors on the examples: %+v", r.Errors)
	}
	insecure := filepath.Join(examplesDir, "insecure", "shop.yaml")
	for _, want := range []struct {
		control, name, path string
		line                int
	}{
		{"PS-14", "web", "spec.template.spec.containers[0].securityContext.privileged", 49},
		{"PS-17", "web", "spec.template.spec.hostNetwork", 41},
		{"PS-15", "api", "spec.template.spec.hostPID", 66},
		{"PS-19", "api", "spec.template.spec.volumes[0].hostPath", 87},
		{"NS-35", "api", "spec.template.spec.containers[0].env[0].value", 72},
		{"NS-42", "api-credentials", "stringData", 23},
	} {
		file, line, _ := r.finding(t, want.control, want.name, want.path)
		if filepath.Clean(file) != filepath.Clean(insecure) || line != want.line {
			t.Errorf("%s on %s: at %s:%d, want %s:%d", want.control, want.name, file, line, insecure, want.line)
		}
	}
	for _, f := range r.Findings {
		if strings.Contains(f.File, "hardened") && f.Status == "fail" {
			t.Errorf("the hardened example must pass every control: %s on %s %s at %s:%d", f.Control, f.Object.Kind, f.Object.Name, f.File, f.Line)
		}
	}
}

func TestScanExamplesNeverPrintsSecrets(t *testing.T) {
	for _, format := range []string{"json", "yaml", "table", "sarif", "junit"} {
		var out, errOut bytes.Buffer
		Main([]string{"scan", "-o", format, "--no-config", "--show-passed", examplesDir}, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		all := out.String() + errOut.String()
		// The insecure example's committed credentials must never reach a report.
		for _, secret := range []string{"Tr0ub4dor", "not-a-real-key-but-committed-anyway", "AKIAIOSFODNN7EXAMPLE", "horse-battery"} {
			if strings.Contains(all, secret) {
				t.Errorf("-o %s output contains the credential %q", format, secret)
			}
		}
	}
}

func TestScanExitCodes(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		return code, out.String(), errOut.String()
	}
	hardened := filepath.Join(examplesDir, "hardened")
	insecure := filepath.Join(examplesDir, "insecure")
	if code, out, _ := run("scan", "--no-config", "--fail-on", "low", hardened); code != ExitOK || !strings.Contains(out, "No failures found") {
		t.Errorf("hardened --fail-on low: exit %d\n%s", code, out)
	}
	if code, _, _ := run("scan", "--no-config", "--fail-on", "critical", insecure); code != ExitFindings {
		t.Errorf("insecure --fail-on critical: exit %d, want %d", code, ExitFindings)
	}
	// Only a finding at or above the threshold fails: skip the critical controls and the high
	// ones remain.
	if code, _, _ := run("scan", "--no-config", "--fail-on", "critical", "--skip-controls", "PS-14,PS-19", insecure); code != ExitOK {
		t.Errorf("insecure without its critical controls, --fail-on critical: exit %d, want 0", code)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run("scan", "--no-config", "--fail-on", "critical", insecure, bad)
	if code != ExitError {
		t.Errorf("input error must exit %d even with findings: got %d", ExitError, code)
	}
	if !strings.Contains(out, "bad.yaml:") || !strings.Contains(out, "PS-14") {
		t.Errorf("the table must list the error and still the other file's findings:\n%s\n%s", out, stderr)
	}
	for _, args := range [][]string{
		{"scan"},
		{"scan", "-o", "pdf", hardened},
		{"scan", "--fail-on", "urgent", hardened},
		{"scan", "--controls", "XX-1", hardened},
		{"explain", "NOPE"},
		{"scan", "--no-such-flag", hardened},
	} {
		if code, _, _ := run(args...); code != ExitError {
			t.Errorf("%v: exit %d, want %d", args, code, ExitError)
		}
	}
}

func TestScanStdinAndNamespace(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n    securityContext:\n      privileged: true\n"
	var out, errOut bytes.Buffer
	code := Main([]string{"scan", "-", "-n", "team", "-o", "json", "--no-config"}, Streams{In: strings.NewReader(pod), Out: &out, Err: &errOut})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var r jsonReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	file, line, _ := r.finding(t, "PS-14", "p", "spec.containers[0].securityContext.privileged")
	if file != "<stdin>" || line != 10 {
		t.Errorf("stdin finding at %s:%d", file, line)
	}
	for _, f := range r.Findings {
		if f.Object.Name == "p" && f.Object.Namespace != "team" {
			t.Fatalf("-n must place objects without a namespace: got %q", f.Object.Namespace)
		}
	}
}

func TestControlsAndExplain(t *testing.T) {
	var out bytes.Buffer
	if code := Main([]string{"controls", "--section", "pod-security", "--severity", "critical", "-o", "json"}, Streams{Out: &out, Err: &out}); code != ExitOK {
		t.Fatalf("controls: exit %d: %s", code, out.String())
	}
	var list []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Section  string `json:"section"`
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no critical pod-security controls")
	}
	for _, c := range list {
		if c.Severity != "critical" || c.Section != "pod-security" {
			t.Errorf("filter let through %+v", c)
		}
	}
	out.Reset()
	if code := Main([]string{"explain", "ps-14"}, Streams{Out: &out, Err: &out}); code != ExitOK {
		t.Fatalf("explain: exit %d", code)
	}
	for _, want := range []string{"PS-14  Privileged container", "Why it matters:", "How to fix it:", "privileged: false", "kubescape control C-0057", "Pod Security Standards, baseline/privileged"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
	// A control without counterparts says so.
	out.Reset()
	if code := Main([]string{"explain", "PS-18"}, Streams{Out: &out, Err: &out}); code != ExitOK || !strings.Contains(out.String(), "References:\n  none: ") {
		t.Errorf("explain PS-18: exit %d, output:\n%s", code, out.String())
	}
}

// TestControlsSource: --source takes the sources controls are assessed from, and its help names
// exactly those; anything else is a usage error that lists them, as bad --severity and --section
// values are.
func TestControlsSource(t *testing.T) {
	var want []string
	for _, src := range catalog.Default().Sources() {
		want = append(want, string(src))
	}
	help := "only controls assessable from this source (" + strings.Join(want[:len(want)-1], ", ") + " or " + want[len(want)-1] + ")"
	if got := newControlsCommand(Streams{}).Flags().Lookup("source").Usage; got != help {
		t.Errorf("--source help %q, want %q", got, help)
	}
	for _, src := range want {
		out, errOut, code := runCLI(t, "", "controls", "--source", strings.ToUpper(src))
		if code != ExitOK || errOut != "" || strings.Contains(out, "\n0 controls") {
			t.Errorf("--source %s: exit %d, stderr %q, output %q", src, code, errOut, out)
		}
	}
	for _, bad := range []string{"bogus", "auditlog", ""} {
		args := []string{"controls", "--source", bad}
		if bad == "" {
			args = []string{"controls", "--source= "}
		}
		_, errOut, code := runCLI(t, "", args...)
		if code != ExitError || !strings.Contains(errOut, "unknown source") || !strings.Contains(errOut, strings.Join(want, ", ")) {
			t.Errorf("--source %q: exit %d, stderr %q; want exit 2 naming %v", bad, code, errOut, want)
		}
	}
}

// splitArgs decides whether a scan skips the huge-page preparation: only for regular files,
// none of them a chart archive, of at most smallInput bytes together.
func TestSmallFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Repeat([]byte("#"), size), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.yaml", 1000), write("b.yaml", 2000)
	big := write("big.yaml", smallInput)
	chart := write("chart.tgz", 100)
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{a}, true},
		{[]string{a, b}, true},
		{[]string{big}, true},     // exactly the limit
		{[]string{big, a}, false}, // over it together
		{[]string{dir}, false},    // a folder: its size is unknown before the walk
		{[]string{a, "-"}, false}, // stdin
		{[]string{chart}, false},  // a chart renders to more than its size
		{[]string{filepath.Join(dir, "missing.yaml")}, false},
	} {
		if _, _, got := splitArgs(c.args); got != c.want {
			t.Errorf("splitArgs(%v) small = %v, want %v", c.args, got, c.want)
		}
	}
}

// TestScanConfigPerRun covers the rule that a run reads one configuration: two scanned folders
// with different .kubeharden.yaml files are refused (one folder's exceptions would silently
// govern the other's files), and a configuration inside a scanned folder that the run does not
// apply is named in a warning and listed as skipped, not read as a manifest.
func TestScanConfigPerRun(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n"
	for _, dir := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, "pod.yaml"), []byte(pod), 0o644); err != nil {
			t.Fatal(err)
		}
		body := "exceptions:\n- controls: [PS-17]\n  reason: folder " + dir + "\n"
		if err := os.WriteFile(filepath.Join(root, dir, ".kubeharden.yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	_, errOut, code := runCLI(t, "", "scan", a, b, "-o", "json")
	if code != ExitError || !strings.Contains(errOut, filepath.Join(a, ".kubeharden.yaml")) || !strings.Contains(errOut, filepath.Join(b, ".kubeharden.yaml")) {
		t.Errorf("two configurations: exit %d, stderr %q; want exit 2 naming both", code, errOut)
	}
	out, errOut, code := runCLI(t, "", "scan", root, "-o", "json")
	if code != ExitOK || strings.Count(errOut, "is not applied") != 2 {
		t.Errorf("configurations inside the scanned folder: exit %d, stderr %q; want two warnings", code, errOut)
	}
	var rep struct {
		Summary struct {
			Inputs struct {
				Files        int
				SkippedFiles []struct{ File, Reason string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if in := rep.Summary.Inputs; in.Files != 2 || len(in.SkippedFiles) != 2 || in.SkippedFiles[0].Reason != configFileReason {
		t.Errorf("inputs %+v: want the two manifests read and the two configurations skipped", in)
	}
	// Scanning one folder applies its own configuration, without a warning about it.
	_, errOut, code = runCLI(t, "", "scan", a, "-o", "json", "--controls", "PS-17", "--fail-on", "high")
	if code != ExitOK || errOut != "" {
		t.Errorf("one folder: exit %d, stderr %q", code, errOut)
	}
	// With --no-config the configurations met are not applied because the user said so, not
	// because none was found: no warning, and they are still skipped rather than read as manifests.
	for _, dir := range []string{a, root} {
		out, errOut, code = runCLI(t, "", "scan", dir, "-o", "json", "--no-config")
		if code != ExitOK || errOut != "" || !strings.Contains(out, configFileReason) {
			t.Errorf("--no-config on %s: exit %d, stderr %q; want exit 0, no warning, the configuration skipped", dir, code, errOut)
		}
	}
}

// TestScanUsageErrors: standard input named twice (two readers would split the stream) and a
// size limit that is not positive (it used to fall back to the default in silence) are usage
// errors.
func TestScanUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"scan", "-", "-"}, {"scan", "-", examplesDir, "-"}, {"scan", "--max-file-size", "0", examplesDir}, {"scan", "--max-file-size", "-5", examplesDir}} {
		if _, errOut, code := runCLI(t, "", args...); code != ExitError || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}

// TestUnreadableObjectIsNotAbsent: a NetworkPolicy that does not decode is an input error and
// is reported not assessed; the namespace it sits in is not assessed for the controls that look
// for such policies (it may well have one), rather than failed for lacking it. Another namespace
// is judged as usual.
func TestUnreadableObjectIsNotAbsent(t *testing.T) {
	out, _, code := runCLI(t, "", "scan", filepath.Join("testdata", "unreadable-policy.yaml"), "--section", "network", "-o", "json")
	if code != ExitError {
		t.Fatalf("exit %d, want 2 for the input error", code)
	}
	var rep struct {
		Findings []struct {
			Control, Status string
			Object          struct{ Kind, Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Control+" "+f.Object.Kind+"/"+f.Object.Name] = f.Status
	}
	for key, want := range map[string]string{
		"NS-05 Namespace/shop": "not-assessed", "NS-06 Namespace/shop": "not-assessed", "NS-07 Pod/p": "not-assessed",
		"NS-05 Namespace/other": "fail", "NS-06 Namespace/other": "fail", "NS-07 Pod/q": "fail",
	} {
		if got[key] != want {
			t.Errorf("%s: %q, want %q", key, got[key], want)
		}
	}
}

// TestChartRenderedOnce: a chart named twice, or named and met again in a named folder, is
// rendered once, so its findings are not doubled.
func TestChartRenderedOnce(t *testing.T) {
	chart := filepath.Join("..", "..", "pkg", "source", "helm", "testdata", "shop")
	count := func(args ...string) int {
		t.Helper()
		out, _, _ := runCLI(t, "", append([]string{"scan", "-o", "json"}, args...)...)
		var rep struct {
			Summary struct{ Inputs struct{ Objects int } }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		return rep.Summary.Inputs.Objects
	}
	once := count(chart)
	if once == 0 {
		t.Fatal("the chart rendered no objects")
	}
	if twice := count(chart, chart+string(filepath.Separator), filepath.Dir(chart)); twice != once {
		t.Errorf("%d objects when named three ways, want %d", twice, once)
	}
}

// TestChartFolderStrayFiles: a manifest kept in a chart folder beside its templates (examples/)
// is not rendered, so it is listed as skipped rather than passed over; values files are not
// manifests, and a file named on the command line is read, so neither is listed.
func TestChartFolderStrayFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	src := filepath.Join("..", "..", "pkg", "source", "helm", "testdata", "shop")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "examples", "pod.yaml"), []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	skipped := func(args ...string) []string {
		t.Helper()
		out, _, _ := runCLI(t, "", append([]string{"scan", "-o", "json", filepath.Dir(dir)}, args...)...)
		var rep struct {
			Summary struct {
				Inputs struct{ SkippedFiles []struct{ File string } }
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, sf := range rep.Summary.Inputs.SkippedFiles {
			names = append(names, filepath.Base(sf.File))
		}
		return names
	}
	if got := strings.Join(skipped(), " "); got != "pod.yaml" {
		t.Errorf("skipped %q, want the example alone", got)
	}
	if got := strings.Join(skipped(filepath.Join(dir, "examples", "pod.yaml")), " "); got != "" {
		t.Errorf("with the example named: skipped %q, want nothing", got)
	}
}

// TestScanListMergeBomb: a small file of Lists that merge in Lists (millions of objects once
// expanded; it used to run the scan out of memory) is an input error at its line, exit 2, and
// the other files are still assessed.
func TestScanListMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n- &l0\n  apiVersion: v1\n  kind: List\n  items:\n")
	for i := range 9 {
		fmt.Fprintf(&b, "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}\n", i)
	}
	for l := 1; l <= 6; l++ {
		b.WriteString(fmt.Sprintf("- &l%d\n  apiVersion: v1\n  kind: List\n  items: [", l) +
			strings.TrimSuffix(strings.Repeat(fmt.Sprintf("{<<: *l%d}, ", l-1), 9), ", ") + "]\n")
	}
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.yaml")
	if err := os.WriteFile(bomb, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, code, stderr := scanJSON(t, bomb, filepath.Join(examplesDir, "insecure"))
	if code != ExitError {
		t.Fatalf("exit %d, want %d (stderr %s)", code, ExitError, stderr)
	}
	if len(r.Errors) != 1 || r.Errors[0].File != bomb || r.Errors[0].Line != 28 || !strings.Contains(r.Errors[0].Message, "excessive aliasing") {
		t.Errorf("errors %+v, want excessive aliasing at %s:28", r.Errors, bomb)
	}
	if len(r.Findings) == 0 {
		t.Error("the other files' findings are missing")
	}
}
