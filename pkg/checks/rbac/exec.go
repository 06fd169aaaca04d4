package rbac

/*
AA-15: who can run commands in, attach to or port-forward into running containers.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules.

Fails, at subjects[i], for each subject other than the system's own that may create pods/exec,
pods/attach or pods/portforward for any pod (through "*" resources, "*" verbs or the subresource
itself). A subject that lacks create but holds get on one of them fails at medium severity:
until Kubernetes 1.35 the API server authorised WebSocket exec, attach and port-forward with get
alone, and many clusters still run such versions.

Passes: rules limited to named pods by resourceNames, Kubernetes' own default bindings, and rules that grant
everything (AA-13 reports those).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var execCapabilities = []capability{{
	resources: []string{"pods/exec", "pods/attach", "pods/portforward"}, verbs: []string{"create"},
	weaker: &capability{verbs: []string{"get"}, severity: catalog.SeverityMedium,
		note: "before Kubernetes 1.35 get alone allows this through WebSockets"},
}}

func init() {
	checks.Register(checks.Check{ID: "AA-15", Match: bindings, Needs: roleKinds, Assess: assessExec})
}

func assessExec(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, nil, execCapabilities...)
}
