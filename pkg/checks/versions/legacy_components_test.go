package versions

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func TestLegacyComponents(t *testing.T) {
	for image, fails := range map[string]bool{
		"gcr.io/kubernetes-helm/tiller:v2.16.12":               true,
		"ghcr.io/helm/tiller:v2.17.0":                          true,
		"kubernetesui/dashboard:v2.7.0":                        true,
		"docker.io/kubernetesui/dashboard-api:1.10.0":          true,
		"k8s.gcr.io/heapster-amd64:v1.5.4":                     true,
		"weaveworks/scope:1.13.2":                              true,
		"registry.k8s.io/metrics-server/metrics-server:v0.7.2": false,
		"nginx:1.27":                   false,
		"example.com/tilleryard/app:1": false,
	} {
		d := &appsv1.Deployment{}
		d.Name = "x"
		d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: image}}
		o := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "x", Typed: d, Meta: &d.ObjectMeta, Origin: inventory.Origin{Source: inventory.SourceCluster}}
		a := run(t, "UP-05", o, &inventory.Inventory{})
		if got := len(a.Failures) > 0; got != fails {
			t.Errorf("%s: fails %v, want %v (%+v)", image, got, fails, a.Failures)
		}
	}
}
