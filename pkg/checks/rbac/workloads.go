package rbac

/*
AA-17: who can create or change workloads broadly.

Read: every RoleBinding and ClusterRoleBinding, with its role's effective rules.

Fails, at subjects[i], for a subject other than the system's own that may create, update or
patch pods, deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs or
replicationcontrollers, when the grant is broad:
  - cluster-wide (a ClusterRoleBinding): a pod in any namespace can mount that namespace's
    Secrets and run as its most privileged service account, so the subject holds every
    namespace's credentials;
  - or to a catch-all group (system:authenticated, system:serviceaccounts[:NS]), so every
    identity or every workload holds it.
One failure per subject lists every kind it may write.

Passes: a RoleBinding to named users, groups or service accounts (the normal way to let a team or
a deployment pipeline run workloads in its own namespace), Kubernetes' own default bindings, and rules that
grant everything (AA-13 reports those).
*/

import (
	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var writeWorkloads = capability{
	resources: []string{"pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "replicationcontrollers"},
	verbs:     []string{"create", "update", "patch"},
}

func init() {
	checks.Register(checks.Check{ID: "AA-17", Match: bindings, Needs: roleKinds, Assess: assessWorkloads})
}

func assessWorkloads(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessCapabilities(a, o, inv, broadly, writeWorkloads)
}

// broadly judges grants that reach every namespace or every member of a catch-all group.
func broadly(b *analysis.Binding, s analysis.Subject) bool {
	return b.Namespace == "" || (s.Kind == analysis.KindGroup && analysis.IsBroadGroup(s.Name))
}
