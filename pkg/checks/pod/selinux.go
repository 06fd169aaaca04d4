package pod

/*
PS-25: containers must not set custom SELinux options.

Fields read (effective: the container's seLinuxOptions as a whole, else the pod's):

	securityContext.seLinuxOptions.user
	securityContext.seLinuxOptions.role
	securityContext.seLinuxOptions.type

Passes: user and role unset or empty; type unset, empty, container_t, container_init_t,
        container_kvm_t or container_engine_t. level may be anything.
Fails:  user or role set, or any other type; one finding per offending field.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-25", Match: checks.Workloads, Assess: perPod(assessSELinux)})
}

func selinuxTypeOK(t string) bool {
	switch t {
	case "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t":
		return true
	}
	return false
}

func assessSELinux(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		opts, lvl := effSELinux(pt, c)
		if opts == nil {
			continue
		}
		fail := func(field, what string) {
			if lvl == atPod {
				inherited.add(podSC(pt, "seLinuxOptions."+field), "pod sets "+what, c)
				return
			}
			a.Fail(c.sc("seLinuxOptions."+field), c.msg(" sets ", what))
		}
		if opts.User != "" {
			fail("user", "a custom SELinux user "+quote(opts.User))
		}
		if opts.Role != "" {
			fail("role", "a custom SELinux role "+quote(opts.Role))
		}
		if !selinuxTypeOK(opts.Type) {
			fail("type", "the SELinux type "+quote(opts.Type))
		}
	}
	inherited.flush(a)
}
