package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

const shop = "testdata/shop"

func renderChart(t *testing.T, chart string, files, set, setString []string, opts Options) *inventory.Inventory {
	t.Helper()
	vals, err := ReadValues(files, set, setString)
	if err != nil {
		t.Fatal(err)
	}
	opts.Values = vals
	return Render(chart, opts)
}

func find(t *testing.T, inv *inventory.Inventory, kind, name string) *inventory.Object {
	t.Helper()
	for _, o := range inv.Objects {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	var have []string
	for _, o := range inv.Objects {
		have = append(have, o.Kind+"/"+o.Name)
	}
	t.Fatalf("no %s %s; have %v", kind, name, have)
	return nil
}

func noErrors(t *testing.T, inv *inventory.Inventory) {
	t.Helper()
	for _, e := range inv.Errors {
		t.Errorf("unexpected input error: %v", e)
	}
}

// lines checks o.Line(path) for each path.
func lines(t *testing.T, o *inventory.Object, want map[string]int) {
	t.Helper()
	for p, l := range want {
		if got := o.Line(p); got != l {
			t.Errorf("%s %s: line of %s = %d, want %d", o.Kind, o.Name, p, got, l)
		}
	}
}

const (
	podSpec = "spec.template.spec"
	app     = podSpec + ".containers[0]"
)

func TestRenderDefaults(t *testing.T) {
	inv := renderChart(t, shop, nil, nil, nil, Options{})
	noErrors(t, inv)
	if n := len(inv.Objects); n != 3 {
		t.Errorf("%d objects, want 3 (Deployment, Service, cache Deployment)", n)
	}
	d := find(t, inv, "Deployment", "shop")
	if want := filepath.Join(shop, "templates", "deployment.yaml"); d.Origin.File != want {
		t.Errorf("File = %q, want %q", d.Origin.File, want)
	}
	if want := "helm chart shop 0.3.1 (release shop)"; d.Origin.Detail != want {
		t.Errorf("Detail = %q, want %q", d.Origin.Detail, want)
	}
	if d.EffectiveNamespace() != "default" {
		t.Errorf("namespace %q, want default", d.EffectiveNamespace())
	}
	if d.Origin.Line != 1 {
		t.Errorf("Origin.Line = %d, want 1", d.Origin.Line)
	}
	lines(t, d, map[string]int{
		podSpec + ".hostNetwork":                          17, // hostNetwork: {{ .Values.hostNetwork }}
		podSpec + ".securityContext.runAsNonRoot":         19, // under {{ toYaml }}: the securityContext: line
		app + ".securityContext.privileged":               26,
		app + ".securityContext.allowPrivilegeEscalation": 27,
		app + ".securityContext.capabilities.drop[0]":     29,
		app + ".image":                   24,
		app + ".ports[0].containerPort":  34,
		app + ".resources.limits.memory": 36,
		app + ".readOnlyRootFilesystem":  23, // absent: the container's line
		"metadata.labels":                5,
		"spec.replicas":                  8,
	})
	spec := d.Typed.(*appsv1.Deployment).Spec.Template.Spec
	if spec.HostNetwork || *spec.Containers[0].SecurityContext.Privileged {
		t.Error("chart defaults should render hostNetwork and privileged false")
	}
	if got := spec.Containers[0].Image; got != "ghcr.io/example/shop:1.4.2" {
		t.Errorf("image %q", got)
	}

	s := find(t, inv, "Service", "shop")
	lines(t, s, map[string]int{"spec.ports[0].port": 10, "spec.type": 8, "spec.ports[0].targetPort": 11})

	c := find(t, inv, "Deployment", "shop-cache")
	if want := filepath.Join(shop, "charts", "cache", "templates", "deployment.yaml"); c.Origin.File != want {
		t.Errorf("subchart File = %q, want %q", c.Origin.File, want)
	}
	if !strings.HasSuffix(c.Origin.Detail, ", subchart cache 0.1.0") {
		t.Errorf("subchart Detail = %q", c.Origin.Detail)
	}
	lines(t, c, map[string]int{app + ".securityContext.readOnlyRootFilesystem": 18})
}

func TestRenderValuesFilesAndSet(t *testing.T) {
	inv := renderChart(t, shop,
		[]string{filepath.Join(shop, "values-prod.yaml")},
		[]string{"metrics.enabled=true", "replicaCount=5", "cache.enabled=false"},
		[]string{"image.tag=2.0"},
		Options{ReleaseName: "web", Namespace: "shop-prod"})
	noErrors(t, inv)
	d := find(t, inv, "Deployment", "web-shop")
	if d.EffectiveNamespace() != "shop-prod" || d.DefaultNamespace != "shop-prod" {
		t.Errorf("namespace %q (default %q), want shop-prod", d.EffectiveNamespace(), d.DefaultNamespace)
	}
	if want := "helm chart shop 0.3.1 (release web)"; d.Origin.Detail != want {
		t.Errorf("Detail = %q, want %q", d.Origin.Detail, want)
	}
	dep := d.Typed.(*appsv1.Deployment)
	spec := dep.Spec.Template.Spec
	if !spec.HostNetwork {
		t.Error("values-prod.yaml sets hostNetwork: true")
	}
	if !*spec.Containers[0].SecurityContext.Privileged {
		t.Error("values-prod.yaml sets securityContext.privileged: true")
	}
	if *dep.Spec.Replicas != 5 {
		t.Errorf("--set replicaCount=5: replicas %d", *dep.Spec.Replicas)
	}
	if spec.Containers[0].Image != "ghcr.io/example/shop:2.0" {
		t.Errorf("--set-string image.tag=2.0: image %q", spec.Containers[0].Image)
	}
	if len(spec.Containers) != 2 {
		t.Fatalf("--set metrics.enabled=true: %d containers, want 2", len(spec.Containers))
	}
	lines(t, d, map[string]int{
		podSpec + ".hostNetwork":                             17,
		app + ".securityContext.privileged":                  26,
		podSpec + ".containers[1]":                           40, // - name: metrics
		podSpec + ".containers[1].securityContext.runAsUser": 43,
		podSpec + ".containers[1].image":                     41,
	})
	np := find(t, inv, "NetworkPolicy", "web-shop")
	if np.Origin.Line != 2 {
		t.Errorf("NetworkPolicy starts at template line %d, want 2 (after the if)", np.Origin.Line)
	}
	lines(t, np, map[string]int{"spec.ingress[0].ports[0].port": 14, "spec.policyTypes[0]": 11})
	for _, o := range inv.Objects {
		if o.Name == "web-cache" {
			t.Error("--set cache.enabled=false should drop the cache subchart")
		}
	}

	// --set wins over a values file, which wins over values.yaml.
	inv = renderChart(t, shop, []string{filepath.Join(shop, "values-prod.yaml")}, []string{"securityContext.privileged=false"}, nil, Options{})
	spec = find(t, inv, "Deployment", "shop").Typed.(*appsv1.Deployment).Spec.Template.Spec
	if *spec.Containers[0].SecurityContext.Privileged || !spec.HostNetwork {
		t.Error("--set securityContext.privileged=false should override values-prod.yaml and keep its hostNetwork")
	}
}

func TestRenderRangeAndBranches(t *testing.T) {
	inv := renderChart(t, shop, nil, []string{"workers[0].name=mail", "workers[1].name=batch", "workers[1].privileged=true"}, nil, Options{})
	noErrors(t, inv)
	file := filepath.Join(shop, "templates", "workers.yaml")
	cm := find(t, inv, "ConfigMap", "shop-workers")
	if cm.Origin.File != file || cm.Origin.Line != 2 {
		t.Errorf("ConfigMap at %s:%d", cm.Origin.File, cm.Origin.Line)
	}
	for name, privLine := range map[string]int{"shop-mail": 33, "shop-batch": 30} {
		w := find(t, inv, "Deployment", name)
		if w.Origin.File != file || w.Origin.Line != 11 {
			t.Errorf("%s at %s:%d, want %s:11", name, w.Origin.File, w.Origin.Line, file)
		}
		// Each worker's privileged flag comes from the if/else branch that wrote it.
		lines(t, w, map[string]int{app + ".securityContext.privileged": privLine, app + ".args[1]": 27, app + ".image": 26})
	}
}

func TestRenderArchive(t *testing.T) {
	ch, err := loader.Load(shop)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tgz, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !IsArchive(tgz) {
		t.Fatalf("IsArchive(%q) = false", tgz)
	}
	inv := renderChart(t, tgz, nil, []string{"hostNetwork=true"}, nil, Options{})
	noErrors(t, inv)
	d := find(t, inv, "Deployment", "shop")
	if want := filepath.Join(tgz, "templates", "deployment.yaml"); d.Origin.File != want {
		t.Errorf("File = %q, want %q", d.Origin.File, want)
	}
	lines(t, d, map[string]int{podSpec + ".hostNetwork": 17})
	if !d.Typed.(*appsv1.Deployment).Spec.Template.Spec.HostNetwork {
		t.Error("--set hostNetwork=true not applied to the packaged chart")
	}
	c := find(t, inv, "Deployment", "shop-cache")
	if !strings.HasPrefix(c.Origin.File, tgz+string(filepath.Separator)) || !strings.HasSuffix(c.Origin.File, filepath.Join("cache", "templates", "deployment.yaml")) {
		t.Errorf("subchart in archive: File = %q", c.Origin.File)
	}
}

func TestRenderRequiredValue(t *testing.T) {
	inv := renderChart(t, shop, nil, []string{"image.repository=null"}, nil, Options{})
	if len(inv.Errors) != 1 {
		t.Fatalf("errors %v, want one", inv.Errors)
	}
	e := inv.Errors[0]
	if e.File != filepath.Join(shop, "templates", "deployment.yaml") || e.Line != 24 || !strings.Contains(e.Message, "image.repository is required") {
		t.Errorf("error %v, want deployment.yaml:24 naming the required value", e)
	}
	// The rest of the chart still renders.
	find(t, inv, "Service", "shop")
	find(t, inv, "Deployment", "shop-cache")
	for _, o := range inv.Objects {
		if o.Kind == "Deployment" && o.Name == "shop" {
			t.Error("the failed template's Deployment should not be in the inventory")
		}
	}
}

// copyChart copies the test chart so a test can break it.
func copyChart(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "shop")
	err := filepath.Walk(shop, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(shop, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestRenderBrokenTemplates(t *testing.T) {
	dir := copyChart(t)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("syntax.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ if .Values.x }\n")
	write("badyaml.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-bad\ndata:\n  key: [unclosed\n  other: {{ .Values.replicaCount }}\n")
	write("fail.yaml", "{{- if not .Values.acceptTerms }}\n{{- fail \"set acceptTerms=true\" }}\n{{- end }}\n")
	write("unclosed.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\ndata:\n  a: {{ .Values.a\n\n\n")

	inv := renderChart(t, dir, nil, nil, nil, Options{})
	byFile := map[string]inventory.InputError{}
	for _, e := range inv.Errors {
		byFile[filepath.Base(e.File)] = e
	}
	if e, ok := byFile["syntax.yaml"]; !ok || e.Line != 6 {
		t.Errorf("syntax error: %v, want syntax.yaml:6", e)
	}
	if e, ok := byFile["fail.yaml"]; !ok || e.Line != 2 || !strings.Contains(e.Message, "set acceptTerms=true") {
		t.Errorf("fail: %v, want fail.yaml:2 with the message", e)
	}
	if e, ok := byFile["badyaml.yaml"]; !ok || e.Line != 7 || !strings.Contains(e.Message, "rendered line") {
		t.Errorf("bad YAML: %v, want badyaml.yaml:7 (where the parser notices)", e)
	}
	// text/template places it past the last line; it is fixed where it started.
	if e, ok := byFile["unclosed.yaml"]; !ok || e.Line != 6 {
		t.Errorf("unclosed action: %v, want unclosed.yaml:6", e)
	}
	if len(inv.Errors) != 4 {
		t.Errorf("errors: %v", inv.Errors)
	}
	find(t, inv, "Deployment", "shop")
	find(t, inv, "Service", "shop")
}

func TestReadValuesErrors(t *testing.T) {
	if _, err := ReadValues([]string{"testdata/nope.yaml"}, nil, nil); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing values file: %v", err)
	}
	if _, err := ReadValues(nil, []string{"a.b[=1"}, nil); err == nil || !strings.Contains(err.Error(), "--set") {
		t.Errorf("bad --set: %v", err)
	}
	// An assignment is named by its place, not quoted: its value may be a password.
	_, err := ReadValues(nil, []string{"a=1", "password=Hunter2Hunter2,x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "--set number 2") || strings.Contains(err.Error(), "Hunter2") {
		t.Errorf("bad --set with a password: %v", err)
	}
}

func TestDetection(t *testing.T) {
	if !IsChart(shop) || IsChart("testdata") {
		t.Error("IsChart")
	}
	for name, want := range map[string]bool{"a.tgz": true, "a.tar.gz": true, "a.TGZ": true, "a.yaml": false, "tgz": false} {
		if IsArchive(name) != want {
			t.Errorf("IsArchive(%q) != %v", name, want)
		}
	}
}

func TestLibraryChart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "templates", "_x.tpl"), []byte(`{{- define "lib.x" }}x{{ end }}`), 0o644)
	inv := Render(dir, Options{})
	if len(inv.Errors) > 0 || len(inv.Objects) > 0 || len(inv.Stats.SkippedFiles) != 1 {
		t.Errorf("library chart: errors %v, objects %d, skipped %v", inv.Errors, len(inv.Objects), inv.Stats.SkippedFiles)
	}
}

// TestRenderTime logs how long rendering the test chart takes, including loading it from disk
// and mapping every field back to its template.
func TestRenderTime(t *testing.T) {
	vals, _ := ReadValues([]string{filepath.Join(shop, "values-prod.yaml")}, []string{"metrics.enabled=true", "workers[0].name=mail"}, nil)
	Render(shop, Options{Values: vals}) // warm up
	const n = 20
	start := time.Now()
	for range n {
		Render(shop, Options{Values: vals})
	}
	t.Logf("rendering %s: %v per chart", shop, time.Since(start)/n)
}

func BenchmarkRender(b *testing.B) {
	vals, _ := ReadValues([]string{filepath.Join(shop, "values-prod.yaml")}, []string{"metrics.enabled=true", "workers[0].name=mail"}, nil)
	for b.Loop() {
		Render(shop, Options{Values: vals})
	}
}

// TestHelmCreateScaffold maps the chart `helm create` writes, the shape most real charts start
// from: values blocks under {{- with }} + toYaml, ranges over hosts, if-guarded list items.
// The expected lines are those of the scaffold in the Helm version go.mod pins.
func TestHelmCreateScaffold(t *testing.T) {
	p, err := chartutil.Create("demo", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv := renderChart(t, p, nil, []string{"securityContext.privileged=true", "podSecurityContext.runAsUser=0",
		"ingress.enabled=true", "autoscaling.enabled=true", "serviceAccount.automount=true"}, nil, Options{})
	noErrors(t, inv)
	lines(t, find(t, inv, "Deployment", "demo"), map[string]int{
		podSpec + ".serviceAccountName":        30,
		podSpec + ".securityContext.runAsUser": 32, // securityContext: above {{- toYaml . | nindent 8 }}
		app + ".securityContext.privileged":    38,
		app + ".image":                         41,
		app + ".ports[0].containerPort":        45,
		app + ".livenessProbe.httpGet.path":    48,
	})
	lines(t, find(t, inv, "HorizontalPodAutoscaler", "demo"), map[string]int{"spec.metrics[0].resource.target.averageUtilization": 22})
	lines(t, find(t, inv, "Ingress", "demo"), map[string]int{"spec.rules[0].host": 28})
	sa := find(t, inv, "ServiceAccount", "demo")
	if sa.Origin.Line != 2 {
		t.Errorf("ServiceAccount starts at line %d, want 2", sa.Origin.Line)
	}
	lines(t, sa, map[string]int{"automountServiceAccountToken": 12})
	if pod := find(t, inv, "Pod", "demo-test-connection"); !strings.HasSuffix(pod.Origin.File, filepath.Join("templates", "tests", "test-connection.yaml")) {
		t.Errorf("test hook at %s", pod.Origin.File)
	}
}

// TestRenderErrorInNamedTemplate reports a failure raised inside a named template at the line
// of the define that raised it, and says which template's objects are missing. A template that
// fails still provides its {{ define }}s to the others.
func TestRenderErrorInNamedTemplate(t *testing.T) {
	dir := copyChart(t)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("_extra.tpl", "{{- define \"shop.token\" -}}\n{{ required \"set token\" .Values.token }}\n{{- end }}\n")
	write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: {{ template \"shop.token\" . }}\n")
	write("defines.yaml", "{{- define \"shop.extra\" }}extra{{ end }}\n{{ fail \"this file fails\" }}\n")
	write("uses.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: uses-{{ include \"shop.extra\" . }}\n")

	inv := renderChart(t, dir, nil, nil, nil, Options{})
	byFile := map[string]inventory.InputError{}
	for _, e := range inv.Errors {
		byFile[filepath.Base(e.File)] = e
	}
	e, ok := byFile["_extra.tpl"]
	if !ok || e.Line != 2 || !strings.Contains(e.Message, "set token") || !strings.Contains(e.Message, "rendering shop/templates/secret.yaml") {
		t.Errorf("error in a named template: %v, want _extra.tpl:2 naming secret.yaml", e)
	}
	if e, ok := byFile["defines.yaml"]; !ok || e.Line != 2 {
		t.Errorf("fail: %v, want defines.yaml:2", e)
	}
	if len(inv.Errors) != 2 {
		t.Errorf("errors: %v", inv.Errors)
	}
	find(t, inv, "ConfigMap", "uses-extra")
	find(t, inv, "Deployment", "shop")
}

// TestBrokenChartFileHasItsLine: a Chart.yaml or values.yaml that does not parse is an error at
// that file and line, not at the chart with the line only in the message.
func TestBrokenChartFileHasItsLine(t *testing.T) {
	for file, body := range map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: x\nversion: [1\n",
		"values.yaml": "a: 1\nb: [\n",
	} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
			t.Fatal(err)
		}
		if file != "Chart.yaml" {
			if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: x\nversion: 0.1.0\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		inv := Render(dir, Options{})
		if len(inv.Errors) != 1 || inv.Errors[0].File != filepath.Join(dir, file) || inv.Errors[0].Line < 2 || !strings.HasPrefix(inv.Errors[0].Message, "loading the Helm chart: "+file+": ") {
			t.Errorf("%s: errors %+v", file, inv.Errors)
		}
	}
}
