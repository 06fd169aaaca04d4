package pod

/*
PS-15, PS-16, PS-17: pods must not share the host's PID, IPC or network namespace.
PS-18: the containers of a pod should not share one process namespace.

Fields read:

	spec.hostPID                (PS-15)
	spec.hostIPC                (PS-16)
	spec.hostNetwork            (PS-17)
	spec.shareProcessNamespace  (PS-18)

Passes: false or unset.
Fails:  true.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(
		podFlagCheck("PS-15", "hostPID", func(s *corev1.PodSpec) bool { return s.HostPID },
			"pod shares the host's process namespace (hostPID: true)"),
		podFlagCheck("PS-16", "hostIPC", func(s *corev1.PodSpec) bool { return s.HostIPC },
			"pod shares the host's IPC namespace (hostIPC: true)"),
		podFlagCheck("PS-17", "hostNetwork", func(s *corev1.PodSpec) bool { return s.HostNetwork },
			"pod uses the host's network namespace (hostNetwork: true)"),
		podFlagCheck("PS-18", "shareProcessNamespace", func(s *corev1.PodSpec) bool {
			return s.ShareProcessNamespace != nil && *s.ShareProcessNamespace
		}, "containers of the pod share one process namespace (shareProcessNamespace: true)"),
	)
}

// podFlagCheck is a check that fails when one boolean field of the pod spec is true.
func podFlagCheck(id, field string, set func(*corev1.PodSpec) bool, msg string) checks.Check {
	return checks.Check{ID: id, Match: checks.Workloads, Assess: perPod(func(a *checks.Assessment, pt *inventory.PodTemplate) {
		if set(pt.Spec) {
			a.Fail(specField(pt, field), msg)
		}
	})}
}
