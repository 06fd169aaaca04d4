package pod

/*
PS-06: container root filesystems must be read-only.

Fields read:

	spec.containers[*].securityContext.readOnlyRootFilesystem
	spec.initContainers[*].securityContext.readOnlyRootFilesystem
	spec.ephemeralContainers[*].securityContext.readOnlyRootFilesystem

Passes: true.
Fails:  false or unset.
Skips:  pods with spec.os.name: windows, where the API server forbids the field.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-06", Match: checks.Workloads, Assess: perPod(assessReadOnlyRootFS)})
}

func assessReadOnlyRootFS(a *checks.Assessment, pt *inventory.PodTemplate) {
	if isWindows(pt) {
		a.Skip()
		return
	}
	for c := range containers(pt) {
		sc := c.SecurityContext
		switch {
		case sc == nil || sc.ReadOnlyRootFilesystem == nil:
			a.Fail(c.sc("readOnlyRootFilesystem"), c.msg(" has a writable root filesystem (readOnlyRootFilesystem is not set)"))
		case !*sc.ReadOnlyRootFilesystem:
			a.Fail(c.sc("readOnlyRootFilesystem"), c.msg(" has a writable root filesystem"))
		}
	}
}
