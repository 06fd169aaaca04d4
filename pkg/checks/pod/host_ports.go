package pod

/*
PS-20: containers must not bind host ports.

Fields read:

	spec.containers[*].ports[*].hostPort
	spec.initContainers[*].ports[*].hostPort
	spec.ephemeralContainers[*].ports[*].hostPort

Passes: unset or 0.
Fails:  any other value, one finding per port.
*/

import (
	"strconv"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-20", Match: checks.Workloads, Assess: perContainer(assessHostPorts)})
}

func assessHostPorts(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	for j, p := range c.Ports {
		if p.HostPort != 0 {
			a.Fail(inventory.Index(c.at("ports"), j)+".hostPort",
				c.msg(" binds host port ", strconv.Itoa(int(p.HostPort))))
		}
	}
}
