package pod

/*
PS-26: pods must not set unsafe sysctls.

Fields read:

	spec.securityContext.sysctls[*].name

Passes: every name is in the Pod Security Standards' safe set at the latest policy version:
        kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
        net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,
        net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
        net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem,
        net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat.
Fails:  any other name, one finding per sysctl. (A test checks the set against the
        pod-security-admission library, so a new safe sysctl there shows up here.)
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-26", Match: checks.Workloads, Assess: perPod(assessSysctls)})
}

// safeSysctl reports whether name is in the PSS safe set: namespaced per pod and isolated from
// other pods on the node.
func safeSysctl(name string) bool {
	switch name {
	case "kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range",
		"net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
		"net.ipv4.tcp_rmem",
		"net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle",
		"net.ipv4.tcp_notsent_lowat":
		return true
	}
	return false
}

func assessSysctls(a *checks.Assessment, pt *inventory.PodTemplate) {
	psc := pt.Spec.SecurityContext
	if psc == nil {
		return
	}
	for i, s := range psc.Sysctls {
		if !safeSysctl(s.Name) {
			a.Fail(inventory.Index(podSC(pt, "sysctls"), i)+".name", "pod sets the unsafe sysctl "+s.Name)
		}
	}
}
