package pod

/*
PS-28: service account tokens must not be mounted automatically.
PS-29: pods must not use the default service account.

Fields read:

	spec.automountServiceAccountToken               (PS-28, workloads)
	spec.serviceAccountName (or spec.serviceAccount) (PS-28 and PS-29, workloads)
	ServiceAccount.automountServiceAccountToken     (PS-28, the pod's account and ServiceAccounts)

PS-28 passes for a workload when its effective automountServiceAccountToken is false: the pod's
      own value when set; else, when the pod's service account (serviceAccountName, or "default",
      in the workload's namespace) is in the inventory, that account's value; else the default,
      true, which fails. A ServiceAccount passes only when its own value is false.
PS-29 passes when serviceAccountName names an account other than "default".
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/internal/intern"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "PS-28", Match: matchTokenAutomount, Assess: assessTokenAutomount, Gather: gatherTokenAutomount,
			Needs: []string{"ServiceAccount"}},
		checks.Check{ID: "PS-29", Match: checks.Workloads, Assess: perPod(assessDefaultServiceAccount)},
	)
}

func matchTokenAutomount(o *inventory.Object) bool {
	if o.Kind == "ServiceAccount" {
		_, ok := o.Typed.(*corev1.ServiceAccount)
		return ok
	}
	return checks.Workloads(o)
}

// serviceAccountName is the account the pod runs as; the deprecated serviceAccount field is
// what the API server copies into serviceAccountName when only it is set.
func serviceAccountName(s *corev1.PodSpec) string {
	switch {
	case s.ServiceAccountName != "":
		return s.ServiceAccountName
	case s.DeprecatedServiceAccount != "":
		return s.DeprecatedServiceAccount
	}
	return "default"
}

// The messages of PS-28.
const (
	accountUnset  = "service account does not disable token automounting (automountServiceAccountToken is not set)"
	accountMounts = "service account mounts its token into every pod (automountServiceAccountToken: true)"
	podMounts     = "pod mounts its service account token (automountServiceAccountToken: true)"
)

// accountFailure is a ServiceAccount's PS-28 failure, or "".
func accountFailure(sa *corev1.ServiceAccount) string {
	switch v := sa.AutomountServiceAccountToken; {
	case v == nil:
		return accountUnset
	case *v:
		return accountMounts
	}
	return ""
}

// inheritedFailure is the PS-28 failure of a pod in o's namespace that leaves
// automountServiceAccountToken unset and runs as the account name, or "": the pod inherits the
// account's setting when the account is in the inventory, and mounts the token otherwise.
func inheritedFailure(o *inventory.Object, name string, inv *inventory.Inventory) string {
	if inv != nil {
		if sao := inv.Get("ServiceAccount", o.EffectiveNamespace(), name); sao != nil {
			if sa, ok := sao.Typed.(*corev1.ServiceAccount); ok {
				if v := sa.AutomountServiceAccountToken; v == nil || *v {
					return intern.Concat("pod mounts a token for service account ", quote(name), ", which does not disable automounting")
				}
				return ""
			}
		}
	}
	return intern.Concat("pod mounts a token for service account ", quote(name), " by default (automountServiceAccountToken is not set)")
}

// assessTokenAutomount judges an object whose decoded value is at hand, allocating nothing for
// one that passes.
func assessTokenAutomount(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if sa, ok := o.Typed.(*corev1.ServiceAccount); ok {
		if msg := accountFailure(sa); msg != "" {
			a.Fail("automountServiceAccountToken", msg)
		}
		return
	}
	pt := inventory.PodTemplateOf(o)
	if pt == nil {
		return
	}
	if v := pt.Spec.AutomountServiceAccountToken; v != nil {
		if *v {
			a.Fail(specField(pt, "automountServiceAccountToken"), podMounts)
		}
		return
	}
	if msg := inheritedFailure(o, serviceAccountName(pt.Spec), inv); msg != "" {
		a.Fail(specField(pt, "automountServiceAccountToken"), msg)
	}
}

// gatherTokenAutomount judges a ServiceAccount, and a pod that sets automountServiceAccountToken,
// on their own; a pod that leaves it unset inherits its ServiceAccount's setting, which the
// verdict looks up once every object is in.
func gatherTokenAutomount(o *inventory.Object) checks.Verdict {
	if sa, ok := o.Typed.(*corev1.ServiceAccount); ok {
		if msg := accountFailure(sa); msg != "" {
			return failing("automountServiceAccountToken", o.Line("automountServiceAccountToken"), msg)
		}
		return checks.Pass
	}
	pt := inventory.PodTemplateOf(o)
	if pt == nil {
		return nil
	}
	v := pt.Spec.AutomountServiceAccountToken
	if v != nil && !*v {
		return checks.Pass
	}
	at := specField(pt, "automountServiceAccountToken")
	line := o.Line(at)
	if v != nil {
		return failing(at, line, podMounts)
	}
	name := strings.Clone(serviceAccountName(pt.Spec)) // see inventory.Object.Release
	return func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
		if msg := inheritedFailure(o, name, inv); msg != "" {
			a.FailLine(at, line, msg)
		}
	}
}

// failing is a Verdict that fails the object at path, whatever the other objects hold.
func failing(path string, line int, msg string) checks.Verdict {
	return func(a *checks.Assessment, _ *inventory.Object, _ *inventory.Inventory) { a.FailLine(path, line, msg) }
}

func assessDefaultServiceAccount(a *checks.Assessment, pt *inventory.PodTemplate) {
	if serviceAccountName(pt.Spec) == "default" {
		a.Fail(specField(pt, "serviceAccountName"), "pod runs as the namespace's default service account")
	}
}
