package rbac

/*
NS-40: who can read Secrets.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules (aggregation and
built-in roles resolved by pkg/analysis/rbac).

Fails, at subjects[i], for each subject other than the system's own that may get, list or watch
Secrets in general (list and watch return the Secrets' data just as get does): through a
ClusterRoleBinding in every namespace, through a RoleBinding in its namespace.

Passes: rules limited by resourceNames to named Secrets (the least-privilege form the guidance
asks for), Kubernetes' own default bindings, and rules that grant everything, which AA-13 reports.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var readSecrets = capability{resources: []string{"secrets"}, verbs: []string{"get", "list", "watch"}, what: "Secrets"}

func init() {
	checks.Register(checks.Check{ID: "NS-40", Match: bindings, Needs: roleKinds, Assess: assessSecrets})
}

func assessSecrets(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, nil, readSecrets)
}
