package rbac

/*
AA-16: who can raise their own privileges through RBAC itself.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules.

Fails, at subjects[i], for each subject other than the system's own that may:
  - escalate roles or clusterroles (write roles with permissions the writer does not hold),
  - bind roles or clusterroles (bind any role, whatever the binder holds),
  - impersonate users, groups, serviceaccounts or uids (act as anyone, including admins),
  - create, update or patch rolebindings or clusterrolebindings.
Impersonating users and groups and the cluster-scoped kinds are reachable through
ClusterRoleBindings only; roles, rolebindings and service accounts in the RoleBinding's namespace
too, and so is bind on clusterroles: the API server checks it in the namespace of the
RoleBinding being written, so a RoleBinding granting it lets its subjects bind any ClusterRole,
cluster-admin included, in that namespace. The built-in admin (rolebindings) and edit (impersonate serviceaccounts) roles fail here.

Passes: Kubernetes' own default bindings, rules limited to named objects by resourceNames, and rules that grant
everything (AA-13 reports those).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var escalationCapabilities = []capability{
	{resources: []string{"roles", "clusterroles"}, verbs: []string{"escalate"}, note: "escalate lets a subject write roles granting more than it holds"},
	{resources: []string{"roles", "clusterroles"}, verbs: []string{"bind"}, note: "bind lets a subject bind roles granting more than it holds"},
	{resources: []string{"users", "groups", "serviceaccounts", "uids"}, verbs: []string{"impersonate"}, note: "impersonation acts with the impersonated identity's permissions"},
	{resources: []string{"rolebindings", "clusterrolebindings"}, verbs: []string{"create", "update", "patch"}},
}

func init() {
	checks.Register(checks.Check{ID: "AA-16", Match: bindings, Needs: roleKinds, Assess: assessEscalation})
}

func assessEscalation(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, nil, escalationCapabilities...)
}
