package pod

/*
PS-03: containers should not run with a UID that host accounts may use.

Fields read (effective: container securityContext, else the pod's):

	securityContext.runAsUser

Passes: unset, 0 (root is PS-01's concern), or above 10000.
Fails:  1 to 10000.
*/

import (
	"strconv"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// maxHostUID is the highest UID considered likely to belong to a node account or service.
const maxHostUID = 10000

func init() {
	checks.Register(checks.Check{ID: "PS-03", Match: checks.Workloads, Assess: perPod(assessHostUIDOverlap)})
}

func assessHostUIDOverlap(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		uid, lvl := effRunAsUser(pt, c)
		if uid == nil || *uid < 1 || *uid > maxHostUID {
			continue
		}
		if lvl == atPod {
			inherited.add(podSC(pt, "runAsUser"), "pod securityContext sets runAsUser "+strconv.FormatInt(*uid, 10)+
				", a UID that may belong to a host account", c)
			continue
		}
		a.Fail(c.sc("runAsUser"), c.msg(" runs as UID ", strconv.FormatInt(*uid, 10), ", which may belong to a host account"))
	}
	inherited.flush(a)
}
