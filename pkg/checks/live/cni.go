package live

/*
NS-04: the cluster's network plugin enforces NetworkPolicies.

Read: the DaemonSets of every namespace, by name and container images.
Passes: a DaemonSet of a plugin that enforces NetworkPolicies: Calico (and Canal), Cilium (and
        GKE Dataplane V2's anetd), Antrea, kube-router, Weave Net, Kube-OVN, Azure NPM, or the
        AWS VPC CNI's network policy agent.
Fails:  Flannel is the only plugin found: it does not enforce NetworkPolicies, so every policy
        the other controls ask for is silently ignored.
Not assessed: no known plugin is found (it may run outside the cluster's objects, as on some
        managed clusters), or the scan was limited to one namespace.
*/

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "NS-04", Match: isClusterInfo, Assess: assessCNI, Needs: []string{"DaemonSet"}})
}

var (
	policyCNIs = []string{"calico", "canal", "cilium", "anetd", "antrea", "kube-router", "weave-net", "weaveworks/weave-kube",
		"kube-ovn", "azure-npm", "aws-network-policy-agent"}
	flannel = "flannel"
)

func assessCNI(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if ns := clusterInfo(o).Namespace; ns != "" {
		a.NotAssessed("the scan was limited to namespace " + ns + "; the network plugin runs elsewhere")
		return
	}
	sawFlannel := ""
	for _, d := range inv.OfKind("DaemonSet") {
		ds := d.Typed.(*appsv1.DaemonSet)
		names := append([]string{ds.Name}, images(&ds.Spec.Template.Spec)...)
		for _, n := range names {
			n = strings.ToLower(n)
			for _, p := range policyCNIs {
				if strings.Contains(n, p) {
					return
				}
			}
			if strings.Contains(n, flannel) {
				sawFlannel = ds.Namespace + "/" + ds.Name
			}
		}
	}
	if sawFlannel != "" {
		a.Fail("", "the network plugin is Flannel (DaemonSet "+sawFlannel+"), which does not enforce NetworkPolicies: every policy is ignored")
		return
	}
	a.NotAssessed("no DaemonSet of a known network plugin was found; the plugin may run outside the cluster's objects (check that it enforces NetworkPolicies)")
}
