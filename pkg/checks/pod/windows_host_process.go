package pod

/*
PS-27: containers must not be Windows HostProcess containers.

Fields read (effective: the container's windowsOptions.hostProcess, else the pod's):

	securityContext.windowsOptions.hostProcess

Passes: unset or false.
Fails:  true.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-27", Match: checks.Workloads, Assess: perPod(assessHostProcess)})
}

func assessHostProcess(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		hp, lvl := effHostProcess(pt, c)
		switch {
		case hp == nil || !*hp:
		case lvl == atPod:
			inherited.add(podSC(pt, "windowsOptions.hostProcess"), "pod runs as a Windows HostProcess pod", c)
		default:
			a.Fail(c.sc("windowsOptions.hostProcess"), c.msg(" is a Windows HostProcess container"))
		}
	}
	inherited.flush(a)
}
