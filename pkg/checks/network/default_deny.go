package network

/*
NS-05 and NS-06: every namespace is covered by NetworkPolicies, starting from a default deny.

Fields read (per Namespace object, declared or implied, except kube-system, kube-public and
kube-node-lease):
  NetworkPolicies of the namespace: spec.podSelector, spec.policyTypes (or its default),
  spec.ingress, spec.egress
  the workloads of the namespace (objects with a pod template), counted

Passing values:
  NS-05  the namespace has at least one NetworkPolicy.
  NS-06  a policy with an empty podSelector, Ingress among its effective policy types and no
         ingress rules, and one (the same or another) with Egress and no egress rules.

A namespace without workloads is skipped by both: it has no pods to isolate yet, and a
namespace holding only Services, Ingresses or configuration would otherwise fail twice for
policies that would protect nothing. The pods that arrive later are judged when they do.

Both follow the completeness rule (see namespace_index.go): when the namespace is only implied
and the set is not complete, a namespace that would fail is not assessed instead.

NS-06 reports the two directions as separate failures, so the finding says exactly which default
deny is missing. Open egress is reported here, per namespace, and by NS-07 per workload; NS-41
does not report namespaces without egress policies again (it judges the rules that exist).
*/

import (
	"fmt"

	"github.com/kubeharden/kubeharden/pkg/analysis/netpol"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-05", Match: checks.Kinds("Namespace"), Assess: assessHasNetworkPolicy, Needs: []string{"NetworkPolicy"}},
		checks.Check{ID: "NS-06", Match: checks.Kinds("Namespace"), Assess: assessDefaultDeny, Needs: []string{"NetworkPolicy"}},
	)
}

const networkPolicies = "NetworkPolicies"

func assessHasNetworkPolicy(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	ns := o.Name
	x := indexOf(inv)
	if systemNamespaces[ns] || x.workloads[ns] == 0 {
		a.Skip()
		return
	}
	if len(x.policies[ns]) > 0 {
		return
	}
	if x.partial(inv, ns) {
		a.NotAssessed(notDeclared(ns, networkPolicies))
		return
	}
	n := x.workloads[ns]
	plural := "s"
	if n == 1 {
		plural = ""
	}
	a.Failf("", "namespace %q has %d workload%s and no NetworkPolicy: its pods accept connections from every pod in the cluster and may connect anywhere", ns, n, plural)
}

var denyMessages = map[netpol.Direction]string{
	netpol.Ingress: "no default-deny ingress policy (podSelector: {}, policyTypes: [Ingress], no ingress rules): pods that no other policy selects for Ingress accept connections from anywhere",
	netpol.Egress:  "no default-deny egress policy (podSelector: {}, policyTypes: [Egress], no egress rules): pods that no other policy selects for Egress may connect anywhere, the cloud metadata service included",
}

func assessDefaultDeny(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	ns := o.Name
	x := indexOf(inv)
	if systemNamespaces[ns] || x.workloads[ns] == 0 {
		a.Skip()
		return
	}
	set := x.policies[ns]
	missing := netpol.Both &^ set.DefaultDeny()
	if missing == netpol.None {
		return
	}
	if x.partial(inv, ns) {
		a.NotAssessed(notDeclared(ns, networkPolicies))
		return
	}
	for _, d := range []netpol.Direction{netpol.Ingress, netpol.Egress} {
		if !missing.Has(d) {
			continue
		}
		msg := denyMessages[d]
		// A namespace-wide policy with rules is the usual near miss ("deny all egress but
		// DNS"); saying so saves the reader a search.
		var near []string
		for _, p := range set {
			if p.IsolatesAllWithRules(d) {
				near = append(near, p.Name)
			}
		}
		switch len(near) {
		case 0:
		case 1:
			msg += fmt.Sprintf("; policy %s selects every pod for %s but also allows traffic, so it is not a default deny: keep it and add a policy without %s rules", quoteNames(near), d, d)
		default:
			msg += fmt.Sprintf("; policies %s select every pod for %s but also allow traffic, so they are no default deny: keep them and add a policy without %s rules", quoteNames(near), d, d)
		}
		a.Fail("", msg)
	}
}
