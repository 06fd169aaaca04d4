package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

// End-to-end tests of `scan` on a Helm chart and a kustomize overlay: findings must name the
// template or resource file and line, and their source must say how the object was produced.

var (
	chartDir = filepath.Join("..", "..", "pkg", "source", "helm", "testdata", "shop")
	kustDir  = filepath.Join("..", "..", "pkg", "source", "kustomize", "testdata")
)

type jsonReport struct {
	Findings []struct {
		Control string `json:"control"`
		Status  string `json:"status"`
		Object  struct {
			Kind, Namespace, Name string
		} `json:"object"`
		File   string `json:"file"`
		Line   int    `json:"line"`
		Source string `json:"source"`
		Path   string `json:"path"`
	} `json:"findings"`
	Errors []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
}

func scanJSON(t *testing.T, args ...string) (jsonReport, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"scan", "-o", "json", "--no-config"}, args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	var r jsonReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil && code != ExitError {
		t.Fatalf("exit %d, report %q: %v (stderr %s)", code, out.String(), err, errOut.String())
	}
	return r, code, errOut.String()
}

// finding returns the failing finding of control on the named object with path, or fails.
func (r jsonReport) finding(t *testing.T, control, name, path string) (file string, line int, source string) {
	t.Helper()
	for _, f := range r.Findings {
		if f.Control == control && f.Object.Name == name && f.Path == path && f.Status == "fail" {
			return f.File, f.Line, f.Source
		}
	}
	t.Fatalf("no failing %s on %s at %s", control, name, path)
	return "", 0, ""
}

func TestScanHelmChart(t *testing.T) {
	r, code, stderr := scanJSON(t, chartDir, "--values", filepath.Join(chartDir, "values-prod.yaml"),
		"--set", "metrics.enabled=true", "--release-name", "web", "-n", "shop")
	if code != ExitOK || len(r.Errors) > 0 {
		t.Fatalf("exit %d, errors %v, stderr %s", code, r.Errors, stderr)
	}
	tpl := filepath.Join(chartDir, "templates", "deployment.yaml")
	for _, c := range []struct {
		control, path string
		line          int
	}{
		{"PS-14", "spec.template.spec.containers[0].securityContext.privileged", 26}, // privileged: {{ ... }}
		{"PS-17", "spec.template.spec.hostNetwork", 17},                              // hostNetwork: {{ ... }}
		{"PS-41", "spec.template.spec.containers[1].securityContext.runAsUser", 43},  // the metrics sidecar's runAsUser: 0
	} {
		file, line, source := r.finding(t, c.control, "web-shop", c.path)
		if file != tpl || line != c.line {
			t.Errorf("%s %s at %s:%d, want %s:%d", c.control, c.path, file, line, tpl, c.line)
		}
		if source != "helm chart shop 0.3.1 (release web)" {
			t.Errorf("%s source %q", c.control, source)
		}
	}
	for _, f := range r.Findings {
		if f.Object.Name == "web-shop" && f.Object.Kind == "Deployment" && f.Object.Namespace != "shop" {
			t.Errorf("namespace %q, want the release namespace", f.Object.Namespace)
			break
		}
	}
}

func TestScanKustomizeOverlay(t *testing.T) {
	overlay := filepath.Join(kustDir, "overlays", "prod")
	r, code, stderr := scanJSON(t, overlay)
	if code != ExitOK || len(r.Errors) > 0 {
		t.Fatalf("exit %d, errors %v, stderr %s", code, r.Errors, stderr)
	}
	baseFile := filepath.Join(kustDir, "base", "deployment.yaml")
	// A field of the base, unchanged by the overlay: the base file and the field's line.
	file, line, source := r.finding(t, "PS-34", "prod-shop", "spec.template.spec.containers[1].image")
	if file != baseFile || line != 21 || source != "kustomize build "+overlay+"; "+patchNotes(overlay) {
		t.Errorf("PS-34 at %s:%d (%s), want %s:21", file, line, source, baseFile)
	}
	// Fields a patch set: the patch file and line, from a patch file or a patch written inline
	// in the kustomization.
	sidecar, kust := filepath.Join(overlay, "debug-sidecar.yaml"), filepath.Join(overlay, "kustomization.yaml")
	for _, c := range []struct {
		control, path, file string
		line                int
	}{
		{"PS-17", "spec.template.spec.hostNetwork", sidecar, 9},
		{"PS-14", "spec.template.spec.containers[0].securityContext.privileged", sidecar, 14},
		{"PS-15", "spec.template.spec.hostPID", kust, 16},
	} {
		file, line, source = r.finding(t, c.control, "prod-shop", c.path)
		if file != c.file || line != c.line || !strings.Contains(source, c.path+" from "+c.file+":"+strconv.Itoa(c.line)) {
			t.Errorf("%s at %s:%d (%s), want %s:%d", c.control, file, line, source, c.file, c.line)
		}
	}
	// SARIF places them in the patch too.
	var out bytes.Buffer
	Main([]string{"scan", "-o", "sarif", "--no-config", "--controls", "PS-17", overlay}, Streams{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}})
	if s := out.String(); !strings.Contains(s, "overlays/prod/debug-sidecar.yaml") || !strings.Contains(s, `"startLine": 9`) {
		t.Errorf("SARIF does not place PS-17 at %s:9:\n%s", sidecar, s)
	}
}

func patchNotes(overlay string) string {
	s := filepath.Join(overlay, "debug-sidecar.yaml")
	return "spec.template.spec.hostNetwork from " + s + ":9, spec.template.spec.containers[0].image from " + s +
		":12, spec.template.spec.containers[0].securityContext.privileged from " + s +
		":14, spec.template.spec.hostPID from " + filepath.Join(overlay, "kustomization.yaml") + ":16"
}

// TestScanFolderDetection walks folders holding a chart and a base with its overlay: the chart is
// rendered rather than read as YAML, and the base is assessed only through the overlay.
func TestScanFolderDetection(t *testing.T) {
	r, code, stderr := scanJSON(t, filepath.Dir(chartDir), kustDir, "--show-passed")
	if code != ExitOK || len(r.Errors) > 0 {
		t.Fatalf("exit %d, errors %v, stderr %s", code, r.Errors, stderr)
	}
	names := map[string]bool{}
	base := filepath.Join("kustomize", "testdata", "base")
	for _, f := range r.Findings {
		names[f.Object.Kind+"/"+f.Object.Name] = true
		if strings.Contains(f.File, base) && f.Object.Kind != "Namespace" && !strings.HasPrefix(f.Object.Name, "prod-") {
			t.Errorf("the base was assessed on its own: %+v", f)
		}
		if strings.Contains(f.File, "values") {
			t.Errorf("a values file was read as a manifest: %+v", f)
		}
	}
	for _, want := range []string{"Deployment/shop", "Deployment/shop-cache", "Service/shop", "Deployment/prod-shop", "Service/prod-shop", "NetworkPolicy/prod-default-deny"} {
		if !names[want] {
			t.Errorf("no findings on %s", want)
		}
	}
}

func TestScanPackagedChart(t *testing.T) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	tgz, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, code, stderr := scanJSON(t, tgz, "--set", "hostNetwork=true")
	if code != ExitOK || len(r.Errors) > 0 {
		t.Fatalf("exit %d, errors %v, stderr %s", code, r.Errors, stderr)
	}
	file, line, _ := r.finding(t, "PS-17", "shop", "spec.template.spec.hostNetwork")
	if want := filepath.Join(tgz, "templates", "deployment.yaml"); file != want || line != 17 {
		t.Errorf("PS-17 at %s:%d, want %s:17", file, line, want)
	}
}

func TestScanHelmInputErrors(t *testing.T) {
	// A required value left out: an input error on the template line, exit 2, rest assessed.
	r, code, _ := scanJSON(t, chartDir, "--set", "image.repository=null")
	if code != ExitError || len(r.Errors) != 1 {
		t.Fatalf("exit %d, errors %v", code, r.Errors)
	}
	if e := r.Errors[0]; e.File != filepath.Join(chartDir, "templates", "deployment.yaml") || e.Line != 24 {
		t.Errorf("error %+v, want deployment.yaml:24", e)
	}
	r.finding(t, "NS-02", "shop-cache", "metadata.namespace")

	// A --set that does not parse is a usage error.
	var out, errOut bytes.Buffer
	if code := Main([]string{"scan", chartDir, "--set", "a[=1"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}); code != ExitError || !strings.Contains(errOut.String(), "--set") {
		t.Errorf("bad --set: exit %d, stderr %q", code, errOut.String())
	}
	// Helm flags without a chart draw a warning.
	_, _, stderr := scanJSON(t, filepath.Join(kustDir, "overlays", "prod"), "--set", "a=1")
	if !strings.Contains(stderr, "no chart was scanned") {
		t.Errorf("stderr %q, want a warning that --set had no chart", stderr)
	}
}

// TestScanFolderWithChartArchive: a packaged chart met while walking a folder is listed as
// skipped, with the reason; named as well, it is rendered and not listed.
func TestScanFolderWithChartArchive(t *testing.T) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tgz, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: nginx}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := func(args ...string) (objects int, skipped []string) {
		t.Helper()
		out, _, code := runCLI(t, "", append([]string{"scan", "-o", "json", "--no-config"}, args...)...)
		var rep struct {
			Summary struct {
				Inputs struct {
					Objects      int
					SkippedFiles []struct{ File, Reason string }
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK {
			t.Fatalf("exit %d: %v", code, err)
		}
		for _, sf := range rep.Summary.Inputs.SkippedFiles {
			skipped = append(skipped, filepath.Base(sf.File)+": "+sf.Reason)
		}
		return rep.Summary.Inputs.Objects, skipped
	}
	n, skipped := inputs(dir)
	if n != 1 || len(skipped) != 1 || !strings.HasPrefix(skipped[0], filepath.Base(tgz)+": a packaged Helm chart") {
		t.Errorf("folder: %d objects, skipped %q; want the Pod and the archive listed", n, skipped)
	}
	n, skipped = inputs(dir, tgz)
	if n < 2 || len(skipped) != 0 {
		t.Errorf("folder and archive: %d objects, skipped %q; want the chart rendered and nothing skipped", n, skipped)
	}
}
