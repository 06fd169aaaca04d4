package pod

/*
PS-02: containers must not run with the root group.

Fields read:

	securityContext.runAsGroup            (effective: container, else pod)
	spec.securityContext.supplementalGroups[*]
	spec.securityContext.fsGroup

Passes: every one of them is unset or non-zero.
Fails:  any of them is 0.
*/

import (
	"strconv"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-02", Match: checks.Workloads, Assess: perPod(assessRootGroup)})
}

func assessRootGroup(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		gid, lvl := effRunAsGroup(pt, c)
		switch {
		case gid == nil || *gid != 0:
		case lvl == atPod:
			inherited.add(podSC(pt, "runAsGroup"), "pod securityContext sets runAsGroup 0", c)
		default:
			a.Fail(c.sc("runAsGroup"), c.msg(" runs with the root group (runAsGroup 0)"))
		}
	}
	inherited.flush(a)

	psc := pt.Spec.SecurityContext
	if psc == nil {
		return
	}
	for i, g := range psc.SupplementalGroups {
		if g == 0 {
			a.Fail(podSC(pt, "supplementalGroups["+strconv.Itoa(i)+"]"), "pod adds the root group to supplementalGroups")
		}
	}
	if psc.FSGroup != nil && *psc.FSGroup == 0 {
		a.Fail(podSC(pt, "fsGroup"), "pod sets fsGroup 0, so its volumes are owned by the root group")
	}
}
