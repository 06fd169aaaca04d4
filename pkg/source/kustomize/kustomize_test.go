package kustomize

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubeharden/kubeharden/internal/testutil"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var (
	base  = filepath.Join("testdata", "base")
	prod  = filepath.Join("testdata", "overlays", "prod")
	podSp = "spec.template.spec"
)

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

// placed says where a finding on the field at path is reported, as "file:line" with the file
// relative to dir.
func placed(dir string, o *inventory.Object, path string) string {
	file, line := o.Place(path)
	rel, _ := filepath.Rel(dir, file)
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), line)
}

func lines(t *testing.T, o *inventory.Object, want map[string]int) {
	t.Helper()
	for p, l := range want {
		if got := o.Line(p); got != l {
			t.Errorf("%s %s: line of %s = %d, want %d", o.Kind, o.Name, p, got, l)
		}
	}
}

func TestBuildBase(t *testing.T) {
	inv := Build(base, Options{DefaultNamespace: "shop"})
	noErrors(t, inv)
	if len(inv.Objects) != 3 {
		t.Errorf("%d objects, want Deployment, Service and the generated ConfigMap", len(inv.Objects))
	}
	d := find(t, inv, "Deployment", "shop")
	if want := filepath.Join(base, "deployment.yaml"); d.Origin.File != want || d.Origin.Line != 1 {
		t.Errorf("Deployment at %s:%d, want %s:1", d.Origin.File, d.Origin.Line, want)
	}
	if d.Origin.Detail != "kustomize build "+base {
		t.Errorf("Detail %q", d.Origin.Detail)
	}
	if d.EffectiveNamespace() != "shop" {
		t.Errorf("namespace %q, want the default namespace given", d.EffectiveNamespace())
	}
	if d.Meta.Annotations[originAnnotation] != "" {
		t.Error("the origin annotation kubeharden asked for must not stay on the object")
	}
	lines(t, d, map[string]int{
		podSp + ".containers[0].securityContext.allowPrivilegeEscalation": 26,
		podSp + ".securityContext.runAsNonRoot":                           16,
		"metadata.labels":                                                 3, // added by the labels transformer: metadata
		"metadata.name":                                                   4,
	})
	cm := find(t, inv, "ConfigMap", "shop-config-"+strings.TrimPrefix(cmName(t, inv), "shop-config-"))
	if want := filepath.Join(base, "kustomization.yaml"); cm.Origin.File != want || cm.Origin.Line != 10 {
		t.Errorf("generated ConfigMap at %s:%d, want the generator entry %s:10", cm.Origin.File, cm.Origin.Line, want)
	}
	if inv.Stats.Files != 2 {
		t.Errorf("Stats.Files = %d, want the 2 resource files", inv.Stats.Files)
	}
}

func cmName(t *testing.T, inv *inventory.Inventory) string {
	for _, o := range inv.Objects {
		if o.Kind == "ConfigMap" {
			return o.Name
		}
	}
	t.Fatal("no ConfigMap")
	return ""
}

func TestBuildOverlay(t *testing.T) {
	inv := Build(prod, Options{})
	noErrors(t, inv)
	if len(inv.Objects) != 4 {
		t.Errorf("%d objects, want 4", len(inv.Objects))
	}
	d := find(t, inv, "Deployment", "prod-shop")
	if d.Namespace != "shop-prod" {
		t.Errorf("namespace %q, want shop-prod from the overlay", d.Namespace)
	}
	// The Deployment is defined in the base: findings name the base file and its lines.
	if want := filepath.Join(base, "deployment.yaml"); d.Origin.File != want || d.Origin.Line != 1 {
		t.Errorf("Deployment at %s:%d, want %s:1", d.Origin.File, d.Origin.Line, want)
	}
	spec := d.Typed.(*appsv1.Deployment).Spec.Template.Spec
	if !spec.HostNetwork || !spec.HostPID || len(spec.Containers) != 2 {
		t.Fatalf("patches not applied: hostNetwork %v, hostPID %v, %d containers", spec.HostNetwork, spec.HostPID, len(spec.Containers))
	}
	// The strategic merge patch put the debug container first; the app container keeps its
	// base lines, found by name rather than by position.
	if spec.Containers[0].Name != "debug" || spec.Containers[1].Name != "app" {
		t.Fatalf("containers %s, %s", spec.Containers[0].Name, spec.Containers[1].Name)
	}
	lines(t, d, map[string]int{
		podSp + ".containers[1].securityContext.readOnlyRootFilesystem": 27,
		podSp + ".containers[1]":                            20,
		podSp + ".containers[0].securityContext.privileged": 19, // added by the patch: the base's containers:
		podSp + ".hostNetwork":                              14, // added by the patch: the base's pod spec
	})
	// The patched fields are attributed to the patch that set them, with its line.
	sidecar := filepath.Join(prod, "debug-sidecar.yaml")
	kust := filepath.Join(prod, "kustomization.yaml")
	for _, want := range []string{
		"kustomize build " + prod + "; ",
		podSp + ".hostNetwork from " + sidecar + ":9",
		podSp + ".containers[0].securityContext.privileged from " + sidecar + ":14",
		podSp + ".hostPID from " + kust + ":16",
	} {
		if !strings.Contains(d.Origin.Detail, want) {
			t.Errorf("Detail %q does not say %q", d.Origin.Detail, want)
		}
	}
	if strings.Contains(d.Origin.Detail, ".name from") {
		t.Errorf("Detail %q attributes a merge key", d.Origin.Detail)
	}

	np := find(t, inv, "NetworkPolicy", "prod-default-deny")
	if want := filepath.Join(prod, "networkpolicy.yaml"); np.Origin.File != want {
		t.Errorf("overlay resource at %s, want %s", np.Origin.File, want)
	}
	lines(t, np, map[string]int{"spec.policyTypes[1]": 9})
	s := find(t, inv, "Service", "prod-shop")
	if s.Origin.Detail != "kustomize build "+prod {
		t.Errorf("unpatched object Detail %q", s.Origin.Detail)
	}
	lines(t, s, map[string]int{"spec.ports[0].port": 9})
}

// kustomization writes a kustomization folder for a test.
func kustomization(t *testing.T, files map[string]string) string {
	t.Helper()
	return testutil.WriteTree(t, files)
}

func TestBuildRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		kustomization string
		want          string
	}{
		"remote git base": {"resources:\n  - github.com/example/app//deploy?ref=v1\n", "is remote"},
		"remote URL":      {"resources:\n  - https://example.com/app.yaml\n", "no network access"},
		"missing":         {"resources:\n  - nope.yaml\n", "no such file or folder"},
		"helm":            {"helmCharts:\n  - name: x\n    repo: https://example.com\n", "helmCharts need"},
		"broken":          {"resources: [\n", "invalid Kustomization"},
		"build error":     {"resources:\n  - bad.yaml\n", "kustomize build"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := kustomization(t, map[string]string{
				"kustomization.yaml": tc.kustomization,
				"bad.yaml":           "apiVersion: v1\nkind: ConfigMap\n",
			})
			inv := Build(dir, Options{})
			if len(inv.Errors) != 1 || len(inv.Objects) != 0 {
				t.Fatalf("errors %v, %d objects; want one error and nothing built", inv.Errors, len(inv.Objects))
			}
			e := inv.Errors[0]
			if e.File != filepath.Join(dir, "kustomization.yaml") || !strings.Contains(e.Message, tc.want) {
				t.Errorf("error %v, want one on the kustomization saying %q", e, tc.want)
			}
		})
	}
}

func TestOwnOriginAnnotationsKept(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"kustomization.yaml": "resources: [cm.yaml]\nbuildMetadata: [originAnnotations]\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	inv := Build(dir, Options{})
	noErrors(t, inv)
	o := find(t, inv, "ConfigMap", "x")
	if o.Meta.Annotations[originAnnotation] == "" {
		t.Error("a kustomization that asks for origin annotations gets them, as with kustomize build")
	}
	if o.Origin.File != filepath.Join(dir, "cm.yaml") || o.Origin.Line != 1 {
		t.Errorf("at %s:%d", o.Origin.File, o.Origin.Line)
	}
}

func TestSelect(t *testing.T) {
	found := []string{base, prod, filepath.Join("testdata", "overlays", "..", "base")}
	got := dirsOf(selectExcept(inspectAll(found), func(string) bool { return false }, nil))
	if len(got) != 1 || got[0] != prod {
		t.Errorf("Select = %v, want only the overlay (the base is built as part of it)", got)
	}
	got = dirsOf(selectExcept(inspectAll(found), func(d string) bool { return d == base }, nil))
	if len(got) != 2 {
		t.Errorf("Select = %v, want the named base and the overlay", got)
	}
	if refs, _ := inspect(prod); len(refs) != 1 || !strings.HasSuffix(refs[0], filepath.Join("testdata", "base")) {
		t.Errorf("References = %v", refs)
	}
}

func TestDetection(t *testing.T) {
	if !IsKustomization(base) || IsKustomization("testdata") {
		t.Error("IsKustomization")
	}
	for _, e := range []struct {
		entry  string
		remote bool
	}{
		{"../../base", false}, {"deploy/app", false}, {"app.yaml", false},
		{"github.com/org/repo/deploy", true}, {"git@github.com:org/repo.git", true},
		{"https://example.com/x.yaml", true}, {"example.com/org/repo?ref=v1", true},
	} {
		if isRemote(e.entry) != e.remote {
			t.Errorf("isRemote(%q) != %v", e.entry, e.remote)
		}
	}
}

// TestBuildTime logs how long building the overlay takes.
func TestBuildTime(t *testing.T) {
	Build(prod, Options{})
	const n = 10
	start := time.Now()
	for range n {
		Build(prod, Options{})
	}
	t.Logf("building %s: %v per build", prod, time.Since(start)/n)
}

func TestSelectSkipsLoneComponents(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
	})
	comp := filepath.Join(dir, "comp")
	if got := dirsOf(selectExcept(inspectAll([]string{comp}), func(string) bool { return false }, nil)); len(got) != 0 {
		t.Errorf("Select = %v, want a component found while walking left alone", got)
	}
	if got := dirsOf(selectExcept(inspectAll([]string{comp}), func(string) bool { return true }, nil)); len(got) != 1 {
		t.Errorf("Select = %v, want a named component built (and its error reported)", got)
	}
}

// TestPatchedFieldsArePlacedInThePatch: a field set by a patch (of an overlay or of a component)
// is placed at the patch's file and line; the fields the patch did not set stay in the base.
func TestPatchedFieldsArePlacedInThePatch(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"base/kustomization.yaml": "resources: [all.yaml]\n",
		"base/all.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx
`,
		"ov/kustomization.yaml": "resources: [../base]\ncomponents: [../components/priv]\npatches:\n- path: p.yaml\n",
		"ov/p.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostIPC: true
  containers:
  - name: app
    securityContext:
      privileged: true
`,
		"components/priv/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: priv.yaml\n",
		"components/priv/priv.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: true
`,
	})
	inv := Build(filepath.Join(dir, "ov"), Options{})
	noErrors(t, inv)
	o := find(t, inv, "Pod", "web")
	patch, priv := filepath.Join(dir, "ov", "p.yaml"), filepath.Join(dir, "components", "priv", "priv.yaml")
	base := filepath.Join(dir, "base", "all.yaml")
	for path, want := range map[string]struct {
		file string
		line int
	}{
		"spec.hostIPC": {patch, 6},
		"spec.containers[0].securityContext.privileged":               {patch, 10},
		"spec.containers[0].securityContext.allowPrivilegeEscalation": {priv, 9},
		"spec.containers[0].image":                                    {base, 8},
		"spec.hostPID":                                                {base, 5}, // absent: the base's spec
	} {
		if file, line := o.Place(path); file != want.file || line != want.line {
			t.Errorf("%s placed at %s:%d, want %s:%d", path, file, line, want.file, want.line)
		}
		if file := o.FileAt(path, want.line); file != want.file {
			t.Errorf("%s at line %d is in %s, want %s", path, want.line, file, want.file)
		}
	}
	// A line a check found itself in the base keeps the base's file.
	if file := o.FileAt("spec.hostIPC", 5); file != base {
		t.Errorf("hostIPC at the base's line 5 is in %s", file)
	}
}

// TestBrokenOverlayLeavesBasesAssessed: a base found while walking is built through the overlay
// that includes it; when that overlay does not build, the base is built on its own (and so is a
// middle overlay, which then covers its own base), so its objects are still assessed, and the
// broken overlay's error stands.
func TestBrokenOverlayLeavesBasesAssessed(t *testing.T) {
	pod := func(name string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n"
	}
	dir := kustomization(t, map[string]string{
		"base/kustomization.yaml":   "resources: [pod.yaml]\n",
		"base/pod.yaml":             pod("from-base"),
		"mid/kustomization.yaml":    "resources: [../base]\nnamePrefix: mid-\n",
		"broken/kustomization.yaml": "resources: [../mid, gone.yaml]\n",
		"other/kustomization.yaml":  "resources: [pod.yaml]\n",
		"other/pod.yaml":            pod("other"),
	})
	found := []string{filepath.Join(dir, "base"), filepath.Join(dir, "mid"), filepath.Join(dir, "broken"), filepath.Join(dir, "other")}
	inv := BuildSelected(found, func(string) bool { return false }, Options{})
	var names []string
	for _, o := range inv.Objects {
		names = append(names, o.Name)
	}
	if strings.Join(names, ",") != "other,mid-from-base" {
		t.Errorf("objects = %v, want other (built alone) and mid-from-base (the middle overlay, in place of the broken one)", names)
	}
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].File, "broken") {
		t.Errorf("errors = %v, want the broken overlay's only", inv.Errors)
	}
}

// dirsOf returns the folders of found.
func dirsOf(found []foundDir) []string {
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.dir
	}
	return out
}

// TestBuildErrorsHoldNoValues: kustomize prints a generator's literal sources, all of them, when
// one is not key=value, and an env file's line that is not valid UTF-8; a value that starts with
// '*' is read as an alias and named in the parser's error. None of them may reach a report.
func TestBuildErrorsHoldNoValues(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"literal": {"kustomization.yaml": "secretGenerator:\n- name: db\n  literals:\n  - user=LitUserValue1\n  - \"password: LitPassword2\"\n"},
		"env file": {
			"kustomization.yaml": "secretGenerator:\n- name: db\n  envs:\n  - db.env\n",
			"db.env":             "PASSWORD=EnvPassword3\xff\n",
		},
		"alias": {
			"kustomization.yaml": "resources:\n- secret.yaml\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: *AliasPassword4\n",
		},
		"patch quoted": {
			"kustomization.yaml": "resources:\n- secret.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Secret\n    stringData:\n      password: PatchPassword5\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n",
		},
		"missing patch": {
			"kustomization.yaml": "resources:\n- secret.yaml\npatches:\n- path: missing.yaml\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: MissingPassword8\n",
		},
		"patch without a target": {
			"kustomization.yaml": "resources:\n- secret.yaml\npatches:\n- patch: |-\n    - op: add\n      path: /stringData/x\n      value: TargetPassword9\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n",
		},
		"literal as a file": {
			"kustomization.yaml": "secretGenerator:\n- name: db\n  files:\n  - password=FileAsLiteral10\n",
		},
		"literal with = as a file": {
			"kustomization.yaml": "secretGenerator:\n- name: db\n  files:\n  - password=File=AsLiteral11\n",
		},
		"object quoted": {
			"kustomization.yaml": "resources:\n- secret.yaml\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  labels: {a: b}\nstringData:\n  password: ObjectPassword6\n",
		},
		"value quoted": {
			"kustomization.yaml": "resources:\n- secret.yaml\n- cm.yaml\nreplacements:\n- source:\n    kind: Secret\n    name: db\n    fieldPath: stringData.password\n    options: {delimiter: \":\", index: 3}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.pw]\n",
			"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ValuePassword7\n",
			"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  pw: x\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			inv := Build(kustomization(t, files), Options{})
			if len(inv.Errors) != 1 {
				t.Fatalf("errors %v, want one", inv.Errors)
			}
			msg := inv.Errors[0].Message
			for _, v := range []string{"LitUserValue1", "LitPassword2", "EnvPassword3", "AliasPassword4", "PatchPassword5", "ObjectPassword6", "ValuePassword7",
				"TargetPassword9", "FileAsLiteral10", "File=AsLiteral11"} {
				if strings.Contains(msg, v[:8]) {
					t.Errorf("error %q holds a value", msg)
				}
			}
			if !strings.Contains(msg, "kustomize build") {
				t.Errorf("error %q does not say what failed", msg)
			}
			if name == "missing patch" && !strings.Contains(msg, "missing.yaml") {
				t.Errorf("error %q does not name the missing patch", msg)
			}
		})
	}
}

// TestGeneratedKeysHaveTheirLines: a key of a generated ConfigMap or Secret is placed at the
// literal or file entry that wrote it; the object at its generator's name.
func TestGeneratedKeysHaveTheirLines(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"kustomization.yaml": "namePrefix: dev-\nconfigMapGenerator:\n- name: app\n  literals:\n  - LOG_LEVEL=debug\n  - DB_PASSWORD=x\n  files:\n  - token.txt\n  - renamed=other.txt\nsecretGenerator:\n- name: creds\n  literals:\n  - user=admin\n",
		"token.txt":          "t\n",
		"other.txt":          "o\n",
	})
	inv := Build(dir, Options{})
	noErrors(t, inv)
	byKind := map[string]*inventory.Object{}
	for _, o := range inv.Objects {
		byKind[o.Kind] = o // names carry kustomize's prefix and hash
	}
	cm, s := byKind["ConfigMap"], byKind["Secret"]
	if cm == nil || s == nil {
		t.Fatalf("objects %v", byKind)
	}
	if cm.Origin.Line != 3 || s.Origin.Line != 11 {
		t.Errorf("ConfigMap at line %d, Secret at %d; want 3 and 11", cm.Origin.Line, s.Origin.Line)
	}
	lines(t, cm, map[string]int{"data.LOG_LEVEL": 5, "data.DB_PASSWORD": 6, `data["token.txt"]`: 8, "data.renamed": 9})
	lines(t, s, map[string]int{"data.user": 13})
}

// TestPatchPlacementEdges: two JSON 6902 appends to one list are each placed at their own
// value; a strategic-merge patch that names a namespace patches only that namespace's object;
// of two patches of one kustomization that write the same value, the one applied last is named.
func TestPatchPlacementEdges(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"kustomization.yaml": "resources:\n- pods.yaml\npatches:\n- path: first.yaml\n- path: second.yaml\n- path: env.yaml\n  target: {kind: Pod, name: web, namespace: a}\n",
		"pods.yaml":          "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    env: []\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: b}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      privileged: true\n",
		"first.yaml":         "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a}\nspec:\n  containers:\n  - name: app\n    securityContext:\n      privileged: true\n",
		"second.yaml":        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a}\nspec:\n  containers:\n  - name: app\n    securityContext:\n      privileged: true\n",
		"env.yaml":           "- op: add\n  path: /spec/containers/0/env/-\n  value: {name: A, value: one}\n- op: add\n  path: /spec/containers/0/env/-\n  value: {name: B, value: two}\n",
	})
	inv := Build(dir, Options{})
	noErrors(t, inv)
	var a, b *inventory.Object
	for _, o := range inv.Objects {
		switch o.Namespace {
		case "a":
			a = o
		case "b":
			b = o
		}
	}
	if a == nil || b == nil {
		t.Fatalf("objects %v", inv.Objects)
	}
	at := func(o *inventory.Object, path string) string {
		file, line := o.Place(path)
		return fmt.Sprintf("%s:%d", filepath.Base(file), line)
	}
	for _, c := range []struct {
		o          *inventory.Object
		path, want string
	}{
		{a, "spec.containers[0].securityContext.privileged", "second.yaml:8"},
		{a, "spec.containers[0].env[0].value", "env.yaml:3"},
		{a, "spec.containers[0].env[1].value", "env.yaml:6"},
		{b, "spec.containers[0].securityContext.privileged", "pods.yaml:18"},
	} {
		if got := at(c.o, c.path); got != c.want {
			t.Errorf("%s %s: at %s, want %s", c.o.Namespace, c.path, got, c.want)
		}
	}
}

// TestBuiltErrorsArePlaced: an error in a built object is placed where its field is written:
// in the resource file, or in the patch that set it.
func TestBuiltErrorsArePlaced(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"kustomization.yaml": "resources:\n- pod.yaml\npatches:\n- path: p.yaml\n",
		"pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containerz: []\n  containers:\n  - {name: a, image: a:1}\n",
		"p.yaml":             "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  hostPID: \"yes please\"\n",
	})
	inv := Build(dir, Options{})
	var got []string
	for _, e := range inv.Errors {
		got = append(got, fmt.Sprintf("%s:%d", filepath.Base(e.File), e.Line))
	}
	slices.Sort(got)
	if want := []string{"p.yaml:6", "pod.yaml:6"}; !slices.Equal(got, want) {
		t.Errorf("errors at %v, want %v (%v)", got, want, inv.Errors)
	}
}

// TestBrokenResourceIsPlaced: YAML that does not parse, in a resource of a base that an overlay
// includes, or in the kustomization itself, is reported at its file and line.
func TestBrokenResourceIsPlaced(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"overlay/kustomization.yaml": "resources:\n- ../base\n",
		"base/kustomization.yaml":    "resources:\n- pod.yaml\n",
		"base/pod.yaml":              "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n   image: a\n",
		"bad/kustomization.yaml":     "resources:\n- a\n b: [\n",
	})
	for _, c := range []struct {
		dir, file string
		line      int
	}{{"overlay", "base/pod.yaml", 8}, {"bad", "bad/kustomization.yaml", 3}} {
		inv := Build(filepath.Join(dir, c.dir), Options{})
		if len(inv.Errors) != 1 {
			t.Fatalf("%s: errors %v, want one", c.dir, inv.Errors)
		}
		e := inv.Errors[0]
		if e.File != filepath.Join(dir, c.file) || e.Line != c.line {
			t.Errorf("%s: error at %s:%d, want %s:%d (%s)", c.dir, e.File, e.Line, c.file, c.line, e.Message)
		}
	}
}

// TestGeneratedKeysFromEnvsAndOverlays: a key from an env file is placed at its line there; a
// key an overlay's generator of the same name merges in, or overrides, at the overlay's entry.
func TestGeneratedKeysFromEnvsAndOverlays(t *testing.T) {
	dir := kustomization(t, map[string]string{
		"base/kustomization.yaml": "configMapGenerator:\n- name: app\n  literals:\n  - LOG=info\n  - DB_PASSWORD=old\n  envs:\n  - app.env\n",
		"base/app.env":            "# settings\n\nAPI_KEY=k\n",
		"ov/kustomization.yaml":   "resources:\n- ../base\nconfigMapGenerator:\n- name: app\n  behavior: merge\n  literals:\n  - OTHER=x\n  envs:\n  - extra.env\n",
		"ov/extra.env":            "DB_PASSWORD=new\n",
	})
	inv := Build(filepath.Join(dir, "ov"), Options{})
	noErrors(t, inv)
	if len(inv.Objects) != 1 {
		t.Fatalf("objects %v", inv.Objects)
	}
	o := inv.Objects[0]
	for path, want := range map[string]string{
		"data.LOG":         "base/kustomization.yaml:4",
		"data.API_KEY":     "base/app.env:3",
		"data.OTHER":       "ov/kustomization.yaml:7",
		"data.DB_PASSWORD": "ov/extra.env:1",
	} {
		if got := placed(dir, o, path); got != want {
			t.Errorf("%s at %s, want %s", path, got, want)
		}
	}
}

// TestAppendsAcrossPatches: items appended by separate patches, of one overlay or of nested
// overlays, are each placed at the patch that appended them: a patch applied later appends
// after the items of those applied before it.
func TestAppendsAcrossPatches(t *testing.T) {
	add := func(name string) string {
		return "- op: add\n  path: /spec/containers/-\n  value:\n    name: " + name + "\n    image: " + name + ":1\n    securityContext: {privileged: true}\n"
	}
	dir := kustomization(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- pod.yaml\n",
		"base/pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: app:1}\n",
		"mid/kustomization.yaml":  "resources:\n- ../base\npatches:\n- path: one.yaml\n  target: {kind: Pod}\n- path: two.yaml\n  target: {kind: Pod}\n",
		"mid/one.yaml":            add("one"),
		"mid/two.yaml":            add("two"),
		"top/kustomization.yaml":  "resources:\n- ../mid\npatches:\n- path: three.yaml\n  target: {kind: Pod}\n",
		"top/three.yaml":          add("three"),
	})
	inv := Build(filepath.Join(dir, "top"), Options{})
	noErrors(t, inv)
	o := inv.Objects[0]
	for i, want := range []string{"", "mid/one.yaml:6", "mid/two.yaml:6", "top/three.yaml:6"} {
		if want == "" {
			continue
		}
		if got := placed(dir, o, fmt.Sprintf("spec.containers[%d].securityContext.privileged", i)); got != want {
			t.Errorf("container %d at %s, want %s", i, got, want)
		}
	}
}

// TestPatchOrderWithComponents: a component's patches apply after the resources are built, so
// items a base and a component each append are placed at their own patches; a patch that names
// the default namespace patches an object that names none; a backquote in a patch that kustomize
// quotes in its error does not let the rest of the patch through.
func TestPatchOrderWithComponents(t *testing.T) {
	add := func(name string) string {
		return "- op: add\n  path: /spec/containers/-\n  value: {name: " + name + ", image: a:1, securityContext: {privileged: true}}\n"
	}
	dir := kustomization(t, map[string]string{
		"base/kustomization.yaml": "resources:\n- pod.yaml\npatches:\n- path: add.yaml\n  target: {kind: Pod}\n",
		"base/pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: a:1}\n",
		"base/add.yaml":           add("frombase"),
		"comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: add.yaml\n  target: {kind: Pod}\n",
		"comp/add.yaml":           add("fromcomp"),
		"ov/kustomization.yaml":   "resources:\n- ../base\ncomponents:\n- ../comp\npatches:\n- path: ns.yaml\n",
		"ov/ns.yaml":              "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  hostNetwork: true\n",
		"bq/kustomization.yaml":   "resources:\n- pod.yaml\npatches:\n- path: x.yaml\n  patch: |-\n    apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    data: {v: \"pre`BackquotePassword\"}\n",
		"bq/pod.yaml":             "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
		"bq/x.yaml":               "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
	})
	inv := Build(filepath.Join(dir, "ov"), Options{})
	noErrors(t, inv)
	o := inv.Objects[0]
	for path, want := range map[string]string{
		"spec.containers[1].securityContext.privileged": "base/add.yaml:3",
		"spec.containers[2].securityContext.privileged": "comp/add.yaml:3",
		"spec.hostNetwork": "ov/ns.yaml:5",
	} {
		if got := placed(dir, o, path); got != want {
			t.Errorf("%s at %s, want %s", path, got, want)
		}
	}
	inv = Build(filepath.Join(dir, "bq"), Options{})
	if len(inv.Errors) != 1 || strings.Contains(inv.Errors[0].Message, "BackquotePassword") || !strings.Contains(inv.Errors[0].Message, "at the same time") {
		t.Errorf("errors %v, want one saying what went wrong without the patch", inv.Errors)
	}
}
