package network

/*
NS-01, NS-02 and NS-03: workloads live in namespaces of their own, and user namespaces do not
pose as Kubernetes' own.

Fields read:
  NS-01  workloads whose effective namespace is kube-system, kube-public or kube-node-lease:
         kind, metadata.name, PODSPEC.priorityClassName and the pod's labels tier and component
  NS-02  workloads whose effective namespace is "default" (an object without metadata.namespace
         lands there unless the scan gives another default namespace)
  NS-03  Namespace metadata.name, declared or implied

Passing values:
  NS-01  kube-system: a control-plane component, as the guidance's reference test (trivy's
         KSV-0037) identifies one: a Pod (a static pod, or its mirror pod) whose labels are
         tier: control-plane and component: kube-apiserver, kube-controller-manager,
         kube-scheduler or etcd, with priorityClassName system-node-critical, and named after
         its component ("etcd", or "etcd-<node>" for the mirror pod). Everything else fails,
         add-ons such as kube-proxy, CoreDNS and CNI agents included: they are accepted with an
         exception that names them. kube-public and kube-node-lease: nothing passes; they hold
         data, not workloads.
  NS-02  not matched outside "default"; every workload in "default" fails.
  NS-03  any name except kube-* other than kube-system, kube-public and kube-node-lease.
*/

import (
	"strings"

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

// controlPlaneComponents are the components kubeadm and its likes run as static pods in
// kube-system.
var controlPlaneComponents = map[string]bool{
	"kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true, "etcd": true,
}

// controlPlaneComponent reports whether a workload in kube-system is one of the control plane's
// static pods (or their mirror pods). Every part of the test is declared by the object itself,
// so each alone is worth little: a system-* priority class is what any add-on sets, and a
// Deployment can carry the control plane's labels. Requiring all of them together, on a Pod
// named after its component, is what keeps a workload from exempting itself with one line.
func controlPlaneComponent(o *inventory.Object, pt *inventory.PodTemplate) bool {
	if o.Kind != "Pod" || pt.Spec.PriorityClassName != "system-node-critical" || pt.Meta.Labels["tier"] != "control-plane" {
		return false
	}
	c := pt.Meta.Labels["component"]
	return controlPlaneComponents[c] && (o.Name == c || strings.HasPrefix(o.Name, c+"-"))
}

func assessSystemNamespaceWorkload(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	pt := inventory.PodTemplateOf(o)
	switch ns := o.EffectiveNamespace(); ns {
	case "kube-system":
		if !controlPlaneComponent(o, pt) {
			a.Fail(namespacePath, `runs in "kube-system", the namespace of the cluster's own components, but is not a control-plane component (a static or mirror pod of kube-apiserver, kube-controller-manager, kube-scheduler or etcd, named after it, labelled tier: control-plane and component, with priorityClassName system-node-critical); move it to a namespace of its own, or record an exception for an add-on that must run there`)
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
