package network

/*
PS-12: every namespace enforces a Pod Security Standard through Pod Security Admission.

Fields read (per Namespace object, declared or implied, except kube-system, kube-public and
kube-node-lease): metadata.labels["pod-security.kubernetes.io/enforce"].

Passing values: "baseline" or "restricted". A missing label, "privileged" or any other value
fails, at the label's path.

The three Kubernetes namespaces are skipped: kube-system runs the node agents (CNI, kube-proxy,
CSI) that need privileged pods, and Kubernetes exempts none of them by itself; keeping user
workloads out of them is NS-01's job. A cluster-wide default set in the API server's
PodSecurity admission configuration is not visible in manifests; a cluster that relies on one
can exempt the control in the configuration file.

An implied namespace's labels are unknown, so it follows the completeness rule (see
namespace_index.go): not assessed unless the set is complete, in which case a namespace that no
input declares has no labels and fails.

This check lives with the network checks because it is per namespace and shares their index
and completeness rule; its control belongs to the Pod security section.
*/

import (
	"fmt"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-12", Match: checks.Kinds("Namespace"), Assess: assessPodSecurityLabel, Cross: true})
}

const enforceLabel = "pod-security.kubernetes.io/enforce"

var enforcePath = inventory.Field("metadata.labels", enforceLabel)

func assessPodSecurityLabel(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	ns := o.Name
	if systemNamespaces[ns] {
		a.Skip()
		return
	}
	if o.Implied && (inv == nil || !inv.Complete) {
		a.NotAssessed(fmt.Sprintf("namespace %q is not declared in the scanned input, so its Pod Security labels are unknown; scan it with its Namespace object or pass --complete", ns))
		return
	}
	var level string
	var set bool
	if o.Meta != nil {
		level, set = o.Meta.Labels[enforceLabel]
	}
	switch {
	case !set:
		a.Fail(enforcePath, "no "+enforceLabel+" label: pods are admitted under the cluster's default level, which is privileged unless the API server's admission configuration says otherwise; set it to restricted, or baseline")
	case level == "baseline" || level == "restricted":
	case level == "privileged":
		a.Fail(enforcePath, enforceLabel+": privileged admits privileged containers, host namespaces and hostPath volumes; set it to restricted, or baseline")
	default:
		a.Failf(enforcePath, "%s: %q is not a Pod Security level (privileged, baseline or restricted); set it to restricted, or baseline", enforceLabel, level)
	}
}
