package rbac

// AA-14: roles whose rules use wildcards.
//
// Read: the rules of every Role and ClusterRole as written.
//
// Fails, at rules[i].<field>:
//   - verbs containing "*": every verb, including escalate, bind and impersonate, and any verb
//     added later;                                                                     (medium)
//   - resources containing "*": every resource and subresource of the rule's groups;   (medium)
//   - resources of the form "*/name": that subresource of every resource;              (low)
//   - apiGroups containing "*" with named resources: those names in every API group,
//     including custom resources installed later;                                      (low)
//   - nonResourceURLs containing "*": every non-resource path, /logs and /debug too.   (medium)
//
// Skipped: ClusterRoles with an aggregationRule (their rules are written by the aggregation
// controller from other roles, which are checked where they are declared) and Kubernetes' own
// default roles as a live cluster shows them (rbac.IsKubernetesDefault).
//
// Passes: rules that list their verbs, resources and groups. Whether the role is bound does not
// matter: an unbound wildcard role is one binding away from use.

import (
	"slices"
	"strings"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	rbacv1 "k8s.io/api/rbac/v1"
)

func init() {
	checks.Register(checks.Check{ID: "AA-14", Match: checks.Kinds(roleKinds...), Assess: assessWildcards})
}

func assessWildcards(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	var rules []rbacv1.PolicyRule
	switch t := o.Typed.(type) {
	case *rbacv1.Role:
		rules = t.Rules
	case *rbacv1.ClusterRole:
		if t.AggregationRule != nil {
			a.Skip()
			return
		}
		rules = t.Rules
	default:
		return
	}
	if analysis.IsKubernetesDefault(o.Meta) {
		a.Skip()
		return
	}
	for i := range rules {
		r := &rules[i]
		p := inventory.Index("rules", i)
		desc := analysis.DescribeRule(r)
		if slices.Contains(r.Verbs, rbacv1.VerbAll) {
			a.Failf(inventory.Field(p, "verbs"), "rule %q allows every verb, including escalate, bind and impersonate where they apply", desc)
		}
		switch {
		case slices.Contains(r.Resources, rbacv1.ResourceAll):
			a.Failf(inventory.Field(p, "resources"), "rule %q covers every resource and subresource of its API groups", desc)
		case slices.ContainsFunc(r.Resources, func(s string) bool { return strings.HasPrefix(s, "*/") }):
			a.FailSeverity(catalog.SeverityLow, inventory.Field(p, "resources"),
				"rule "+quote(desc)+" covers a subresource of every resource")
		case slices.Contains(r.APIGroups, rbacv1.APIGroupAll) && len(r.Resources) > 0:
			a.FailSeverity(catalog.SeverityLow, inventory.Field(p, "apiGroups"),
				"rule "+quote(desc)+" matches its resources in every API group, including custom resources installed later")
		}
		if slices.Contains(r.NonResourceURLs, rbacv1.NonResourceAll) {
			a.Failf(inventory.Field(p, "nonResourceURLs"), "rule %q covers every non-resource URL", desc)
		}
	}
}

func quote(s string) string { return `"` + s + `"` }
