package node

/*
NS-14: the kubelet must limit the PIDs of each pod.

Read: podPidsLimit, flag --pod-max-pids (default -1, no limit).
Passes: a positive number. Fails: unset, 0 or negative: one pod can fork until the node runs
        out of PIDs. systemReserved.pid and kubeReserved.pid (reserving PIDs for the node
        itself) are recommended in the remediation but not required.

PS-32: the kubelet must apply the runtime's default seccomp profile to every container.

Read: seccompDefault, flag --seccomp-default (default false).
Passes: true. Fails: unset or false: containers without a seccompProfile run unconfined.
*/

import "github.com/kubeharden/kubeharden/pkg/checks"

func init() {
	checks.Register(
		KubeletCheck("NS-14", func(j *Judge) {
			s := j.Get("podPidsLimit", "pod-max-pids")
			switch n, ok := s.Int(-1); {
			case !ok:
				j.Fail(s, "%s is not a number", s.Describe())
			case n <= 0 && s.Set:
				j.Fail(s, "%s: pods may create processes until the node runs out of PIDs", s.Describe())
			case n <= 0:
				j.Fail(s, "podPidsLimit is not set (default -1, no limit): pods may create processes until the node runs out of PIDs")
			}
		}),
		KubeletCheck("PS-32", func(j *Judge) {
			s := j.Get("seccompDefault", "seccomp-default")
			switch v, ok := s.Bool(false); {
			case !ok:
				j.Fail(s, "%s is not a boolean", s.Describe())
			case !v && s.Set:
				j.Fail(s, "%s: containers without a seccompProfile run without any syscall filter", s.Describe())
			case !v:
				j.Fail(s, "seccompDefault is not set (default false): containers without a seccompProfile run without any syscall filter")
			}
		}),
	)
}
