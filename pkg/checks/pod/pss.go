package pod

/*
PS-40 / PS-41: pod templates must satisfy the Pod Security Standards at level baseline (PS-40)
and restricted (PS-41), version "latest".

Fields read: every field the k8s.io/pod-security-admission policy checks read (host namespaces,
privileged, capabilities, hostPath and other volume types, host ports, probe and lifecycle hosts,
AppArmor, SELinux, seccomp, procMount, sysctls, Windows HostProcess; and for restricted also
allowPrivilegeEscalation, runAsNonRoot, runAsUser, capabilities drop ALL), on the pod template's
metadata and spec, exactly as the API server's PodSecurity admission reads them (for a Pod,
after the changes the API server makes before admission: pss_admission.go).

Passes: every check of the level allows the pod.
Fails:  one finding per check that forbids it, worded "[<check ID>] <reason>: <detail>" where
        reason and detail are the library's own words, the ones the API server prints.

The library's Evaluator returns results without saying which check produced them, so this file
resolves the checks itself the way its registry does: for each check of policy.DefaultChecks(),
the newest version whose MinimumVersion is at most the evaluated version (at "latest", each
check's newest version); at restricted, the baseline checks minus those that a
restricted check's OverrideCheckIDs replaces; baseline IDs first, then restricted, each sorted.
The parity tests prove that the findings equal what Evaluator.EvaluatePod returns, and the
end-to-end test that they say what a real API server says when it refuses a Pod.
*/

import (
	"slices"
	"strings"
	"sync"

	"github.com/kubeharden/kubeharden/internal/intern"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

func init() {
	checks.Register(
		checks.Check{ID: "PS-40", Match: checks.Workloads, Assess: assessPSS(api.LevelBaseline)},
		checks.Check{ID: "PS-41", Match: checks.Workloads, Assess: assessPSS(api.LevelRestricted)},
	)
	checks.RegisterWarmup(func() { loadPSS() })
}

// pssCheck is one policy check resolved to the version that applies.
type pssCheck struct {
	id policy.CheckID
	fn policy.CheckPodFn
}

// pssProfiles holds every check in the order the registry runs them (baseline IDs first, then
// restricted), and which of them each level runs: each check is run once per pod, whatever the
// level asked for.
type pssProfiles struct {
	all                      []pssCheck
	inBaseline, inRestricted []bool // by index into all: whether the level runs the check
	err                      error
}

var (
	pssOnce sync.Once
	pssProf *pssProfiles
)

// loadPSS resolves the default checks at the latest version, once, on first use.
func loadPSS() *pssProfiles {
	pssOnce.Do(func() { pssProf = resolvePSS(policy.DefaultChecks(), api.LatestVersion()) })
	return pssProf
}

// resolvePSS picks, per check, the version that applies at v and builds both levels' lists.
func resolvePSS(all []policy.Check, v api.Version) *pssProfiles {
	// Validate as the API server does; invalid checks would make its evaluator fail to build.
	if _, err := policy.NewEvaluator(all, nil); err != nil {
		return &pssProfiles{err: err}
	}
	var baseline, restricted []pssCheck
	overridden := map[policy.CheckID]bool{}
	for _, c := range all {
		vc, ok := versionAt(c, v)
		if !ok {
			continue
		}
		pc := pssCheck{id: c.ID, fn: vc.CheckPod}
		if c.Level == api.LevelRestricted {
			restricted = append(restricted, pc)
			for _, id := range vc.OverrideCheckIDs {
				overridden[id] = true
			}
		} else {
			baseline = append(baseline, pc)
		}
	}
	byID := func(a, b pssCheck) int { return strings.Compare(string(a.id), string(b.id)) }
	slices.SortFunc(baseline, byID)
	slices.SortFunc(restricted, byID)
	p := &pssProfiles{all: append(slices.Clip(baseline), restricted...)}
	p.inBaseline, p.inRestricted = make([]bool, len(p.all)), make([]bool, len(p.all))
	for i, c := range baseline {
		p.inBaseline[i] = true
		p.inRestricted[i] = !overridden[c.id]
	}
	for i := range restricted {
		p.inRestricted[len(baseline)+i] = true
	}
	return p
}

// versionAt returns the newest version of c whose MinimumVersion is not newer than v.
// Versions are sorted oldest first (NewEvaluator rejects them otherwise). "latest", and any
// version past the newest a check defines, select its newest version; that is what the
// registry's clamping of the evaluated version to its maximum amounts to.
func versionAt(c policy.Check, v api.Version) (policy.VersionedCheck, bool) {
	for i := len(c.Versions) - 1; i >= 0; i-- {
		if !v.Older(c.Versions[i].MinimumVersion) {
			return c.Versions[i], true
		}
	}
	return policy.VersionedCheck{}, false
}

// inLevel tells, by index into all, whether level l runs the check. all holds each level's
// checks in the level's order, so walking violations in the order of all reports them in it.
func (p *pssProfiles) inLevel(l api.Level) []bool {
	if l == api.LevelBaseline {
		return p.inBaseline
	}
	return p.inRestricted
}

// pssViolation is one check that forbids a pod.
type pssViolation struct {
	id             policy.CheckID
	reason, detail string
}

func (v pssViolation) message() string {
	if v.detail == "" {
		return intern.Concat("[", string(v.id), "] ", v.reason)
	}
	return intern.Concat("[", string(v.id), "] ", v.reason, ": ", v.detail)
}

// run runs check i of all on a pod and returns its violation, if it forbids the pod.
func (p *pssProfiles) run(i int, meta *metav1.ObjectMeta, spec *corev1.PodSpec) (pssViolation, bool) {
	c := p.all[i]
	r := c.fn(meta, spec)
	if r.Allowed {
		return pssViolation{}, false
	}
	reason := r.ForbiddenReason
	if reason == "" {
		reason = policy.UnknownForbiddenReason
	}
	return pssViolation{id: c.id, reason: reason, detail: r.ForbiddenDetail}, true
}

// pssFinding is a violation as reported: the check (its index in all), the field it points at
// and the message.
type pssFinding struct {
	check         int
	path, message string
}

// pssMemoKey keys the per-object results of every check in the Assessment's memo, so PS-40
// and PS-41 run each check of the library once per pod template between them.
type pssMemoKey struct{}

// results runs every check of all on the template once and returns the violations in the
// order of all. Most templates break a few checks or none, so only violations are kept.
// A Pod is judged as its admission sees it (admittedPodSpec); findings still point at the
// fields of the manifest.
func (p *pssProfiles) results(pt *inventory.PodTemplate, isPod bool) []pssFinding {
	var out []pssFinding
	spec := pt.Spec
	if isPod {
		spec = admittedPodSpec(pt)
	}
	for i := range p.all {
		if v, bad := p.run(i, pt.Meta, spec); bad {
			if out == nil {
				out = make([]pssFinding, 0, 4) // a pod left at the defaults breaks four
			}
			out = append(out, pssFinding{check: i, path: pssPath(v.id, pt), message: v.message()})
		}
	}
	return out
}

func assessPSS(l api.Level) func(*checks.Assessment, *inventory.Object, *inventory.Inventory) {
	return func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
		pt := inventory.PodTemplateOf(o)
		if pt == nil {
			return
		}
		p := loadPSS()
		if p.err != nil {
			a.NotAssessed("the pod-security-admission checks could not be loaded: " + p.err.Error())
			return
		}
		res := a.Memo(o, pssMemoKey{}, func() any { return p.results(pt, o.Kind == "Pod") }).([]pssFinding)
		in := p.inLevel(l)
		for i := range res {
			if r := &res[i]; in[r.check] {
				a.Fail(r.path, r.message)
			}
		}
	}
}
