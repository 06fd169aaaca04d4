package pod

/*
PS-22: containers must not add dangerous capabilities.
PS-33: containers must drop all capabilities and add back at most NET_BIND_SERVICE.

Fields read:

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.capabilities.add
	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.capabilities.drop

Capability names are compared without the CAP_ prefix and in any case, as runtimes read them.

PS-22 passes: add holds none of ALL, SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_MODULE, SYS_PTRACE,
              SYS_RAWIO, SYS_BOOT, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE, SETPCAP,
              DAC_READ_SEARCH, SYS_TIME. One finding per dangerous entry.
PS-33 passes: drop includes ALL, and add holds nothing but NET_BIND_SERVICE. One finding for a
              missing drop ALL (at capabilities.drop) and one per other added capability.
PS-33 skips:  pods with spec.os.name: windows, where the API server forbids capabilities.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "PS-22", Match: checks.Workloads, Assess: perContainer(assessDangerousCaps)},
		checks.Check{ID: "PS-33", Match: checks.Workloads, Assess: perPod(assessDropAll)},
	)
}

var dangerousCaps = []string{
	"ALL", "SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO",
	"SYS_BOOT", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SETPCAP", "DAC_READ_SEARCH",
	"SYS_TIME",
}

func isDangerousCap(c corev1.Capability) bool {
	for _, d := range dangerousCaps {
		if capIs(c, d) {
			return true
		}
	}
	return false
}

func capabilitiesOf(c ctr) *corev1.Capabilities {
	if c.SecurityContext == nil {
		return nil
	}
	return c.SecurityContext.Capabilities
}

func assessDangerousCaps(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	caps := capabilitiesOf(c)
	if caps == nil {
		return
	}
	for k, cp := range caps.Add {
		if isDangerousCap(cp) {
			a.Fail(inventory.Index(c.sc("capabilities.add"), k), c.msg(" adds the dangerous capability ", capName(cp)))
		}
	}
}

func assessDropAll(a *checks.Assessment, pt *inventory.PodTemplate) {
	if isWindows(pt) {
		a.Skip()
		return
	}
	for c := range containers(pt) {
		caps := capabilitiesOf(c)
		if caps == nil {
			a.Fail(c.sc("capabilities.drop"), c.msg(" does not drop ALL capabilities"))
			continue
		}
		if !dropsAll(caps) {
			a.Fail(c.sc("capabilities.drop"), c.msg(" does not drop ALL capabilities"))
		}
		for k, cp := range caps.Add {
			if !capIs(cp, "NET_BIND_SERVICE") {
				a.Fail(inventory.Index(c.sc("capabilities.add"), k), c.msg(" adds capability ", capName(cp), " (only NET_BIND_SERVICE may be added)"))
			}
		}
	}
}

func dropsAll(caps *corev1.Capabilities) bool {
	for _, d := range caps.Drop {
		if capIs(d, "ALL") {
			return true
		}
	}
	return false
}
