package pod

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// controls are the section-1 controls this package implements; each has testdata/<ID>.yaml.
var controls = []string{
	"PS-01", "PS-02", "PS-03", "PS-06", "PS-09", "PS-34", "PS-14", "PS-15", "PS-16", "PS-17",
	"PS-18", "PS-19", "PS-20", "PS-21", "PS-22", "PS-33", "PS-23", "PS-24", "PS-25", "PS-26",
	"PS-35", "PS-27", "PS-28", "PS-29", "PS-40", "PS-41",
}

func TestRegisteredChecksAreTheCatalogsControls(t *testing.T) {
	var got []string
	for _, c := range checks.All() {
		got = append(got, c.ID)
	}
	want := slices.Clone(controls)
	slices.SortFunc(want, func(a, b string) int {
		if catalog.LessID(a, b) {
			return -1
		}
		return 1
	})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("registered %v, want %v", got, want)
	}
	cat := catalog.Default()
	for _, id := range controls {
		c := cat.Get(id)
		if c == nil || c.Section != catalog.SectionPodSecurity {
			t.Errorf("%s is not a pod-security control of the catalog", id)
		}
	}
}

// TestFixtures runs every control over its testdata file: fail-* objects must fail, pass-*
// pass, skip-* be skipped or unmatched.
func TestFixtures(t *testing.T) {
	for _, id := range controls {
		t.Run(id, func(t *testing.T) {
			path := "testdata/" + id + ".yaml"
			outs := checktest.Expect(t, id, path)
			for name, o := range outs {
				for _, f := range o.Failures {
					if f.Path == "" || f.Message == "" {
						t.Errorf("%s %s: failure without path or message: %+v", id, name, f)
					}
				}
			}
			// Every fixture has at least one failing and one passing object.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "name: fail-") || !strings.Contains(string(data), "name: pass-") {
				t.Errorf("%s needs fail-* and pass-* objects", path)
			}
		})
	}
}

// failure is an expected failure: its path, and for PS-19 its severity.
type failure struct {
	path string
	sev  catalog.Severity
}

func p(paths ...string) []failure {
	out := make([]failure, len(paths))
	for i, s := range paths {
		out[i] = failure{path: s}
	}
	return out
}

// TestFailurePaths pins the exact failures, in order, for the cases where where a finding
// points is the interesting part: inheritance, init and ephemeral containers, nesting,
// annotations, spellings.
func TestFailurePaths(t *testing.T) {
	cases := []struct {
		id, object string
		want       []failure
	}{
		{"PS-01", "fail-nothing-set", p("spec.containers[0].securityContext.runAsNonRoot", "spec.containers[1].securityContext.runAsNonRoot")},
		{"PS-01", "fail-container-uid0", p("spec.containers[0].securityContext.runAsUser")},
		{"PS-01", "fail-pod-uid0", p("spec.containers[2].securityContext.runAsUser", "spec.securityContext.runAsUser")},
		{"PS-01", "fail-nonroot-false", p("spec.containers[0].securityContext.runAsNonRoot")},
		{"PS-01", "fail-init-overrides-pod", p("spec.initContainers[0].securityContext.runAsNonRoot")},
		{"PS-01", "fail-ephemeral", p("spec.ephemeralContainers[0].securityContext.runAsUser")},
		{"PS-01", "fail-cronjob", p("spec.jobTemplate.spec.template.spec.containers[0].securityContext.runAsNonRoot")},
		{"PS-01", "fail-deployment-pod-nonroot-false", p("spec.template.spec.securityContext.runAsNonRoot")},
		{"PS-02", "fail-pod-group0", p("spec.securityContext.runAsGroup")},
		{"PS-02", "fail-container-group0", p("spec.initContainers[0].securityContext.runAsGroup")},
		{"PS-02", "fail-supplemental-and-fsgroup", p("spec.template.spec.securityContext.supplementalGroups[1]", "spec.template.spec.securityContext.fsGroup")},
		{"PS-03", "fail-pod-low-uid", p("spec.securityContext.runAsUser")},
		{"PS-03", "fail-boundary-1", p("spec.containers[0].securityContext.runAsUser")},
		{"PS-06", "fail-init-only", p("spec.initContainers[0].securityContext.readOnlyRootFilesystem")},
		{"PS-09", "fail-port-no-tag", p("spec.containers[0].image")},
		{"PS-09", "fail-latest", p("spec.initContainers[0].image")},
		{"PS-09", "fail-podtemplate", p("template.spec.containers[0].image")},
		{"PS-34", "fail-ephemeral", p("spec.ephemeralContainers[0].image")},
		{"PS-09", "fail-no-image", p("spec.template.spec.containers[1].image")},
		{"PS-34", "fail-empty-image", p("spec.template.spec.containers[0].image")},
		{"PS-14", "fail-privileged", p("spec.containers[1].securityContext.privileged")},
		{"PS-14", "fail-daemonset-init", p("spec.template.spec.initContainers[0].securityContext.privileged")},
		{"PS-15", "fail-job", p("spec.template.spec.hostPID")},
		{"PS-16", "fail-hostipc", p("spec.hostIPC")},
		{"PS-17", "fail-replicaset", p("spec.template.spec.hostNetwork")},
		{"PS-18", "fail-share", p("spec.shareProcessNamespace")},
		{"PS-19", "fail-docker-socket-readonly", []failure{{"spec.volumes[0].hostPath", catalog.SeverityCritical}}},
		{"PS-19", "fail-tiers", []failure{
			{"spec.volumes[1].hostPath", catalog.SeverityHigh},     // /srv/data, written by the init container
			{"spec.volumes[2].hostPath", catalog.SeverityMedium},   // /var/log/app, read-only
			{"spec.volumes[3].hostPath", catalog.SeverityCritical}, // /etc/
			{"spec.volumes[4].hostPath", catalog.SeverityCritical}, // containerd socket
			{"spec.volumes[5].hostPath", catalog.SeverityCritical}, // below /var/lib/kubelet
			{"spec.volumes[6].hostPath", catalog.SeverityCritical}, // k3s containerd socket
			{"spec.volumes[7].hostPath", catalog.SeverityCritical}, // CRI-O socket directory
			{"spec.volumes[8].hostPath", catalog.SeverityCritical}, // /
		}},
		{"PS-19", "fail-ephemeral-writable", []failure{{"spec.template.spec.volumes[0].hostPath", catalog.SeverityHigh}}},
		{"PS-20", "fail-hostport", p("spec.containers[0].ports[1].hostPort")},
		{"PS-21", "fail-unset", p("spec.containers[0].securityContext.allowPrivilegeEscalation")},
		{"PS-21", "fail-privileged-implies", p("spec.containers[0].securityContext.privileged")},
		{"PS-21", "fail-sys-admin-implies", p("spec.containers[0].securityContext.capabilities.add[1]")},
		{"PS-21", "fail-ephemeral-unset", p("spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation")},
		{"PS-22", "fail-spellings", p(
			"spec.containers[0].securityContext.capabilities.add[0]",
			"spec.containers[0].securityContext.capabilities.add[1]",
			"spec.containers[0].securityContext.capabilities.add[2]",
			"spec.containers[0].securityContext.capabilities.add[4]")},
		{"PS-22", "fail-init-ptrace", p("spec.initContainers[0].securityContext.capabilities.add[0]")},
		{"PS-33", "fail-no-capabilities", p("spec.containers[0].securityContext.capabilities.drop")},
		{"PS-33", "fail-drop-some-add-chown", p("spec.containers[0].securityContext.capabilities.drop", "spec.containers[0].securityContext.capabilities.add[0]")},
		{"PS-23", "fail-unset", p("spec.containers[0].securityContext.seccompProfile", "spec.containers[1].securityContext.seccompProfile")},
		{"PS-23", "fail-pod-unconfined", p("spec.securityContext.seccompProfile.type")},
		{"PS-23", "fail-container-unconfined", p("spec.initContainers[0].securityContext.seccompProfile.type")},
		{"PS-23", "fail-legacy-annotations", p(
			`spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`,
			`spec.template.metadata.annotations["container.seccomp.security.alpha.kubernetes.io/debug"]`)},
		{"PS-23", "fail-legacy-annotations-only", p(
			`metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`,
			`metadata.annotations["container.seccomp.security.alpha.kubernetes.io/local"]`)},
		{"PS-23", "fail-localhost-without-profile", p("spec.containers[1].securityContext.seccompProfile.type", "spec.securityContext.seccompProfile.type")},
		{"PS-24", "fail-legacy-unconfined", p(`metadata.annotations["container.apparmor.security.beta.kubernetes.io/nginx"]`)},
		{"PS-24", "fail-pod-unconfined", p("spec.securityContext.appArmorProfile.type")},
		{"PS-24", "fail-container-unconfined", p("spec.containers[0].securityContext.appArmorProfile.type")},
		{"PS-24", "fail-annotation-beats-pod-field", p(`metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`)},
		{"PS-25", "fail-pod-spc", p("spec.securityContext.seLinuxOptions.type")},
		{"PS-25", "fail-container-user-role", p("spec.containers[0].securityContext.seLinuxOptions.user", "spec.containers[0].securityContext.seLinuxOptions.role")},
		{"PS-26", "fail-unsafe", p("spec.securityContext.sysctls[1].name")},
		{"PS-35", "fail-unmasked", p("spec.containers[0].securityContext.procMount")},
		{"PS-27", "fail-pod-hostprocess", p("spec.securityContext.windowsOptions.hostProcess")},
		{"PS-27", "fail-container-hostprocess", p("spec.containers[0].securityContext.windowsOptions.hostProcess")},
		{"PS-28", "fail-sa-unset", p("automountServiceAccountToken")},
		{"PS-28", "fail-sa-allows", p("spec.automountServiceAccountToken")},
		{"PS-29", "fail-unset", p("spec.serviceAccountName")},
		{"PS-40", "fail-host-network", p("spec.hostNetwork")},
		{"PS-40", "fail-ephemeral-only", p("spec.ephemeralContainers[0].securityContext.seLinuxOptions.type")},
		{"PS-40", "fail-many", p(
			`spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`,
			"spec.template.spec.initContainers[0].securityContext.capabilities.add[0]",
			"spec.template.spec.hostPID",
			"spec.template.spec.volumes[0]",
			"spec.template.spec.containers[0].ports[0].hostPort",
			"spec.template.spec.containers[0].livenessProbe.httpGet.host",
			"spec.template.spec.containers[0].securityContext.privileged",
			"spec.template.spec.securityContext.sysctls[0].name")},
		{"PS-41", "fail-lowercase-all", p("spec.containers[0].securityContext.capabilities.drop")},
		{"PS-41", "fail-cronjob-nfs", p("spec.jobTemplate.spec.template.spec.volumes[0]")},
	}
	outcomes := map[string]map[string]checktest.Outcome{}
	for _, tc := range cases {
		outs, ok := outcomes[tc.id]
		if !ok {
			outs = checktest.ByName(checktest.Run(t, tc.id, checktest.Load(t, "testdata/"+tc.id+".yaml")))
			outcomes[tc.id] = outs
		}
		o, ok := outs[tc.object]
		if !ok {
			t.Errorf("%s: no object %s", tc.id, tc.object)
			continue
		}
		var got []failure
		for _, f := range o.Failures {
			fl := failure{path: f.Path}
			if tc.id == "PS-19" {
				fl.sev = f.Severity
			}
			got = append(got, fl)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s:\n got  %v\n want %v\n messages %v", tc.id, tc.object, got, tc.want, messages(o))
		}
	}
}

func messages(o checktest.Outcome) []string {
	var m []string
	for _, f := range o.Failures {
		m = append(m, f.Message)
	}
	return m
}

// TestMessages pins the wording of a few findings: they name the container, say what is wrong,
// and for inherited values name every heir.
func TestMessages(t *testing.T) {
	cases := []struct{ id, object, want string }{
		{"PS-14", "fail-privileged", `container "nginx" is privileged`},
		{"PS-14", "fail-daemonset-init", `init container "sysctl" is privileged`},
		{"PS-01", "fail-pod-uid0", `pod securityContext sets runAsUser 0 (inherited by containers "app", "sidecar")`},
		{"PS-01", "fail-ephemeral", `ephemeral container "debug" runs as root (runAsUser 0)`},
		{"PS-22", "fail-spellings", `container "app" adds the dangerous capability SYS_ADMIN`},
		{"PS-19", "fail-docker-socket-readonly", `volume "sock" mounts the container runtime socket /var/run/docker.sock`},
		{"PS-09", "fail-port-no-tag", `container "app" uses image "localhost:5000/app" with no tag or digest, which means latest`},
		{"PS-09", "fail-no-image", `container "sidecar" has no image, so no tag or digest says what it runs`},
		{"PS-34", "fail-empty-image", `container "app" has no image, so it is not pinned by digest`},
		{"PS-40", "fail-host-network", `[hostNamespaces] host namespaces: hostNetwork=true`},
		{"PS-41", "fail-baseline-clean", `[allowPrivilegeEscalation] allowPrivilegeEscalation != false: container "app" must set securityContext.allowPrivilegeEscalation=false`},
	}
	for _, tc := range cases {
		outs := checktest.ByName(checktest.Run(t, tc.id, checktest.Load(t, "testdata/"+tc.id+".yaml")))
		if m := messages(outs[tc.object]); !slices.Contains(m, tc.want) {
			t.Errorf("%s %s: messages %q lack %q", tc.id, tc.object, m, tc.want)
		}
	}
}

var workloadKinds = []string{"Pod", "PodTemplate", "ReplicationController", "Deployment", "ReplicaSet",
	"StatefulSet", "DaemonSet", "Job", "CronJob"}

// TestMatchesEveryWorkloadKindAndNothingElse: each check matches one object of each of the nine
// workload kinds, and no other kind (PS-28 also matches ServiceAccounts).
func TestMatchesEveryWorkloadKindAndNothingElse(t *testing.T) {
	inv := checktest.Load(t, "testdata/workloads.yaml")
	kinds := map[string]bool{}
	for _, o := range inv.Objects {
		kinds[o.Kind] = true
	}
	for _, k := range workloadKinds {
		if !kinds[k] {
			t.Fatalf("testdata/workloads.yaml lacks a %s", k)
		}
	}
	for _, c := range checks.All() {
		for _, o := range inv.Objects {
			want := slices.Contains(workloadKinds, o.Kind) || (c.ID == "PS-28" && o.Kind == "ServiceAccount")
			if got := c.Match(o); got != want {
				t.Errorf("%s Match(%s) = %v, want %v", c.ID, o.Kind, got, want)
			}
		}
	}
}

// TestNeverFailsObjectsItDoesNotOwn calls Assess directly, bypassing Match, on objects that are
// not workloads: no check may fail them, panic, or call them not assessed.
func TestNeverFailsObjectsItDoesNotOwn(t *testing.T) {
	inv := checktest.Load(t, "testdata/workloads.yaml")
	others := []*inventory.Object{{Kind: "Widget", Name: "untyped"}}
	for _, o := range inv.Objects {
		if !slices.Contains(workloadKinds, o.Kind) && o.Kind != "ServiceAccount" {
			others = append(others, o)
		}
	}
	if len(others) < 4 {
		t.Fatalf("only %d non-workload objects", len(others))
	}
	for _, c := range checks.All() {
		for _, o := range others {
			var a checks.Assessment
			c.Assess(&a, o, inv)
			if len(a.Failures) > 0 || a.NotAssessedReason != "" {
				t.Errorf("%s on %s %s: %+v", c.ID, o.Kind, o.Name, a)
			}
		}
	}
}

// TestPassingPathAllocations guards the hot path: on a hardened pod the container-level checks
// allocate nothing beyond inventory.PodTemplateOf's one PodTemplate.
func TestPassingPathAllocations(t *testing.T) {
	inv := checktest.Load(t, "testdata/workloads.yaml")
	pod := inv.Get("Pod", "app", "pod")
	for _, c := range checks.All() {
		if c.ID == "PS-40" || c.ID == "PS-41" {
			continue // the pod-security-admission library allocates as it sees fit
		}
		var a checks.Assessment
		c.Assess(&a, pod, inv)
		if len(a.Failures) > 0 || a.Skipped {
			t.Fatalf("%s: the hardened pod does not pass: %+v", c.ID, a.Failures)
		}
		allocs := testing.AllocsPerRun(100, func() {
			a.Reset()
			c.Assess(&a, pod, inv)
		})
		if allocs > 1 {
			t.Errorf("%s allocates %.0f times on a passing pod", c.ID, allocs)
		}
	}
}

// TestHardenedPassesEverything: the hardened workloads pass every control, PS-40 and PS-41
// included, so each check's passing path is exercised on realistic objects.
func TestHardenedPassesEverything(t *testing.T) {
	inv := checktest.Load(t, "testdata/hardened.yaml")
	n := 0
	for _, c := range checks.All() {
		for _, o := range inv.Objects {
			if !c.Match(o) {
				continue
			}
			n++
			var a checks.Assessment
			c.Assess(&a, o, inv)
			if len(a.Failures) > 0 || a.Skipped || a.NotAssessedReason != "" {
				t.Errorf("%s on %s %s: %+v", c.ID, o.Kind, o.Name, a)
			}
		}
	}
	if n < 3*len(controls) {
		t.Fatalf("only %d assessments", n)
	}
}

// TestNoImageLine: a container without an image is reported at the image's path, on the
// container's line, where the field belongs.
func TestNoImageLine(t *testing.T) {
	src := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n  - name: b\n    securityContext: {}\n"
	inv := manifest.Parse("p.yaml", []byte(src), "", manifest.Options{})
	if len(inv.Objects) != 1 || len(inv.Errors) != 0 {
		t.Fatalf("objects %d, errors %v", len(inv.Objects), inv.Errors)
	}
	o := inv.Objects[0]
	for _, id := range []string{"PS-09", "PS-34"} {
		c, _ := checks.Lookup(id)
		var a checks.Assessment
		c.Assess(&a, o, inv)
		i := len(a.Failures) - 1
		if i < 0 || a.Failures[i].Path != "spec.containers[1].image" || o.Line(a.Failures[i].Path) != 8 {
			t.Errorf("%s: failures %+v; want the last at spec.containers[1].image, line 8", id, a.Failures)
		}
	}
}
