package pod

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// The parity tests hold PS-40 and PS-41 to the library's own evaluator: for every pod, the
// failures reported, reason for reason and in order, are what policy.NewEvaluator(
// policy.DefaultChecks(), nil).EvaluatePod + AggregateCheckResults return, given a Pod as its
// admission sees it (admittedPodSpec; test/e2e holds that to a real API server).

func newEvaluator(t testing.TB) policy.Evaluator {
	t.Helper()
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// want returns the library's verdict as "reason: detail" strings (or "reason" alone).
func want(ev policy.Evaluator, lv api.LevelVersion, meta *metav1.ObjectMeta, spec *corev1.PodSpec) []string {
	agg := policy.AggregateCheckResults(ev.EvaluatePod(lv, meta, spec))
	var out []string
	for i, r := range agg.ForbiddenReasons {
		if d := agg.ForbiddenDetails[i]; d != "" {
			r += ": " + d
		}
		out = append(out, r)
	}
	return out
}

// got runs the registered check and returns its messages without the "[checkID] " prefix,
// checking on the way that each failure has a located path.
func got(t *testing.T, id string, o *inventory.Object) []string {
	t.Helper()
	c, _ := checks.Lookup(id)
	var a checks.Assessment
	c.Assess(&a, o, nil)
	if a.NotAssessedReason != "" {
		t.Fatalf("%s not assessed: %s", id, a.NotAssessedReason)
	}
	pt := inventory.PodTemplateOf(o)
	var out []string
	for _, f := range a.Failures {
		checkID, rest, ok := strings.Cut(strings.TrimPrefix(f.Message, "["), "] ")
		if !ok || !strings.HasPrefix(f.Message, "[") {
			t.Fatalf("%s message %q lacks the [checkID] prefix", id, f.Message)
		}
		if _, known := pssLocators[policy.CheckID(checkID)]; known && f.Path == pt.SpecPath {
			t.Errorf("%s on %s: no field located for %s (%s)", id, o.Name, checkID, rest)
		}
		out = append(out, rest)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func assertParity(t *testing.T, ev policy.Evaluator, o *inventory.Object) {
	t.Helper()
	pt := inventory.PodTemplateOf(o)
	spec := pt.Spec
	if o.Kind == "Pod" {
		spec = admittedPodSpec(pt)
	}
	for _, lc := range []struct {
		id    string
		level api.Level
	}{{"PS-40", api.LevelBaseline}, {"PS-41", api.LevelRestricted}} {
		w := want(ev, api.LevelVersion{Level: lc.level, Version: api.LatestVersion()}, pt.Meta, spec)
		g := got(t, lc.id, o)
		if !equal(g, w) {
			t.Errorf("%s on %s:\n got  %q\n want %q", lc.id, o.Name, g, w)
		}
	}
}

func TestPSSParityFixtures(t *testing.T) {
	ev := newEvaluator(t)
	files := []string{"workloads"}
	files = append(files, controls...)
	n := 0
	for _, f := range files {
		for _, o := range checktest.Load(t, "testdata/"+f+".yaml").Objects {
			if checks.Workloads(o) {
				assertParity(t, ev, o)
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d fixture workloads", n)
	}
}

// A variant is a pod built from a base by a list of mutations.
type mutation struct {
	name  string
	apply func(p *corev1.Pod)
}

func ptr[T any](v T) *T { return &v }

func sc(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

func psc(p *corev1.Pod) *corev1.PodSecurityContext {
	if p.Spec.SecurityContext == nil {
		p.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	return p.Spec.SecurityContext
}

func caps(c *corev1.Container) *corev1.Capabilities {
	s := sc(c)
	if s.Capabilities == nil {
		s.Capabilities = &corev1.Capabilities{}
	}
	return s.Capabilities
}

// containerMutations each change one container-level field.
var containerMutations = []struct {
	name  string
	apply func(c *corev1.Container)
}{
	{"privileged", func(c *corev1.Container) { sc(c).Privileged = ptr(true) }},
	{"unprivileged", func(c *corev1.Container) { sc(c).Privileged = ptr(false) }},
	{"ape-true", func(c *corev1.Container) { sc(c).AllowPrivilegeEscalation = ptr(true) }},
	{"ape-false", func(c *corev1.Container) { sc(c).AllowPrivilegeEscalation = ptr(false) }},
	{"ape-unset", func(c *corev1.Container) { sc(c).AllowPrivilegeEscalation = nil }},
	{"add-NET_RAW", func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, "NET_RAW") }},
	{"add-SYS_ADMIN", func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, "SYS_ADMIN") }},
	{"add-CAP_SYS_ADMIN", func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, "CAP_SYS_ADMIN") }},
	{"add-NET_BIND_SERVICE", func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, "NET_BIND_SERVICE") }},
	{"add-CHOWN", func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, "CHOWN") }},
	{"drop-ALL", func(c *corev1.Container) { caps(c).Drop = []corev1.Capability{"ALL"} }},
	{"drop-all-lowercase", func(c *corev1.Container) { caps(c).Drop = []corev1.Capability{"all"} }},
	{"drop-NET_RAW", func(c *corev1.Container) { caps(c).Drop = []corev1.Capability{"NET_RAW"} }},
	{"caps-empty", func(c *corev1.Container) { sc(c).Capabilities = &corev1.Capabilities{} }},
	{"runAsNonRoot-true", func(c *corev1.Container) { sc(c).RunAsNonRoot = ptr(true) }},
	{"runAsNonRoot-false", func(c *corev1.Container) { sc(c).RunAsNonRoot = ptr(false) }},
	{"runAsUser-0", func(c *corev1.Container) { sc(c).RunAsUser = ptr(int64(0)) }},
	{"runAsUser-1000", func(c *corev1.Container) { sc(c).RunAsUser = ptr(int64(1000)) }},
	{"seccomp-RuntimeDefault", func(c *corev1.Container) {
		sc(c).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}},
	{"seccomp-Unconfined", func(c *corev1.Container) {
		sc(c).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}},
	{"seccomp-Localhost", func(c *corev1.Container) {
		sc(c).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr("p.json")}
	}},
	{"apparmor-Unconfined", func(c *corev1.Container) {
		sc(c).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	}},
	{"apparmor-RuntimeDefault", func(c *corev1.Container) {
		sc(c).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	}},
	{"apparmor-Localhost", func(c *corev1.Container) {
		sc(c).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr("p")}
	}},
	{"selinux-spc_t", func(c *corev1.Container) { sc(c).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"} }},
	{"selinux-container_t", func(c *corev1.Container) { sc(c).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_t"} }},
	{"selinux-container_engine_t", func(c *corev1.Container) {
		sc(c).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_engine_t"}
	}},
	{"selinux-user", func(c *corev1.Container) { sc(c).SELinuxOptions = &corev1.SELinuxOptions{User: "system_u"} }},
	{"selinux-role-level", func(c *corev1.Container) {
		sc(c).SELinuxOptions = &corev1.SELinuxOptions{Role: "system_r", Level: "s0"}
	}},
	{"procMount-Unmasked", func(c *corev1.Container) { sc(c).ProcMount = ptr(corev1.UnmaskedProcMount) }},
	{"procMount-Default", func(c *corev1.Container) { sc(c).ProcMount = ptr(corev1.DefaultProcMount) }},
	{"hostProcess-true", func(c *corev1.Container) {
		sc(c).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
	}},
	{"hostProcess-false", func(c *corev1.Container) {
		sc(c).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(false)}
	}},
	{"hostPort", func(c *corev1.Container) {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 80, HostPort: 8080})
	}},
	{"containerPort", func(c *corev1.Container) { c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 80}) }},
	{"liveness-http-host", func(c *corev1.Container) {
		c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "10.0.0.1"}}}
	}},
	{"readiness-tcp-host", func(c *corev1.Container) {
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: "example.com"}}}
	}},
	{"startup-no-host", func(c *corev1.Container) {
		c.StartupProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/"}}}
	}},
	{"prestop-http-host", func(c *corev1.Container) {
		c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Host: "h"}}}
	}},
	{"poststart-tcp-host", func(c *corev1.Container) {
		c.Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: "h"}}}
	}},
	{"sc-nil", func(c *corev1.Container) { c.SecurityContext = nil }},
	{"restricted", restrictContainer},
}

func restrictContainer(c *corev1.Container) {
	s := sc(c)
	s.AllowPrivilegeEscalation = ptr(false)
	s.RunAsNonRoot = ptr(true)
	s.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	s.Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}
}

func volume(name string, src corev1.VolumeSource) func(p *corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: name, VolumeSource: src})
	}
}

func sysctl(name string) func(p *corev1.Pod) {
	return func(p *corev1.Pod) { psc(p).Sysctls = append(psc(p).Sysctls, corev1.Sysctl{Name: name, Value: "1"}) }
}

func annotate(k, v string) func(p *corev1.Pod) {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[k] = v
	}
}

// podMutations each change one pod-level field.
var podMutations = []mutation{
	{"hostNetwork", func(p *corev1.Pod) { p.Spec.HostNetwork = true }},
	{"hostPID", func(p *corev1.Pod) { p.Spec.HostPID = true }},
	{"hostIPC", func(p *corev1.Pod) { p.Spec.HostIPC = true }},
	{"vol-hostPath", volume("hp", corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/etc"}})},
	{"vol-nfs", volume("nfs", corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "s", Path: "/"}})},
	{"vol-gitRepo", volume("git", corev1.VolumeSource{GitRepo: &corev1.GitRepoVolumeSource{Repository: "r"}})},
	{"vol-none", volume("none", corev1.VolumeSource{})},
	{"vol-emptyDir", volume("tmp", corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}})},
	{"vol-configMap", volume("cm", corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}})},
	{"vol-image", volume("img", corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "i:1"}})},
	{"vol-projected", volume("proj", corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}})},
	{"sysctl-unsafe", sysctl("kernel.msgmax")},
	{"sysctl-safe-1.0", sysctl("kernel.shm_rmid_forced")},
	{"sysctl-safe-1.27", sysctl("net.ipv4.ip_local_reserved_ports")},
	{"sysctl-safe-1.29", sysctl("net.ipv4.tcp_fin_timeout")},
	{"sysctl-safe-1.32", sysctl("net.ipv4.tcp_rmem")},
	{"sysctl-safe-1.37", sysctl("net.ipv4.tcp_notsent_lowat")},
	{"pod-runAsNonRoot-true", func(p *corev1.Pod) { psc(p).RunAsNonRoot = ptr(true) }},
	{"pod-runAsNonRoot-false", func(p *corev1.Pod) { psc(p).RunAsNonRoot = ptr(false) }},
	{"pod-runAsUser-0", func(p *corev1.Pod) { psc(p).RunAsUser = ptr(int64(0)) }},
	{"pod-runAsUser-1000", func(p *corev1.Pod) { psc(p).RunAsUser = ptr(int64(1000)) }},
	{"pod-seccomp-RuntimeDefault", func(p *corev1.Pod) {
		psc(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}},
	{"pod-seccomp-Unconfined", func(p *corev1.Pod) {
		psc(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}},
	{"pod-apparmor-Unconfined", func(p *corev1.Pod) {
		psc(p).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	}},
	{"pod-apparmor-RuntimeDefault", func(p *corev1.Pod) {
		psc(p).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	}},
	{"pod-selinux-spc_t", func(p *corev1.Pod) { psc(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"} }},
	{"pod-selinux-user", func(p *corev1.Pod) { psc(p).SELinuxOptions = &corev1.SELinuxOptions{User: "u"} }},
	{"pod-hostProcess", func(p *corev1.Pod) {
		psc(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
	}},
	{"os-windows", func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: corev1.Windows} }},
	{"os-linux", func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: corev1.Linux} }},
	{"hostUsers-false", func(p *corev1.Pod) { p.Spec.HostUsers = ptr(false) }},
	{"hostUsers-true", func(p *corev1.Pod) { p.Spec.HostUsers = ptr(true) }},
	{"ann-apparmor-unconfined", annotate("container.apparmor.security.beta.kubernetes.io/app", "unconfined")},
	{"ann-apparmor-runtime", annotate("container.apparmor.security.beta.kubernetes.io/app", "runtime/default")},
	{"ann-apparmor-localhost", annotate("container.apparmor.security.beta.kubernetes.io/side", "localhost/p")},
	{"ann-apparmor-empty", annotate("container.apparmor.security.beta.kubernetes.io/app", "")},
	{"ann-apparmor-ghost", annotate("container.apparmor.security.beta.kubernetes.io/ghost", "bogus")},
	{"ann-seccomp-pod", annotate("seccomp.security.alpha.kubernetes.io/pod", "unconfined")},
	{"ann-seccomp-ctr", annotate("container.seccomp.security.alpha.kubernetes.io/app", "unconfined")},
	{"pod-restricted", func(p *corev1.Pod) {
		psc(p).RunAsNonRoot = ptr(true)
		psc(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}},
}

// targets are the containers of the base pods that container mutations apply to: an init
// container, two regular ones and an ephemeral one.
var targets = []struct {
	name string
	get  func(p *corev1.Pod) *corev1.Container
}{
	{"init", func(p *corev1.Pod) *corev1.Container { return &p.Spec.InitContainers[0] }},
	{"app", func(p *corev1.Pod) *corev1.Container { return &p.Spec.Containers[0] }},
	{"side", func(p *corev1.Pod) *corev1.Container { return &p.Spec.Containers[1] }},
	{"debug", func(p *corev1.Pod) *corev1.Container {
		return (*corev1.Container)(&p.Spec.EphemeralContainers[0].EphemeralContainerCommon)
	}},
}

// allMutations is every pod mutation and every container mutation on every target.
func allMutations() []mutation {
	out := append([]mutation(nil), podMutations...)
	for _, cm := range containerMutations {
		for _, tg := range targets {
			out = append(out, mutation{cm.name + "@" + tg.name, func(p *corev1.Pod) { cm.apply(tg.get(p)) }})
		}
	}
	return out
}

func basePlain() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "base"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "i:1"}},
			Containers:     []corev1.Container{{Name: "app", Image: "a:1"}, {Name: "side", Image: "s:1"}},
			EphemeralContainers: []corev1.EphemeralContainer{{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "d:1"}}},
		},
	}
}

func baseRestricted() *corev1.Pod {
	p := basePlain()
	for _, tg := range targets {
		restrictContainer(tg.get(p))
	}
	return p
}

// baseHalf is restricted at the pod level only, so container-level settings decide.
func baseHalf() *corev1.Pod {
	p := basePlain()
	psc(p).RunAsNonRoot = ptr(true)
	psc(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	for _, tg := range targets {
		sc(tg.get(p)).AllowPrivilegeEscalation = ptr(false)
		caps(tg.get(p)).Drop = []corev1.Capability{"ALL"}
	}
	return p
}

func podObject(p *corev1.Pod, name string) *inventory.Object {
	p.Name = name
	return &inventory.Object{APIVersion: "v1", Kind: "Pod", Name: name, Typed: p, Meta: &p.ObjectMeta}
}

// variants builds the generated table: each base alone; each base with every single mutation;
// the restricted base with every pair; and seeded random combinations of two to six.
func variants() []*inventory.Object {
	bases := []struct {
		name string
		new  func() *corev1.Pod
	}{{"plain", basePlain}, {"restricted", baseRestricted}, {"half", baseHalf}}
	muts := allMutations()
	var out []*inventory.Object
	for _, b := range bases {
		out = append(out, podObject(b.new(), b.name))
		for _, m := range muts {
			p := b.new()
			m.apply(p)
			out = append(out, podObject(p, b.name+"+"+m.name))
		}
	}
	for i := range muts {
		for j := i + 1; j < len(muts); j++ {
			p := baseRestricted()
			muts[i].apply(p)
			muts[j].apply(p)
			out = append(out, podObject(p, "restricted+"+muts[i].name+"+"+muts[j].name))
		}
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		b := bases[rng.Intn(len(bases))]
		p := b.new()
		name := b.name
		for k := 2 + rng.Intn(5); k > 0; k-- {
			m := muts[rng.Intn(len(muts))]
			m.apply(p)
			name += "+" + m.name
		}
		out = append(out, podObject(p, name))
	}
	return out
}

func TestPSSParityGenerated(t *testing.T) {
	ev := newEvaluator(t)
	vs := variants()
	if testing.Short() {
		vs = vs[:2000]
	}
	failing := map[string]int{}
	for _, o := range vs {
		assertParity(t, ev, o)
		if t.Failed() {
			return // one broken variant is enough to read
		}
		for _, id := range []string{"PS-40", "PS-41"} {
			if len(got(t, id, o)) > 0 {
				failing[id]++
			}
		}
	}
	// The table exercises both verdicts at both levels.
	for _, id := range []string{"PS-40", "PS-41"} {
		if failing[id] == 0 || failing[id] == len(vs) {
			t.Errorf("%s fails %d of %d variants: the table does not exercise it", id, failing[id], len(vs))
		}
	}
	t.Logf("%d variants", len(vs))
}

// TestPSSEveryCheckFails: each check of the library forbids at least one generated variant, and
// every check has a locator, so a new check in a library upgrade shows up here.
func TestPSSEveryCheckFails(t *testing.T) {
	seen := map[policy.CheckID]bool{}
	for _, o := range variants() {
		pt := inventory.PodTemplateOf(o)
		for _, v := range loadPSS().evaluate(api.LevelRestricted, pt.Meta, pt.Spec) {
			seen[v.id] = true
		}
		for _, v := range loadPSS().evaluate(api.LevelBaseline, pt.Meta, pt.Spec) {
			seen[v.id] = true
		}
	}
	for _, c := range policy.DefaultChecks() {
		if !seen[c.ID] {
			t.Errorf("no generated variant fails %s", c.ID)
		}
		if _, ok := pssLocators[c.ID]; !ok {
			t.Errorf("no locator for %s", c.ID)
		}
	}
}

// TestPSSParityAtEveryVersion resolves the checks at each policy version from v1.0 to one past
// the newest, and latest, and compares with the evaluator at that version on the single-mutation
// variants. This proves the version selection and the override handling, not only "latest".
func TestPSSParityAtEveryVersion(t *testing.T) {
	ev := newEvaluator(t)
	all := policy.DefaultChecks()
	newest := newestVersion(all)
	versions := []api.Version{api.LatestVersion()}
	for m := 0; m <= newest.Minor()+1; m++ {
		versions = append(versions, api.MajorMinorVersion(1, m))
	}
	var objs []*inventory.Object
	for _, b := range []func() *corev1.Pod{basePlain, baseRestricted, baseHalf} {
		for _, m := range allMutations() {
			p := b()
			m.apply(p)
			objs = append(objs, podObject(p, m.name))
		}
	}
	for _, v := range versions {
		prof := resolvePSS(all, v)
		if prof.err != nil {
			t.Fatal(prof.err)
		}
		for _, o := range objs {
			pt := inventory.PodTemplateOf(o)
			for _, l := range []api.Level{api.LevelBaseline, api.LevelRestricted} {
				w := want(ev, api.LevelVersion{Level: l, Version: v}, pt.Meta, pt.Spec)
				var g []string
				for _, vi := range prof.evaluate(l, pt.Meta, pt.Spec) {
					g = append(g, strings.TrimPrefix(vi.message(), "["+string(vi.id)+"] "))
				}
				if !equal(g, w) {
					t.Fatalf("%s %s on %s:\n got  %q\n want %q", v, l, o.Name, g, w)
				}
			}
		}
	}
}

// TestPSSInvalidChecksAreNotAssessed: checks the library's own validation rejects make
// resolvePSS fail rather than guess.
func TestPSSInvalidChecksAreNotAssessed(t *testing.T) {
	bad := []policy.Check{{ID: "x", Level: api.LevelBaseline}}
	if p := resolvePSS(bad, api.LatestVersion()); p.err == nil {
		t.Fatal("resolvePSS accepted a check without versions")
	}
}

func TestSafeSysctlsMatchTheLibrary(t *testing.T) {
	var sysctls func(*metav1.ObjectMeta, *corev1.PodSpec) policy.CheckResult
	for _, c := range loadPSS().all {
		if c.id == "sysctls" {
			sysctls = c.fn
		}
	}
	if sysctls == nil {
		t.Fatal("no sysctls check")
	}
	names := []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
		"kernel.msgmax", "net.core.somaxconn", "vm.swappiness", "net.ipv4.tcp_rmem2", ""}
	for _, n := range names {
		spec := &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: n}}}}
		lib := sysctls(&metav1.ObjectMeta{}, spec).Allowed
		if lib != safeSysctl(n) {
			t.Errorf("sysctl %q: library allows=%v, PS-26 safe=%v", n, lib, safeSysctl(n))
		}
	}
}

// newestVersion is the highest MinimumVersion of any check.
func newestVersion(all []policy.Check) api.Version {
	max := api.MajorMinorVersion(1, 0)
	for _, c := range all {
		if n := len(c.Versions); n > 0 && max.Older(c.Versions[n-1].MinimumVersion) {
			max = c.Versions[n-1].MinimumVersion
		}
	}
	return max
}

// evaluate runs the level's checks and returns the forbidding ones, in the registry's order,
// with the reason AggregateCheckResults would give: the violations by check ID, for the tests.
func (p *pssProfiles) evaluate(l api.Level, meta *metav1.ObjectMeta, spec *corev1.PodSpec) []pssViolation {
	var out []pssViolation
	in := p.inLevel(l)
	for i := range p.all {
		if !in[i] {
			continue
		}
		if v, bad := p.run(i, meta, spec); bad {
			out = append(out, v)
		}
	}
	return out
}
