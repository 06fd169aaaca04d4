package pod

/*
PS-14: containers must not be privileged.

Fields read:

	spec.containers[*].securityContext.privileged
	spec.initContainers[*].securityContext.privileged
	spec.ephemeralContainers[*].securityContext.privileged

Passes: false or unset.
Fails:  true.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-14", Match: checks.Workloads, Assess: perContainer(assessPrivileged)})
}

func isPrivileged(c ctr) bool {
	sc := c.SecurityContext
	return sc != nil && sc.Privileged != nil && *sc.Privileged
}

func assessPrivileged(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	if isPrivileged(c) {
		a.Fail(c.sc("privileged"), c.msg(" is privileged"))
	}
}
