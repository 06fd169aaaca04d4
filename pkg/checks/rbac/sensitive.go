package rbac

/*
AA-18: who holds one of the permissions that lead to node or cluster takeover.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules.

Fails, at subjects[i], for each subject other than the system's own that may:
  - use nodes/proxy (any verb): the kubelet API of every node, which runs commands in any pod
    and bypasses admission and audit of the API server;                               (high)
  - create, update, patch or delete mutating or validating webhook configurations, or
    admission policies and their bindings: switch off or rewrite admission control;   (high)
  - update or patch certificatesigningrequests/approval: approve certificates, including
    client certificates for any user or group;                                        (high)
  - create serviceaccounts/token: mint tokens for any service account of a namespace;  (medium)
  - create persistentvolumes: a hostPath volume mounts any directory of a node.        (medium)
The cluster-scoped ones (all but tokens) are reachable through ClusterRoleBindings only.

Passes: Kubernetes' own default bindings, rules limited to named objects by resourceNames, and rules that grant
everything (AA-13 reports those).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var takeoverCapabilities = []capability{
	{resources: []string{"nodes/proxy"}, verbs: []string{"get", "create", "update", "patch", "delete"}, note: "this is the kubelet API of every node"},
	{resources: []string{"mutatingwebhookconfigurations", "validatingwebhookconfigurations", "mutatingadmissionpolicies",
		"mutatingadmissionpolicybindings", "validatingadmissionpolicies", "validatingadmissionpolicybindings"},
		verbs: []string{"create", "update", "patch", "delete"}},
	{resources: []string{"certificatesigningrequests/approval"}, verbs: []string{"update", "patch"}, what: "certificate signing requests (approval)"},
	{resources: []string{"serviceaccounts/token"}, verbs: []string{"create"}, what: "service account tokens", severity: catalog.SeverityMedium},
	{resources: []string{"persistentvolumes"}, verbs: []string{"create"}, severity: catalog.SeverityMedium, note: "a hostPath volume mounts any node directory"},
}

func init() {
	checks.Register(checks.Check{ID: "AA-18", Match: bindings, Needs: roleKinds, Assess: assessTakeover})
}

func assessTakeover(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, nil, takeoverCapabilities...)
}
