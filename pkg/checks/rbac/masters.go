package rbac

/*
AA-09: bindings that name the group system:masters.

Read: the subjects of every RoleBinding and ClusterRoleBinding.

Fails, at subjects[i], for each subject Group system:masters, except as the subject of
Kubernetes' own cluster-admin binding (Binding.KubernetesDefault: the label alone does not
count). Members of system:masters are allowed everything before RBAC is consulted, so a binding
adds nothing for them; its presence says that credentials carrying the group (client
certificates with O=system:masters, which cannot be revoked) are in use beyond the one
break-glass credential the group is meant for.

Passes: every other subject. Certificates themselves are outside what manifests show.
*/

import (
	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AA-09", Match: bindings, Assess: assessMasters, Reads: rbacKinds})
}

func assessMasters(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	b := analysis.For(inv).Binding(o)
	if b == nil {
		return
	}
	for i, s := range b.Subjects {
		if s.Kind == analysis.KindGroup && s.Name == analysis.GroupMasters && !b.KubernetesDefault(i) {
			a.Failf(subjectPath(i), "binds Group %s, whose members bypass RBAC altogether: the binding grants them nothing, and "+
				"relying on the group means handing out credentials that cannot be revoked; bind an ordinary group instead", analysis.GroupMasters)
		}
	}
}
