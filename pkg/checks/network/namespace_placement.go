package network

/*
NS-01, NS-02 and NS-03: workloads live in namespaces of their own, and user namespaces do not
pose as Kubernetes' own.

Fields read:
  NS-01  workloads whose effective namespace is kube-system, kube-public or kube-node-lease:
         PODSPEC.priorityClassName and the pod template's labels tier and component
  NS-02  workloads whose effective namespace is "default" (an object without metadata.namespace
         lands there unless the scan gives another default namespace)
  NS-03  Namespace metadata.name, declared or implied

Passing values:
  NS-01  kube-system: the workload marks itself as a cluster component, with priorityClassName
         system-node-critical or system-cluster-critical (what kube-proxy, CoreDNS, CNI and CSI
         agents and the control plane set) or the label tier: control-plane (kubeadm's static
         pods). kube-public and kube-node-lease: nothing passes; they hold data, not workloads.
  NS-02  not matched outside "default"; every workload in "default" fails.
  NS-03  any name except kube-* other than kube-system, kube-public and kube-node-lease.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-01", Match: inSystemNamespace, Assess: assessSystemNamespaceWorkload},
		checks.Check{ID: "NS-02", Match: inDefaultNamespace, Assess: assessDefaultNamespaceWorkload},
		checks.Check{ID: "NS-03", Match: checks.Kinds("Namespace"), Assess: assessKubePrefix},
	)
}

const namespacePath = "metadata.namespace"

func inSystemNamespace(o *inventory.Object) bool {
	return systemNamespaces[o.EffectiveNamespace()] && inventory.HasPodTemplate(o)
}

func inDefaultNamespace(o *inventory.Object) bool {
	return o.EffectiveNamespace() == "default" && inventory.HasPodTemplate(o)
}

// clusterComponent reports whether a workload in kube-system says it is part of the cluster.
// Priority classes are the signal that carries across distributions: the system-* classes exist
// so cluster add-ons are scheduled before (and evicted after) user pods, and every mainstream
// add-on sets one.
func clusterComponent(pt *inventory.PodTemplate) bool {
	switch pt.Spec.PriorityClassName {
	case "system-node-critical", "system-cluster-critical":
		return true
	}
	return pt.Meta.Labels["tier"] == "control-plane"
}

func assessSystemNamespaceWorkload(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	pt := inventory.PodTemplateOf(o)
	switch ns := o.EffectiveNamespace(); ns {
	case "kube-system":
		if !clusterComponent(pt) {
			a.Fail(namespacePath, `runs in "kube-system", the namespace of the cluster's own components, but does not mark itself as one (no system-node-critical or system-cluster-critical priorityClassName, no tier: control-plane label); move it to a namespace of its own`)
		}
	case "kube-public":
		a.Fail(namespacePath, `runs in "kube-public", which holds cluster-wide readable data, not workloads; move it to a namespace of its own`)
	case "kube-node-lease":
		a.Fail(namespacePath, `runs in "kube-node-lease", which holds node heartbeat Leases, not workloads; move it to a namespace of its own`)
	}
}

func assessDefaultNamespaceWorkload(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	if o.Namespace == "" && o.DefaultNamespace == "" {
		a.Fail(namespacePath, `names no namespace, so it is created in "default"; give it a namespace of its own`)
		return
	}
	a.Fail(namespacePath, `runs in the "default" namespace, where it shares policies, quotas and access rules with anything else created there; give it a namespace of its own`)
}

func assessKubePrefix(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	if len(o.Name) > 5 && o.Name[:5] == "kube-" && !systemNamespaces[o.Name] {
		a.Failf("metadata.name", `namespace %q uses the "kube-" prefix, which Kubernetes reserves for its own namespaces`, o.Name)
	}
}
