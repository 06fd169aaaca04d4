package rbac

/*
AA-19: who can erase the traces an intruder leaves in events.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules.

Fails, at subjects[i], for each subject other than the system's own that may delete or
deletecollection events (core or events.k8s.io).

Container logs are not covered: the API serves pods/log for reading only, so no RBAC rule can
grant deleting them; they go with the pod, which AA-17 watches.

Passes: Kubernetes' own default bindings (the API server expires events itself), rules limited to named events,
and rules that grant everything (AA-13 reports those).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var deleteEvents = capability{resources: []string{"events", "events.events.k8s.io"}, verbs: []string{"delete", "deletecollection"}, what: "events"}

func init() {
	checks.Register(checks.Check{ID: "AA-19", Match: bindings, Needs: roleKinds, Assess: assessEvents})
}

func assessEvents(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, nil, deleteEvents)
}
