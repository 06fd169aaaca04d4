// Package reporttest builds the engine results that the report formats' tests share, and compares
// their output with golden files.
//
// Every format renders the same fixture, so a reviewer can read the goldens side by side and see
// one scan told five ways. The fixture runs the real engine over a synthetic inventory with fake
// checks and a catalog of its own: the goldens then change when the engine or a writer changes,
// not when someone rewords a control of the real catalog.
package reporttest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// BaseDir is the repository root the fixture's files live under; pass it as Options.BaseDir so
// reports show paths relative to it. One file lies outside it on purpose.
const BaseDir = "/repo"

// Now is the fixed time of the fixture's run.
var Now = time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)

// TrickyMessage needs escaping in every format: XML and HTML specials, quotes, a backslash,
// non-ASCII letters and a character outside the Basic Multilingual Plane.
const TrickyMessage = `container "app" sets <none> & 'default' as its profile: C:\seccomp — naïve ✓ 𝔘`

// controls is the fixture's catalog: a few controls over three sections, so that one section
// has a score, one has only not-assessed pairs and the others have none.
const controls = `
- id: PS-01
  title: Container may run as root
  section: pod-security
  severity: high
  sources: [manifest, cluster]
  checked: The effective runAsNonRoot and runAsUser of each container.
  rationale: A process running as UID 0 in a container is root on the node's kernel too.
  remediation: Set runAsNonRoot to true and a non-zero runAsUser in the pod's securityContext.
  example: |
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
  references: [kubescape:C-0013, cis:5.2.7, "https://kubernetes.io/docs/concepts/security/pod-security-standards/"]
- id: PS-14
  title: Privileged container
  section: pod-security
  severity: critical
  sources: [manifest, cluster]
  checked: securityContext.privileged of each container.
  rationale: A privileged container has every capability and all host devices.
  remediation: Remove privileged, or set it to false.
  references: [trivy:KSV017]
- id: PS-20
  title: Seccomp profile missing or unconfined
  section: pod-security
  severity: medium
  sources: [manifest, cluster]
  checked: The effective seccompProfile type of each container.
  rationale: Without a seccomp profile every system call of the kernel is reachable.
  remediation: Set seccompProfile.type to RuntimeDefault in the pod's securityContext.
  example: |
    securityContext:
      seccompProfile:
        type: RuntimeDefault
- id: NS-01
  title: Container has no CPU or memory limit
  section: network
  severity: low
  sources: [manifest]
  checked: resources.limits.cpu and resources.limits.memory of each container.
  rationale: A container without limits can starve its neighbours.
  remediation: Set CPU and memory limits.
- id: NS-12
  title: Namespace has no default-deny network policy
  section: network
  severity: medium
  sources: [manifest, cluster]
  checked: The NetworkPolicies of each namespace.
  rationale: Without a default-deny policy every pod accepts traffic from everywhere.
  remediation: Add a NetworkPolicy that selects every pod and allows nothing.
- id: UP-04
  title: Deprecated or removed API version
  section: upgrades
  severity: low
  sources: [manifest, cluster]
  checked: The apiVersion of every object.
  rationale: Objects on removed APIs cannot be applied after an upgrade.
  remediation: Move the object to the current API version.
`

// Catalog returns the fixture's catalog.
func Catalog() *catalog.Catalog {
	cat, err := catalog.Load(fstest.MapFS{"controls/fixture.yaml": {Data: []byte(controls)}})
	if err != nil {
		panic("reporttest: fixture catalog: " + err.Error())
	}
	return cat
}

// object makes a workload with source lines for the given paths.
func object(kind, ns, name, file string, line int, lines map[string]int) *inventory.Object {
	meta := &metav1.ObjectMeta{Name: name, Namespace: ns}
	o := &inventory.Object{APIVersion: "apps/v1", Kind: kind, Namespace: ns, Name: name, Meta: meta, Typed: struct{}{},
		Origin: inventory.Origin{Source: inventory.SourceManifest, File: file, Line: line}}
	if kind == "Pod" {
		o.APIVersion = "v1"
	}
	if len(lines) > 0 {
		o.Lines = &inventory.LineIndex{}
		for p, l := range lines {
			o.Lines.Add(inventory.HashPath(p), l)
		}
		o.Lines.Seal()
	}
	return o
}

const (
	ctr0 = "spec.template.spec.containers[0]"
	ctr1 = "spec.template.spec.containers[1]"
)

// Inventory returns the fixture's objects:
//   - Deployment shop/web: fails PS-01 (tricky message), PS-14, PS-20 twice (one failure with a
//     raised severity) and NS-01; passes nothing.
//   - Deployment shop/legacy: PS-14 exempt by an exception with expiry, owner and ticket; PS-01
//     fails although an expired exception matches it.
//   - Deployment shop/api: passes every control.
//   - Pod kube-system/etcd from a live cluster (no file): fails PS-14.
//   - Deployment tools/outside, in a file outside BaseDir: fails PS-01, without a known line.
//   - The implied Namespaces shop and tools: NS-12 not assessed.
//
// plus an input error with a line, one without, and two skipped files.
func Inventory() *inventory.Inventory {
	inv := &inventory.Inventory{}
	inv.Add(
		object("Deployment", "shop", "web", BaseDir+"/deploy/web.yaml", 3, map[string]int{
			ctr0 + ".securityContext":              20,
			ctr0 + ".securityContext.runAsNonRoot": 21,
			ctr0 + ".securityContext.privileged":   22,
			ctr0 + ".resources":                    25,
			ctr1 + ".securityContext":              31,
		}),
		object("Deployment", "shop", "legacy", BaseDir+"/deploy/legacy.yaml", 1, map[string]int{
			ctr0 + ".securityContext.privileged": 19,
		}),
		object("Deployment", "shop", "api", BaseDir+"/deploy/api.yaml", 1, nil),
		object("Deployment", "tools", "outside", "/elsewhere/outside.yaml", 0, nil),
	)
	etcd := object("Pod", "kube-system", "etcd", "", 0, nil)
	etcd.Origin = inventory.Origin{Source: inventory.SourceCluster, Detail: "cluster prod-eu"}
	inv.Add(etcd)
	inv.Errors = []inventory.InputError{
		{File: BaseDir + "/deploy/broken.yaml", Line: 7, Message: "yaml: mapping values are not allowed in this context"},
		{File: BaseDir + "/charts/app", Message: `helm template failed: template "app/templates/x.yaml" not found`},
	}
	inv.Stats = inventory.Stats{Files: 6, Documents: 7, Objects: 5, Bytes: 4096,
		SkippedFiles: []inventory.SkippedFile{{File: BaseDir + "/README.md", Reason: "not YAML"}, {File: BaseDir + "/deploy/kustomization.yaml", Reason: "no Kubernetes object"}}}
	return inv
}

// Checks returns the fake checks the fixture runs.
func Checks() []checks.Check {
	workloads := func(o *inventory.Object) bool { return o.Kind == "Deployment" || o.Kind == "Pod" }
	podPath := func(o *inventory.Object, p string) string {
		if o.Kind == "Pod" {
			return strings.Replace(p, "spec.template.spec.", "spec.", 1)
		}
		return p
	}
	return []checks.Check{
		{ID: "PS-01", Match: workloads, Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			switch o.Name {
			case "web":
				a.Fail(ctr0+".securityContext.runAsNonRoot", TrickyMessage)
			case "legacy", "outside":
				a.Fail(ctr0+".securityContext.runAsNonRoot", `container "app" may run as root: runAsNonRoot is not set and no runAsUser is given, in the container or in the pod`)
			}
		}},
		{ID: "PS-14", Match: workloads, Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			switch o.Name {
			case "web", "legacy", "etcd":
				a.Fail(podPath(o, ctr0+".securityContext.privileged"), `container "app" is privileged`)
			}
		}},
		{ID: "PS-20", Match: workloads, Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			if o.Name == "web" {
				a.Fail(ctr0+".securityContext", `container "app" has no seccomp profile`)
				a.FailSeverity(catalog.SeverityHigh, ctr1+".securityContext", `container "sidecar" sets seccompProfile.type to Unconfined`)
			}
		}},
		{ID: "NS-01", Match: workloads, Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			if o.Name == "web" {
				a.Fail(ctr0+".resources", `container "app" has no memory limit`)
			}
		}},
		{ID: "NS-12", Match: func(o *inventory.Object) bool { return o.Kind == "Namespace" }, Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			a.NotAssessed("the input does not declare namespace " + o.Name + ", so its network policies may live elsewhere; scan the whole cluster or pass --complete")
		}},
	}
}

// Config returns the fixture's configuration: a current exception with every field and an
// expired one.
func Config() *config.Config {
	return &config.Config{File: BaseDir + "/.kubeharden.yaml", Exceptions: []config.Exception{
		{Controls: []string{"PS-14"}, Namespace: "shop", Name: "legacy", Reason: "needs raw disk access until the storage migration",
			Expires: &config.Date{Time: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}, Owner: "storage-team", Ticket: "SEC-142"},
		{Controls: []string{"PS-01"}, Name: "legacy", Reason: "image still runs as root",
			Expires: &config.Date{Time: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)}},
	}}
}

// Result runs the engine over the fixture. With full, passes and exempt findings are listed
// (--show-passed --show-exempt); without, the result is what a plain scan produces.
func Result(full bool) *engine.Result {
	res, err := engine.Run(Inventory(), engine.Options{Catalog: Catalog(), Checks: Checks(), Config: Config(),
		ShowPassed: full, ShowExempt: full, Now: Now, Workers: 1})
	if err != nil {
		panic("reporttest: " + err.Error())
	}
	return res
}

// Empty is a run that assessed nothing: no object matched a control.
func Empty() *engine.Result {
	res, err := engine.Run(&inventory.Inventory{}, engine.Options{Catalog: Catalog(), Checks: Checks(), Now: Now, Workers: 1})
	if err != nil {
		panic("reporttest: " + err.Error())
	}
	return res
}

// Large hand-builds a result with n failing findings, ten per object, for benchmarks and memory
// tests. It does not run the engine, so building it costs little next to writing it.
func Large(n int) *engine.Result {
	cat := Catalog()
	ctls := cat.All()
	res := &engine.Result{Catalog: cat, Started: Now, Findings: make([]engine.Finding, 0, n),
		Summary: engine.Summary{BySeverity: map[string]int{}}}
	var o *inventory.Object
	for i := range n {
		if i%10 == 0 {
			o = &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: fmt.Sprintf("ns-%d", i/1000), Name: fmt.Sprintf("app-%d", i/10),
				Origin: inventory.Origin{Source: inventory.SourceManifest, File: fmt.Sprintf("%s/deploy/app-%d.yaml", BaseDir, i/10), Line: 1}}
		}
		c := ctls[i%len(ctls)]
		res.Findings = append(res.Findings, engine.Finding{Control: c, Object: o, Status: engine.StatusFail, Severity: c.Severity,
			Path: fmt.Sprintf("spec.template.spec.containers[%d].securityContext", i%10), Line: 10 + i%10,
			Message: fmt.Sprintf(`container "c%d" fails %s`, i%10, c.ID)})
		res.Summary.Fail++
		res.Summary.BySeverity[c.Severity.String()]++
	}
	for _, s := range catalog.Sections {
		res.Summary.Sections = append(res.Summary.Sections, engine.SectionScore{Section: s, Title: s.Title()})
	}
	return res
}

// Golden compares got with testdata/<name>.golden, or rewrites the file when the tests run with
// -update.
func Golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended):\n%s", path, diff(string(want), string(got)))
	}
}

// diff shows the first differing lines, enough to see what changed without a diff library.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(wl), len(gl)) && shown < 10; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, w, g)
			shown++
		}
	}
	return b.String()
}
