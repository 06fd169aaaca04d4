package versions

/*
UP-05: legacy or unused components that widen the attack surface.

Read: the image (and name) of every container of every workload.
Fails for a container running
  - Helm v2's Tiller (gcr.io/kubernetes-helm/tiller, ghcr.io/helm/tiller): removed in Helm 3, it
    usually holds cluster-admin rights behind an unauthenticated gRPC port;
  - the Kubernetes Dashboard (kubernetesui/dashboard, kubernetes-dashboard images): an admin web
    UI, a frequent way into clusters when exposed or bound to cluster-admin;
  - Heapster (retired in 2018) and Weave Scope (an unauthenticated admin UI, no longer
    maintained).
Passes: anything else. The guidance asks to remove components that are not used; kubeharden
cannot know what is used, so it names the ones that are either retired or a known way in.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "UP-05", Match: checks.Workloads, Assess: assessLegacyComponents})
}

// legacyComponent is a component recognised by a fragment of its image name.
type legacyComponent struct {
	images []string
	what   string
}

var legacyComponents = []legacyComponent{
	{[]string{"kubernetes-helm/tiller", "helm/tiller", "/tiller:"}, "Helm v2's Tiller, removed in Helm 3; it usually holds cluster-admin rights behind an unauthenticated gRPC port"},
	{[]string{"kubernetesui/dashboard", "kubernetes-dashboard"}, "the Kubernetes Dashboard, an admin web UI; remove it unless it is used, and never expose it or bind it to cluster-admin"},
	{[]string{"heapster"}, "Heapster, retired in 2018 (use metrics-server)"},
	{[]string{"weaveworks/scope"}, "Weave Scope, an unmaintained admin UI that lets anyone who reaches it run commands in containers"},
}

func assessLegacyComponents(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	pt := inventory.PodTemplateOf(o)
	for _, c := range pt.Containers() {
		img := strings.ToLower(c.Container.Image)
		if !strings.Contains(img, ":") {
			img += ":"
		}
		for _, lc := range legacyComponents {
			for _, frag := range lc.images {
				if strings.Contains(img, frag) {
					a.Failf(c.Path+".image", "%s %q runs %s: %s", c.Kind, c.Container.Name, c.Container.Image, lc.what)
					goto next
				}
			}
		}
	next:
	}
}
