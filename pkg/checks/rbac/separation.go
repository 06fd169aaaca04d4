package rbac

/*
AA-21: one role shared by people and workloads.

Read: every RoleBinding and ClusterRoleBinding and the role each names.

Fails (low), at subjects[i], for each service account bound to a role that some binding (this
one or another) also gives to a person or team: a User or Group that is neither a system subject
nor a catch-all group. The guidance asks for separate, unique roles for users, administrators,
developers and service accounts; a shared role grows to fit the broadest of its holders, and a
workload then carries a person's reach.

The finding is on the service account's binding because the usual fix is there: give the
workload a role of its own. Built-in roles count (edit bound to a team and to a CI service
account fails).

Passes: roles bound to service accounts only, or to people only.
*/

import (
	"fmt"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AA-21", Match: bindings, Needs: bindingKinds, Assess: assessSeparation})
}

func assessSeparation(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	an := analysis.For(inv)
	b := an.Binding(o)
	if b == nil {
		return
	}
	var human *analysis.Subject
	var humanBinding *analysis.Binding
	for i, s := range b.Subjects {
		if !analysis.IsServiceAccount(s) || systemOwned(b, i) {
			continue
		}
		if human == nil {
			human, humanBinding = firstHuman(an.BindingsOf(b.RoleRef))
			if human == nil {
				return
			}
		}
		a.Fail(subjectPath(i), fmt.Sprintf("%s shares %s with %s (%s); give the workload a role of its own",
			s, b.RoleRef, human, humanBinding.Ref))
	}
}

func firstHuman(bs []*analysis.Binding) (*analysis.Subject, *analysis.Binding) {
	for _, b := range bs {
		for i := range b.Subjects {
			if analysis.IsHuman(b.Subjects[i]) {
				return &b.Subjects[i], b
			}
		}
	}
	return nil, nil
}
