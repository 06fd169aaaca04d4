package network

/*
NS-07: every workload's pods are isolated by NetworkPolicies in both directions.

Fields read:
  the pod template's labels (metadata.labels of a Pod, spec.template.metadata.labels of a
  Deployment, ...), PODSPEC.hostNetwork
  NetworkPolicies of the workload's namespace: spec.podSelector (matchLabels and
  matchExpressions), spec.policyTypes (or its default)

Passing values: for Ingress and for Egress, at least one policy of the namespace selects the
pods and lists that direction among its policy types. A default-deny policy (empty podSelector)
selects every pod, so a namespace with default-deny ingress and egress passes all its workloads.

What the isolating policies then allow is not judged here: rules that admit every peer are
NS-08's, egress to the metadata service NS-41's.

Not assessed: workloads in kube-system, kube-public and kube-node-lease (skipped, like the
namespace-level controls) and host-network pods (skipped: NetworkPolicies do not apply to
them, and hostNetwork is reported by the Pod security controls). When the workload's namespace
is only implied and the set is not complete, an open direction makes the workload not assessed
rather than failed: the policies that select it may be in files that were not scanned.
*/

import (
	"github.com/kubeharden/kubeharden/internal/intern"
	"github.com/kubeharden/kubeharden/internal/quickfmt"
	"github.com/kubeharden/kubeharden/pkg/analysis/netpol"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"k8s.io/apimachinery/pkg/labels"
)

func init() {
	checks.Register(checks.Check{ID: "NS-07", Match: checks.Workloads, Assess: assessWorkloadIsolation, Gather: gatherWorkloadIsolation,
		Needs: []string{"NetworkPolicy"}})
}

// openMessages are the messages for an open direction, split around the namespace (quoted) and
// the pod labels.
var openMessages = map[netpol.Direction][3]string{
	netpol.Ingress: {"ingress is open: no NetworkPolicy in namespace ", " selects these pods (", ") for Ingress, so any pod in the cluster, and any address that can route to them, may connect"},
	netpol.Egress:  {"egress is open: no NetworkPolicy in namespace ", " selects these pods (", ") for Egress, so they may connect to any pod, the internet and the cloud metadata service"},
}

// isolationApplies says whether NS-07 judges the workload: not in a system namespace, and not
// on the host's network, where NetworkPolicies do not apply.
func isolationApplies(o *inventory.Object, pt *inventory.PodTemplate) bool {
	return pt != nil && !systemNamespaces[o.EffectiveNamespace()] && !pt.Spec.HostNetwork
}

// assessWorkloadIsolation judges a workload whose decoded value is at hand, allocating nothing
// for a workload that passes.
func assessWorkloadIsolation(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	pt := inventory.PodTemplateOf(o)
	if !isolationApplies(o, pt) {
		a.Skip()
		return
	}
	judgeWorkloadIsolation(a, o.EffectiveNamespace(), labels.Set(pt.Meta.Labels), func() (string, int) {
		path := labelsPath(pt)
		return path, o.Line(path)
	}, inv)
}

// gatherWorkloadIsolation keeps the pod labels, their path and line: all the verdict reads of
// a workload that a streamed scan releases.
func gatherWorkloadIsolation(o *inventory.Object) checks.Verdict {
	pt := inventory.PodTemplateOf(o)
	if !isolationApplies(o, pt) {
		return nil
	}
	podLabels := inventory.CopyLabels(pt.Meta.Labels)
	path := labelsPath(pt)
	line := o.Line(path)
	return func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
		judgeWorkloadIsolation(a, o.EffectiveNamespace(), podLabels, func() (string, int) { return path, line }, inv)
	}
}

// labelSet is a pod's labels as a selector reads them and a message renders them.
type labelSet interface {
	labels.Labels
	String() string
}

// judgeWorkloadIsolation gives the verdict; where returns the path and line a failure names.
func judgeWorkloadIsolation(a *checks.Assessment, ns string, podLabels labelSet, where func() (string, int), inv *inventory.Inventory) {
	x := indexOf(inv)
	isolated := x.policies[ns].Isolation(podLabels)
	open := netpol.Both &^ isolated
	if open == netpol.None {
		return
	}
	if x.partial(inv, ns) {
		a.NotAssessed(notDeclared(ns, networkPolicies))
		return
	}
	described := describeLabels(podLabels)
	path, line := where()
	var selected string
	if by := x.policies[ns].Selecting(podLabels); len(by) > 0 {
		names := make([]string, len(by))
		for i, p := range by {
			names[i] = p.Name
		}
		selected = " (selected by " + quoteNames(names) + " for " + isolated.String() + " only)"
	}
	// Every open workload of a large cluster gets these messages: each is built in one
	// allocation, not through fmt.
	var buf [320]byte
	for _, d := range []netpol.Direction{netpol.Ingress, netpol.Egress} {
		if !open.Has(d) {
			continue
		}
		m := openMessages[d]
		b := append(buf[:0], m[0]...)
		b = quickfmt.AppendQuote(b, ns)
		b = append(b, m[1]...)
		b = append(b, described...)
		b = append(b, m[2]...)
		b = append(b, selected...)
		a.FailLine(path, line, intern.Bytes(b))
	}
}
