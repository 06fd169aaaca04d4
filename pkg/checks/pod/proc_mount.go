package pod

/*
PS-35: containers must not unmask /proc.

Fields read:

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.procMount

Passes: unset or Default.
Fails:  anything else (Unmasked).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "PS-35", Match: checks.Workloads, Assess: perContainer(assessProcMount)})
}

func badProcMount(c ctr) bool {
	sc := c.SecurityContext
	return sc != nil && sc.ProcMount != nil && *sc.ProcMount != corev1.DefaultProcMount
}

func assessProcMount(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	if badProcMount(c) {
		a.Fail(c.sc("procMount"), c.msg(" sets procMount ", string(*c.SecurityContext.ProcMount)))
	}
}
