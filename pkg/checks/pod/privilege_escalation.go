package pod

/*
PS-21: containers must not allow privilege escalation.

Fields read:

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.allowPrivilegeEscalation
	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.privileged
	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.capabilities.add

Passes: allowPrivilegeEscalation is false, and the container is not privileged and does not add
        SYS_ADMIN (or ALL): both always allow escalation, whatever the field says.
Fails:  allowPrivilegeEscalation unset (the kernel default lets setuid binaries gain
        privileges) or true; or privileged: true; or SYS_ADMIN/ALL added.
Skips:  pods with spec.os.name: windows, where the API server forbids the field.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-21", Match: checks.Workloads, Assess: perPod(assessPrivilegeEscalation)})
}

func assessPrivilegeEscalation(a *checks.Assessment, pt *inventory.PodTemplate) {
	if isWindows(pt) {
		a.Skip()
		return
	}
	for c := range containers(pt) {
		assessContainerEscalation(a, c)
	}
}

func assessContainerEscalation(a *checks.Assessment, c ctr) {
	sc := c.SecurityContext
	if isPrivileged(c) {
		a.Fail(c.sc("privileged"), c.msg(" can escalate privileges: it is privileged"))
		return
	}
	if sc != nil && sc.Capabilities != nil {
		for k, cp := range sc.Capabilities.Add {
			if capIs(cp, "SYS_ADMIN") || capIs(cp, "ALL") {
				a.Fail(inventory.Index(c.sc("capabilities.add"), k),
					c.msg(" can escalate privileges: it adds ", capName(cp)))
				return
			}
		}
	}
	switch {
	case sc == nil || sc.AllowPrivilegeEscalation == nil:
		a.Fail(c.sc("allowPrivilegeEscalation"), c.msg(" allows privilege escalation (allowPrivilegeEscalation is not set to false)"))
	case *sc.AllowPrivilegeEscalation:
		a.Fail(c.sc("allowPrivilegeEscalation"), c.msg(" allows privilege escalation"))
	}
}
