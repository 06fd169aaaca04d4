package pod

/*
PS-01: containers must not run as root.

Fields read (effective values, container securityContext else the pod's):

	securityContext.runAsNonRoot
	securityContext.runAsUser

Passes: runAsNonRoot is true, or runAsUser is set to a non-zero UID.
Fails:  runAsUser is 0 (reported at runAsUser), or runAsNonRoot is false or unset and runAsUser
        is unset (reported at runAsNonRoot).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-01", Match: checks.Workloads, Assess: perPod(assessRunAsRoot)})
}

func assessRunAsRoot(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		nonRoot, nrLvl := effRunAsNonRoot(pt, c)
		if nonRoot != nil && *nonRoot {
			continue
		}
		uid, uidLvl := effRunAsUser(pt, c)
		if uid != nil && *uid != 0 {
			continue
		}
		switch {
		case uid != nil && uidLvl == atPod:
			inherited.add(podSC(pt, "runAsUser"), "pod securityContext sets runAsUser 0", c)
		case uid != nil:
			a.Fail(c.sc("runAsUser"), c.msg(" runs as root (runAsUser 0)"))
		case nrLvl == atPod:
			inherited.add(podSC(pt, "runAsNonRoot"), "pod securityContext sets runAsNonRoot false and no runAsUser", c)
		case nonRoot != nil:
			a.Fail(c.sc("runAsNonRoot"), c.msg(" may run as root: runAsNonRoot is false and runAsUser is not set"))
		default:
			a.Fail(c.sc("runAsNonRoot"), c.msg(" may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"))
		}
	}
	inherited.flush(a)
}
