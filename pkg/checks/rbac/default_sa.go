package rbac

/*
AA-22: permissions bound to a namespace's default service account.

Read: the subjects of every RoleBinding and ClusterRoleBinding.

Fails, at subjects[i], for each subject that is the service account named "default" (as
ServiceAccount NS/default or as User system:serviceaccount:NS:default), whatever the role: every
pod of the namespace that names no service account runs as default, so the binding hands its
permissions to workloads nobody chose to trust with them.

Passes: bindings to dedicated service accounts.
*/

import (
	"fmt"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AA-22", Match: bindings, Assess: assessDefaultServiceAccount, Reads: rbacKinds})
}

func assessDefaultServiceAccount(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	b := analysis.For(inv).Binding(o)
	if b == nil {
		return
	}
	for i, s := range b.Subjects {
		ns, ok := defaultServiceAccount(s)
		if !ok {
			continue
		}
		a.Fail(subjectPath(i), fmt.Sprintf("binds the default service account of namespace %s to %s: every pod there that names no "+
			"service account receives these permissions", ns, b.RoleRef))
	}
}

// defaultServiceAccount reports whether s is a namespace's "default" service account, and which.
func defaultServiceAccount(s analysis.Subject) (string, bool) {
	sa, ok := analysis.AsServiceAccount(s)
	return sa.Namespace, ok && sa.Name == "default" && sa.Namespace != ""
}
