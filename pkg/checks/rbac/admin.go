package rbac

/*
AA-13: bindings that make someone an administrator.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules (so cluster-admin,
a role aggregating a wildcard rule, or a copy of cluster-admin under another name all count).

Fails, at subjects[i], for each subject other than the system's own bound to a role with a rule
that grants every verb on every resource, in all API groups or in the core group (which holds
Secrets, pods and tokens, and so everything else): high through a ClusterRoleBinding, medium
through a RoleBinding, whose reach ends at its namespace.

Passes: Kubernetes' own default bindings, Group system:masters (which holds everything anyway;
AA-09 judges bindings that name it), and roles without such a rule. Accepted administrators (a break-glass group, a GitOps controller) are recorded with an
exception on their binding.
*/

import (
	"fmt"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AA-13", Match: bindings, Needs: roleKinds, Assess: assessAdmin})
}

func assessAdmin(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	b := analysis.For(inv).Binding(o)
	if b == nil {
		return
	}
	var sev catalog.Severity // the control's
	if b.Namespace != "" {
		sev = catalog.SeverityMedium
	}
	unresolved := false
	for i, s := range b.Subjects {
		if systemOwned(b, i) {
			continue
		}
		if b.Role == nil {
			unresolved = true
			continue
		}
		for _, g := range b.Grants(i) {
			if g.Rule != nil && analysis.IsAdminRule(g.Rule) {
				msg := fmt.Sprintf("%s holds every verb on every resource %s through %s", s, g.Scope(), g.Via())
				if n := g.Note(); n != "" {
					msg += " (" + n + ")"
				}
				a.FailSeverity(sev, subjectPath(i), msg)
				break
			}
		}
	}
	if unresolved && len(a.Failures) == 0 {
		a.NotAssessed(unresolvedReason(b))
	}
}
