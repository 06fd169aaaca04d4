package rbac

/*
AA-05 and AA-06: what is granted to everyone.

Read: every RoleBinding and ClusterRoleBinding whose subjects name the catch-all identities, and
its role's effective rules.

AA-05 (critical) fails, at subjects[i], for User system:anonymous and Group
system:unauthenticated: anyone who can reach the API server, with no credentials. AA-06 (high)
fails for Group system:authenticated (every user and every service account) and Group
system:serviceaccounts (every workload of the cluster).

Each passes when every rule the binding grants them is within what Kubernetes grants those groups
by default: the health and version endpoints for unauthenticated callers; for authenticated ones
also API discovery, self-review (selfsubjectaccessreviews, selfsubjectrulesreviews,
selfsubjectreviews) and the service account issuer's public keys. So bindings like
the default system:public-info-viewer, system:discovery and system:basic-user pass, and anything
else fails, naming the first rule that goes beyond. Kubernetes' own default bindings pass as the
bootstrap policy writes them (system:cluster-trust-bundle-discovery lets every service account
read the cluster's public trust bundles).
*/

import (
	"fmt"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	rbacv1 "k8s.io/api/rbac/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "AA-05", Match: bindings, Needs: roleKinds, Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			assessEveryone(a, o, inv, unauthenticated, analysis.PublicInfoRules())
		}},
		checks.Check{ID: "AA-06", Match: bindings, Needs: roleKinds, Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			assessEveryone(a, o, inv, authenticated, analysis.DiscoveryRules())
		}},
	)
}

// unauthenticated names the subjects AA-05 judges, with who they stand for.
func unauthenticated(s analysis.Subject) string {
	switch {
	case s.Kind == analysis.KindUser && s.Name == analysis.UserAnonymous,
		s.Kind == analysis.KindGroup && s.Name == analysis.GroupUnauthenticated:
		return "anyone who reaches the API server without credentials"
	}
	return ""
}

// authenticated names the subjects AA-06 judges.
func authenticated(s analysis.Subject) string {
	if s.Kind != analysis.KindGroup {
		return ""
	}
	switch s.Name {
	case analysis.GroupAuthenticated:
		return "every user and service account"
	case analysis.GroupServiceAccounts:
		return "every service account of the cluster"
	}
	return ""
}

func assessEveryone(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory, who func(analysis.Subject) string, baseline []rbacv1.PolicyRule) {
	b := analysis.For(inv).Binding(o)
	if b == nil {
		return
	}
	unresolved := false
	for i, s := range b.Subjects {
		whom := who(s)
		if whom == "" || b.KubernetesDefault(i) {
			continue
		}
		if b.Role == nil {
			unresolved = true
			continue
		}
		for _, g := range b.Grants(i) {
			if g.Ineffective() || analysis.Covers(baseline, *g.Rule) {
				continue
			}
			msg := fmt.Sprintf("%s (%s) is granted %q %s through %s", s, whom, analysis.DescribeRule(g.Rule), g.Scope(), g.Via())
			if n := g.Note(); n != "" {
				msg += " (" + n + ")"
			}
			a.Fail(subjectPath(i), msg)
			break
		}
	}
	if unresolved && len(a.Failures) == 0 {
		a.NotAssessed(unresolvedReason(b))
	}
}
