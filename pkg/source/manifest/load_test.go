package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/kubeharden/kubeharden/internal/testutil"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func names(inv *inventory.Inventory) []string {
	var out []string
	for _, o := range inv.Objects {
		out = append(out, o.Kind+"/"+o.Name)
	}
	return out
}

func errorsOf(inv *inventory.Inventory) []string {
	var out []string
	for _, e := range inv.Errors {
		out = append(out, fmt.Sprintf("%s:%d", filepath.Base(e.File), e.Line))
	}
	return out
}

func TestGoodFiles(t *testing.T) {
	inv := Load([]string{"testdata/good"}, Options{})
	if len(inv.Errors) != 0 {
		t.Fatalf("errors: %v", inv.Errors)
	}
	got := strings.Join(names(inv), " ")
	want := "ServiceMonitor/web Secret/creds Pod/a ConfigMap/b Deployment/web Service/web"
	if got != want {
		t.Fatalf("objects = %s\nwant      %s", got, want)
	}
	if inv.Stats.Files != 3 || inv.Stats.Objects != 6 || inv.Stats.UnknownKinds != 1 || inv.Stats.Unknown["ServiceMonitor"] != 1 {
		t.Errorf("stats = %+v", inv.Stats)
	}
	dep := inv.Get("Deployment", "shop", "web")
	if dep == nil {
		t.Fatal("no Deployment shop/web")
	}
	d := dep.Typed.(*appsv1.Deployment)
	if c := d.Spec.Template.Spec.Containers[0]; c.Image != "nginx:1.27" || !*c.SecurityContext.Privileged {
		t.Errorf("decoded container = %+v", c)
	}
	lines := map[string]int{
		"":              2,
		"metadata.name": 5,
		`metadata.annotations["example.com/owner"]`:                       8,
		"spec.template.spec.containers[0]":                                17,
		"spec.template.spec.containers[0].securityContext.privileged":     20,
		"spec.template.spec.containers[0].securityContext.runAsNonRoot":   19, // absent: its parent
		"spec.template.spec.initContainers[0].securityContext.privileged": 15, // absent: nearest ancestor
	}
	for p, want := range lines {
		if got := dep.Line(p); got != want {
			t.Errorf("line of %q = %d, want %d", p, got, want)
		}
	}
	// The Service lands in "default" and starts after the empty document.
	svc := inv.Get("Service", "default", "web")
	if svc == nil || svc.Origin.Line != 23 || svc.Origin.Doc != 2 {
		t.Fatalf("service = %+v", svc)
	}
	// Objects of a List: lines inside the JSON file, namespaces as declared.
	pod := inv.Get("Pod", "x", "a")
	if pod == nil || pod.Origin.Line != 5 || pod.Line("spec.containers") != 9 {
		t.Fatalf("list item pod = %+v (line %d)", pod, pod.Line("spec.containers[0]"))
	}
}

func TestSecretValuesAreDroppedOnRead(t *testing.T) {
	inv := Load([]string{"testdata/good/crd.yaml"}, Options{})
	s := inv.Get("Secret", "default", "creds").Typed.(*corev1.Secret)
	if _, ok := s.Data["password"]; !ok || len(s.Data["password"]) != 0 {
		t.Errorf("data key must stay, value must go: %v", s.Data)
	}
	if v, ok := s.StringData["token"]; !ok || v != "" {
		t.Errorf("stringData key must stay, value must go: %v", s.StringData)
	}
	if _, ok := s.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
		t.Error("last-applied-configuration of a Secret holds its data and must be dropped")
	}
}

func TestBadInputIsReportedAndTheRestIsRead(t *testing.T) {
	inv := Load([]string{"testdata/bad"}, Options{})
	got := names(inv)
	sort.Strings(got)
	want := []string{"ConfigMap/after", "ConfigMap/before", "ConfigMap/ok", "Pod/fine"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("objects = %v, want %v", got, want)
	}
	wantErrs := map[string]string{
		"bomb.yaml:9":      "document contains excessive aliasing", // refused as a whole, as kubectl does
		"broken.yaml:10":   "",                                     // the flow sequence never closes
		"dupkey.yaml:7":    `mapping key "containers" already defined at line 6`,
		"types.yaml:6":     `spec.replicas: cannot use a string as int32`,
		"types.yaml:13":    "Secret badsecret: data.password",
		"notobject.yaml:6": "document 2 is a list, not a Kubernetes object",
		"notobject.yaml:9": "document 3 has no apiVersion and kind",
	}
	byLine := map[string]string{}
	for _, e := range inv.Errors {
		byLine[fmt.Sprintf("%s:%d", filepath.Base(e.File), e.Line)] = e.Message
	}
	for at, frag := range wantErrs {
		msg, ok := byLine[at]
		if !ok {
			t.Errorf("no error at %s; got %v", at, errorsOf(inv))
			continue
		}
		if !strings.Contains(msg, frag) {
			t.Errorf("error at %s = %q, want it to contain %q", at, msg, frag)
		}
	}
	for _, e := range inv.Errors {
		if strings.Contains(e.Message, "the-real-password") {
			t.Errorf("an error message leaks a Secret value: %s", e.Message)
		}
	}
}

func TestFolderWalk(t *testing.T) {
	inv := Load([]string{"testdata/mixed"}, Options{DefaultNamespace: "team"})
	if got := strings.Join(names(inv), " "); got != "ServiceAccount/app Pod/nested" {
		t.Fatalf("objects = %s", got)
	}
	if len(inv.Errors) != 0 {
		t.Fatalf("a values file found while walking is skipped, not an error: %v", inv.Errors)
	}
	if len(inv.Stats.SkippedFiles) != 1 || filepath.Base(inv.Stats.SkippedFiles[0].File) != "values.yaml" {
		t.Fatalf("skipped = %+v", inv.Stats.SkippedFiles)
	}
	if ns := inv.Objects[0].EffectiveNamespace(); ns != "team" {
		t.Errorf("default namespace = %q", ns)
	}
	// Named explicitly, the same file is an error: the user asked for it to be scanned.
	inv = Load([]string{"testdata/mixed/values.yaml"}, Options{})
	if len(inv.Errors) != 1 || inv.Errors[0].Line != 1 {
		t.Fatalf("explicit non-manifest: %v", inv.Errors)
	}
	// A claimed folder is not descended into.
	inv = Load([]string{"testdata/mixed"}, Options{Dir: func(d string, has func(string) bool) bool {
		return filepath.Base(d) == "sub" && has("pod.yml") && !has("nope.yaml")
	}})
	if got := strings.Join(names(inv), " "); got != "ServiceAccount/app" {
		t.Fatalf("objects with sub claimed = %s", got)
	}
}

func TestStdinMissingFilesAndSizeLimit(t *testing.T) {
	in := bytes.NewBufferString("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fromstdin\n")
	inv := Load([]string{"-", "testdata/does-not-exist.yaml", "testdata/good/multi.yaml"}, Options{Stdin: in, MaxFileSize: 200})
	if got := strings.Join(names(inv), " "); got != "Namespace/fromstdin" {
		t.Fatalf("objects = %s", got)
	}
	if inv.Objects[0].Origin.File != StdinName {
		t.Errorf("stdin file name = %q", inv.Objects[0].Origin.File)
	}
	if len(inv.Errors) != 2 || !strings.Contains(inv.Errors[0].Message, "no such file") || !strings.Contains(inv.Errors[1].Message, "limit") {
		t.Fatalf("errors = %v", inv.Errors)
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "x.yaml")
	if err := os.WriteFile(p, []byte("kind: Pod\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	inv := Load([]string{dir}, Options{})
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Message, "permission denied") {
		t.Fatalf("errors = %v", inv.Errors)
	}
}

// TestOrderIsTheWalksWhateverFinishesFirst: files are read while the walk goes on, by several
// workers; objects and errors must still come out in the walk's lexical order, every time.
func TestOrderIsTheWalksWhateverFinishesFirst(t *testing.T) {
	dir := t.TempDir()
	var want, wantErrs []string
	for d := range 12 {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", d), "inner")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 15 {
			name := fmt.Sprintf("f%02d", f)
			body := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%02d-%02d\n", d, f)
			if f%7 == 3 {
				body = "a: [unclosed\n" // an input error, reported in its place
				wantErrs = append(wantErrs, name+".yaml:1")
			} else {
				want = append(want, fmt.Sprintf("ConfigMap/c%02d-%02d", d, f))
			}
			// Sizes vary so that the workers finish out of order.
			body += strings.Repeat("# padding\n", (f*37+d*11)%200)
			if err := os.WriteFile(filepath.Join(sub, name+".yaml"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 5 {
		inv := Load([]string{dir}, Options{Workers: 4})
		if got := names(inv); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("objects out of order:\n got %v\nwant %v", got, want)
		}
		if got := errorsOf(inv); strings.Join(got, " ") != strings.Join(wantErrs, " ") {
			t.Fatalf("errors out of order:\n got %v\nwant %v", got, wantErrs)
		}
	}
}

// TestUnknownKindAPIVersionLine: an object of a kind the loader does not decode still has its
// apiVersion's line, which checks of any object report on, also when another key comes first;
// it costs an index only then.
func TestUnknownKindAPIVersionLine(t *testing.T) {
	inv := Parse("crd.yaml", []byte("kind: Widget\napiVersion: example.com/v1beta1\nmetadata: {name: w}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: v}\n"), "", Options{})
	if len(inv.Objects) != 2 {
		t.Fatalf("%d objects", len(inv.Objects))
	}
	first, second := inv.Objects[0], inv.Objects[1]
	if got := first.Line("apiVersion"); got != 2 || first.Origin.Line != 1 {
		t.Errorf("apiVersion after kind: line %d (object at %d), want 2", got, first.Origin.Line)
	}
	if got := second.Line("apiVersion"); got != 5 || second.Lines != nil {
		t.Errorf("apiVersion first: line %d, index %v; want 5 and no index", got, second.Lines)
	}
}

// TestTagErrorsDoNotQuoteValues: a scalar that does not fit its explicit tag is a parse error,
// met before the document's kind is known, so its value is never quoted: in a Secret it is the
// secret. So are a value read as an alias or a tag, and a value of the wrong type in any field
// (package redact has the messages' other forms).
func TestTagErrorsDoNotQuoteValues(t *testing.T) {
	for _, doc := range []string{
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  p: !!int SUPERSECRET1\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n  stringData: {p: !!float \"SUPER\\\"SECRET2\"}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    command: \"--db-password=SUPERSECRET3\"\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  p: *SUPERSECRET4\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  p: !SUPER!SECRET5\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n  volumes:\n  - name: v\n    csi: {driver: d, volumeAttributes: {password: 98765432101234}}\n",
	} {
		inv := Parse("s.yaml", []byte(doc), "", Options{})
		if len(inv.Errors) == 0 {
			t.Fatalf("no error for %q", doc)
		}
		for _, e := range inv.Errors {
			if strings.Contains(e.Message, "SUPER") || strings.Contains(e.Message, "SECRET") || strings.Contains(e.Message, "98765432") {
				t.Errorf("error quotes the value: %s", e.Message)
			}
		}
	}
}

// TestEachFileReadOnce: a file named twice, in different spellings, or named and met again in
// a named folder, is read once, so its findings are not reported and counted twice.
func TestEachFileReadOnce(t *testing.T) {
	abs, err := filepath.Abs("testdata/mixed/sub/pod.yml")
	if err != nil {
		t.Fatal(err)
	}
	inv := Load([]string{"testdata/mixed/sub/pod.yml", "./testdata/mixed/sub/pod.yml", abs, "testdata/mixed", "testdata/mixed/"}, Options{})
	if got := strings.Join(names(inv), " "); got != "Pod/nested ServiceAccount/app" || inv.Stats.Files != 3 || len(inv.Stats.SkippedFiles) != 1 {
		t.Errorf("objects %s from %d files (%d skipped), want Pod/nested ServiceAccount/app from 3 (values.yaml skipped once)", got, inv.Stats.Files, len(inv.Stats.SkippedFiles))
	}
	// Named after its folder, a file is still read as named: values.yaml is then an error, not
	// a skipped file, in either order.
	for _, args := range [][]string{{"testdata/mixed", "testdata/mixed/values.yaml"}, {"testdata/mixed/values.yaml", "testdata/mixed"}} {
		inv := Load(args, Options{})
		if len(inv.Errors) != 1 || len(inv.Stats.SkippedFiles) != 0 || inv.Stats.Files != 3 {
			t.Errorf("%q: %d errors, %d skipped, %d files; want values.yaml as an error", args, len(inv.Errors), len(inv.Stats.SkippedFiles), inv.Stats.Files)
		}
	}
}

// TestLinkedFolderIsListed: a link to a folder met while walking is not followed, and it is
// listed among the skipped files rather than passed over; a link to a manifest is read.
func TestLinkedFolderIsListed(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	pod := []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
	if err := os.WriteFile(filepath.Join(outside, "pod.yaml"), pod, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{outside, "linked"}, {outside, "linked.yaml"}, {filepath.Join(outside, "pod.yaml"), "file.yaml"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	inv := Load([]string{dir}, Options{})
	skipped := skippedFiles(inv)
	if len(inv.Objects) != 1 || len(skipped) != 2 || !strings.Contains(skipped[0], "linked: a link to a folder") || !strings.HasPrefix(skipped[1], "linked.yaml:") {
		t.Errorf("%d objects, skipped %q; want the linked file read and both folder links listed", len(inv.Objects), skipped)
	}
}

// TestChartArchiveIsListed: a packaged chart met while walking a folder is not rendered, but it
// is listed among the skipped files with the reason, not passed over in silence.
func TestChartArchiveIsListed(t *testing.T) {
	dir := testutil.WriteTree(t, map[string]string{
		"a.yaml":          "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
		"shop-0.1.0.tgz":  "not really gzip",
		"db-1.0.0.tar.gz": "not really gzip",
		"notes.txt":       "other files are passed over",
		"sub/cache-2.TGZ": "not really gzip",
	})
	inv := Load([]string{dir}, Options{})
	var skipped []string
	for _, sf := range inv.Stats.SkippedFiles {
		if !strings.Contains(sf.Reason, "packaged Helm chart") || !strings.Contains(sf.Reason, "name it to scan it") {
			t.Errorf("%s skipped because %q", sf.File, sf.Reason)
		}
		skipped = append(skipped, filepath.Base(sf.File))
	}
	if len(inv.Errors) > 0 || len(inv.Objects) != 1 || inv.Stats.Files != 1 ||
		strings.Join(skipped, " ") != "db-1.0.0.tar.gz shop-0.1.0.tgz cache-2.TGZ" {
		t.Errorf("errors %v, %d objects from %d files, skipped %q; want the Pod and the three archives listed", inv.Errors, len(inv.Objects), inv.Stats.Files, skipped)
	}
}

// TestHalfAnObjectIsAnError: a document with a kind but no apiVersion (or the reverse) is a
// manifest with a mistake, so even in a file found in a folder it is an error, not a file
// skipped as holding no Kubernetes objects.
func TestHalfAnObjectIsAnError(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"list.yaml":   "kind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: inlist}\n",
		"pod.yaml":    "kind: Pod\nmetadata: {name: p}\n",
		"api.yaml":    "apiVersion: v1\nmetadata: {name: p}\n",
		"listy.yaml":  "apiVersion: v1\nkind: [Pod]\n",
		"values.yaml": "replicas: 2\nimage: {tag: latest}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv := Load([]string{dir}, Options{})
	var errs []string
	for _, e := range inv.Errors {
		errs = append(errs, fmt.Sprintf("%s:%d %s", filepath.Base(e.File), e.Line, e.Message))
	}
	sort.Strings(errs)
	want := []string{"api.yaml:1 document 1 has no kind", "list.yaml:1 document 1 has no apiVersion", "listy.yaml:1 document 1 has no kind", "pod.yaml:1 document 1 has no apiVersion"}
	if len(errs) != len(want) {
		t.Fatalf("errors %q, want %d", errs, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(errs[i], want[i]) {
			t.Errorf("error %q, want it to start with %q", errs[i], want[i])
		}
	}
	if len(inv.Stats.SkippedFiles) != 1 || filepath.Base(inv.Stats.SkippedFiles[0].File) != "values.yaml" {
		t.Errorf("skipped %+v, want values.yaml alone", inv.Stats.SkippedFiles)
	}
}

// TestNestedList: a List among a List's items is read like the outer one (kubectl flattens it);
// its objects used to be dropped as one object of an unknown kind.
func TestNestedList(t *testing.T) {
	inv := Parse("n.yaml", []byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: nested}\n  - 7\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: sa}\n"), "", Options{})
	if got := strings.Join(names(inv), " "); got != "Pod/nested ServiceAccount/sa" {
		t.Errorf("objects %s, want Pod/nested ServiceAccount/sa", got)
	}
	if len(inv.Errors) != 1 || inv.Errors[0].Line != 10 || !strings.Contains(inv.Errors[0].Message, "List item 0 item 1 is a") {
		t.Errorf("errors %v, want the scalar at line 10", inv.Errors)
	}
	if inv.Stats.UnknownKinds != 0 {
		t.Errorf("unknown kinds %v", inv.Stats.Unknown)
	}
}

// TestUnknownFieldIsAnError: a field the kind does not have (a typo, a field of an older API
// version) is an error at its line, as kubectl's strict validation refuses it, and the object is
// still assessed as decoded without it.
func TestUnknownFieldIsAnError(t *testing.T) {
	// The second unknown field's value is a block on the lines below: the error names the key's line.
	inv := Parse("pod.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securitycontext: {privileged: true}\n  tolerationz:\n  - key: a\n"), "", Options{})
	if len(inv.Objects) != 1 {
		t.Fatalf("%d objects, want the pod", len(inv.Objects))
	}
	if len(inv.Errors) != 2 || inv.Errors[0].Line != 8 || inv.Errors[0].Message != "Pod p: spec.containers[0].securitycontext: unknown field, ignored (kubectl refuses it)" ||
		inv.Errors[1].Line != 9 || !strings.Contains(inv.Errors[1].Message, "spec.tolerationz: unknown field") {
		t.Errorf("errors %+v", inv.Errors)
	}
}

// TestNullDocumentIsEmpty: a document of "null" or "~" alone is empty, as kubectl takes it.
func TestNullDocumentIsEmpty(t *testing.T) {
	inv := Parse("n.yaml", []byte("null\n---\n~\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n7\n"), "", Options{})
	if len(inv.Objects) != 1 || len(inv.Errors) != 1 || inv.Errors[0].Line != 9 {
		t.Errorf("objects %d, errors %+v; want the ServiceAccount and one error, for the 7 on line 9", len(inv.Objects), inv.Errors)
	}
}

// TestUnknownFieldLineWithMergeKey: in a mapping that also merges another (<<:), an unknown
// field is still reported at its key's line.
func TestUnknownFieldLineWithMergeKey(t *testing.T) {
	inv := Parse("pod.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nbase: &base {restartPolicy: Always}\nspec:\n  <<: *base\n  tolerationz:\n  - key: a\n  containers: [{name: c, image: nginx}]\n"), "", Options{})
	var got []string
	for _, e := range inv.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.Message))
	}
	want := "7 Pod p: spec.tolerationz: unknown field, ignored (kubectl refuses it)"
	if !slices.Contains(got, want) {
		t.Errorf("errors %q, want %q among them", got, want)
	}
}

// TestNoSuchKindIsAnError: a kind that its built-in group version does not have is a mistake
// kubectl refuses, reported at the kind's line with the kind it most likely meant; it is not
// counted among the kinds no check reads. Custom resources, and removed kinds that the
// deprecated-API control reports, are still read as before.
func TestNoSuchKindIsAnError(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deploymnet
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
---
apiVersion: v1
metadata: {name: p}
kind: Pods
---
apiVersion: v1
kind: pod
metadata: {name: q}
---
apiVersion: v1
kind: Deployment
---
apiVersion: example.com/v1
kind: Deploymnet
metadata: {name: custom}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: old}
`
	inv := Parse("typo.yaml", []byte(src), "", Options{})
	var got []string
	for _, e := range inv.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.Message))
	}
	want := []string{
		`2 Deploymnet web: "apps/v1" has no kind "Deploymnet"; did you mean "Deployment"? (kubectl refuses it; object not assessed)`,
		`11 Pods p: "v1" has no kind "Pods"; did you mean "Pod"? (kubectl refuses it; object not assessed)`,
		`14 pod q: "v1" has no kind "pod"; did you mean "Pod"? (kubectl refuses it; object not assessed)`,
		`18 Deployment: "v1" has no kind "Deployment"; did you mean apiVersion "apps/v1"? (kubectl refuses it; object not assessed)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := names(inv); !slices.Equal(n, []string{"Deploymnet/custom", "PodSecurityPolicy/old"}) {
		t.Errorf("objects %v, want the custom resource and the removed PodSecurityPolicy", n)
	}
	if inv.Stats.UnknownKinds != 2 || inv.Stats.Documents != 6 {
		t.Errorf("stats %+v", inv.Stats)
	}
}

// TestLinkedFileReadOnce: a link to a file that the scan also reads as itself, or through an
// earlier link, is listed as skipped rather than read a second time (its findings would be
// reported and counted twice), wherever it comes in the walk's order.
func TestLinkedFileReadOnce(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	write := func(p, name string) {
		body := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "real.yaml"), "real")
	write(filepath.Join(outside, "other.yaml"), "other")
	for _, l := range [][2]string{
		{"real.yaml", "alias.yaml"}, // before its target in the walk
		{filepath.Join(dir, "real.yaml"), "zz.yaml"},
		{filepath.Join(outside, "other.yaml"), "link1.yaml"},
		{filepath.Join(outside, "other.yaml"), "link2.yaml"},
	} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	inv := Load([]string{dir}, Options{})
	skipped := skippedFiles(inv)
	got := fmt.Sprintf("%s; files %d; skipped %q", strings.Join(names(inv), " "), inv.Stats.Files, skipped)
	want := fmt.Sprintf("ConfigMap/other ConfigMap/real; files 2; skipped %q", []string{
		"alias.yaml: a link to " + filepath.Join(dir, "real.yaml") + ", which is read; not read twice",
		"link2.yaml: a link to " + filepath.Join(dir, "link1.yaml") + ", which is read; not read twice",
		"zz.yaml: a link to " + filepath.Join(dir, "real.yaml") + ", which is read; not read twice",
	})
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(inv.Errors) != 0 {
		t.Errorf("errors %v", inv.Errors)
	}
}

// TestNamedLinkReadOnce: a file named under two names (one a link to it), or named under one
// name and met in a named folder under another, is read once, as the first name it is named by,
// whatever the order of the arguments.
func TestNamedLinkReadOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "z.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{"z.yaml", "a.yaml"}, {"a.yaml", "b.yaml"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	z, a := filepath.Join(dir, "z.yaml"), filepath.Join(dir, "a.yaml")
	for _, args := range [][]string{{z, a}, {a, z}, {dir, a}, {a, dir}, {z, dir}} {
		inv := Load(args, Options{})
		if n := names(inv); len(n) != 1 || inv.Stats.Files != 1 || len(inv.Errors) != 0 {
			skipped := skippedFiles(inv)
			t.Errorf("scan %q: objects %v, files %d, errors %v, skipped %q; want the file read once", args, n, inv.Stats.Files, inv.Errors, skipped)
		}
	}
}

// TestSkipJudgesLinks: Options.Skip is asked about a link met in a folder as about any file
// (a configuration file that is itself a link is not read as a manifest), and about the file
// a link leads to (a link to a configuration file is not read either).
func TestSkipJudgesLinks(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "kh.yaml"), []byte("minSeverity: high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{
		{filepath.Join(outside, "kh.yaml"), "config.yaml"}, // a link to a configuration file
		{filepath.Join(dir, "app.yaml"), "plain.yaml"},     // a link to a manifest: read
	} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	// The configuration file is known by its name, as the command's own rule knows it.
	skip := func(p string) string {
		if filepath.Base(p) == "kh.yaml" || filepath.Base(p) == "config.yaml" {
			return "configuration"
		}
		return ""
	}
	inv := Load([]string{dir}, Options{Skip: skip})
	got := fmt.Sprintf("%s; files %d; skipped %q", strings.Join(names(inv), " "), inv.Stats.Files, skippedFiles(inv))
	want := fmt.Sprintf("ConfigMap/app; files 1; skipped %q", []string{
		"config.yaml: configuration",
		"plain.yaml: a link to " + filepath.Join(dir, "app.yaml") + ", which is read; not read twice",
	})
	if got != want {
		t.Errorf("named link: got  %s\nwant %s", got, want)
	}

	// Named otherwise, the link is judged by the file it leads to.
	skip = func(p string) string {
		if filepath.Base(p) == "kh.yaml" {
			return "configuration"
		}
		return ""
	}
	inv = Load([]string{dir}, Options{Skip: skip})
	target, err := filepath.EvalSymlinks(filepath.Join(outside, "kh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if sk := skippedFiles(inv); len(sk) != 2 || sk[0] != "config.yaml: a link to "+target+": configuration" {
		t.Errorf("link to a configuration file: skipped %q, want it listed with the file it leads to", sk)
	}
}

// skippedFiles lists the files a load skipped as "base name: reason".
func skippedFiles(inv *inventory.Inventory) []string {
	var skipped []string
	for _, sf := range inv.Stats.SkippedFiles {
		skipped = append(skipped, filepath.Base(sf.File)+": "+sf.Reason)
	}
	return skipped
}

// TestJSONByContent: a file is read as JSON by what it holds, not by its name, as kubectl
// reads it. A ".json" file that holds YAML keeps the tabs of its block scalars (the tabs that
// JSON allows between tokens are turned into spaces only in JSON streams), and a JSON stream
// after a byte order mark is read value by value.
func TestJSONByContent(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"yaml.json":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tabs\ndata:\n  script: |\n    a\tb\n",
		"stream.yaml": "\ufeff{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\"}}\n{\"apiVersion\":\t\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"two\"}}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv := Load([]string{dir}, Options{})
	if len(inv.Errors) != 0 {
		t.Fatalf("errors %v", inv.Errors)
	}
	if n := names(inv); !slices.Equal(n, []string{"ConfigMap/one", "ConfigMap/two", "ConfigMap/tabs"}) {
		t.Fatalf("objects %v", n)
	}
	for _, o := range inv.Objects {
		if o.Name != "tabs" {
			continue
		}
		cm, ok := o.Typed.(*corev1.ConfigMap)
		if !ok {
			t.Fatalf("tabs decoded as %T", o.Typed)
		}
		if got := cm.Data["script"]; got != "a\tb\n" {
			t.Errorf("script %q, want the tab kept", got)
		}
	}
}

// TestUTF16: a file in UTF-16 with a byte order mark is read as kubectl reads it, decoded, with
// its lines; JSON's escaped surrogate pairs (Python's json.dumps writes them) are characters.
func TestUTF16(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n  k: \"é\"\n"
	enc := func(bigEndian bool) []byte {
		b := []byte{0xFF, 0xFE}
		if bigEndian {
			b = []byte{0xFE, 0xFF}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			if bigEndian {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return b
	}
	for _, be := range []bool{false, true} {
		inv := Parse("w.yaml", enc(be), "", Options{})
		if len(inv.Errors) != 0 || len(inv.Objects) != 1 {
			t.Fatalf("big endian %v: errors %v, objects %d", be, inv.Errors, len(inv.Objects))
		}
		o := inv.Objects[0]
		if cm := o.Typed.(*corev1.ConfigMap); cm.Data["k"] != "é" || o.Line("data.k") != 6 {
			t.Errorf("big endian %v: data %q at line %d", be, cm.Data, o.Line("data.k"))
		}
	}
	inv := Parse("e.json", []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"e"},"data":{"k":"\ud83d\ude80"}}`), "", Options{})
	if len(inv.Errors) != 0 || len(inv.Objects) != 1 || inv.Objects[0].Typed.(*corev1.ConfigMap).Data["k"] != "🚀" {
		t.Errorf("escaped surrogate pair: errors %v, objects %v", inv.Errors, inv.Objects)
	}
}

// TestListItemMissingIdentity: a List item without an apiVersion, or without a kind, is told
// apart from one with neither.
func TestListItemMissingIdentity(t *testing.T) {
	inv := Parse("l.yaml", []byte("apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  metadata: {name: b}\n- metadata: {name: c}\n"), "", Options{})
	var got []string
	for _, e := range inv.Errors {
		got = append(got, fmt.Sprintf("%d: %s", e.Line, e.Message))
	}
	want := []string{"4: List item 0 has no apiVersion (or not as a string)", "6: List item 1 has no kind (or not as a string)", "8: List item 2 has no apiVersion and kind"}
	if !slices.Equal(got, want) {
		t.Errorf("errors %q\nwant   %q", got, want)
	}
}

// TestEmptyFilesListed: a file with no document at all (empty, comments, "---" alone) is read
// and listed as skipped, so that it is not taken for a clean one.
func TestEmptyFilesListed(t *testing.T) {
	dir := testutil.WriteTree(t, map[string]string{
		"empty.yaml":   "",
		"comment.yaml": "# nothing\n",
		"dashes.yaml":  "---\n---\n",
		"cm.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
	})
	inv := Load([]string{dir}, Options{})
	sk := skippedFiles(inv)
	want := []string{"comment.yaml: no Kubernetes objects (empty, or only comments)", "dashes.yaml: no Kubernetes objects (empty, or only comments)", "empty.yaml: no Kubernetes objects (empty, or only comments)"}
	if !slices.Equal(sk, want) || inv.Stats.Files != 4 || len(inv.Errors) != 0 {
		t.Errorf("skipped %q, files %d, errors %v", sk, inv.Stats.Files, inv.Errors)
	}
}
