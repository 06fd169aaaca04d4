package versions

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func TestIngressNginx(t *testing.T) {
	for image, want := range map[string]string{
		"registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:5b161f051d017e55d358435f295f5e9a297e66158f136321d9b04520ec6c48a3": "fail",
		"registry.k8s.io/ingress-nginx/controller:v1.11.4":                                                                        "fail",
		"registry.k8s.io/ingress-nginx/controller:v1.12.0":                                                                        "fail",
		"quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.26.1":                                                   "fail",
		"registry.k8s.io/ingress-nginx/controller:v1.11.5":                                                                        "pass",
		"registry.k8s.io/ingress-nginx/controller:v1.12.1":                                                                        "pass",
		"registry.k8s.io/ingress-nginx/controller:v1.13.0-rc1":                                                                    "pass",
		"registry.k8s.io/ingress-nginx/controller:latest":                                                                         "not assessed",
		"registry.k8s.io/ingress-nginx/controller@sha256:5b161f051d017e55d358435f295f5e9a297e66158f136321d9b04520ec6c48a3":        "not assessed",
	} {
		d := &appsv1.Deployment{}
		d.Name = "ingress-nginx-controller"
		d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "controller", Image: image}}
		o := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, Typed: d, Meta: &d.ObjectMeta}
		a := run(t, "UP-03", o, &inventory.Inventory{})
		got := "pass"
		switch {
		case a.NotAssessedReason != "":
			got = "not assessed"
		case len(a.Failures) > 0:
			got = "fail"
			if a.Failures[0].Path != "spec.template.spec.containers[0].image" {
				t.Errorf("%s: path %s", image, a.Failures[0].Path)
			}
		}
		if got != want {
			t.Errorf("%s: %s, want %s (%+v)", image, got, want, a.Failures)
		}
	}

	// Other workloads have no verdict; ConfigMaps have one when they set the key.
	d := &appsv1.Deployment{}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "web", Image: "nginx:1.27"}}
	if ingressNginxObject(&inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Typed: d, Meta: &d.ObjectMeta}) {
		t.Error("a plain nginx Deployment matched")
	}
	for value, fails := range map[string]bool{"true": true, "false": false} {
		cm := &corev1.ConfigMap{Data: map[string]string{snippetKey: value}}
		o := &inventory.Object{APIVersion: "v1", Kind: "ConfigMap", Name: "ingress-nginx-controller", Typed: cm, Meta: &cm.ObjectMeta}
		a := run(t, "UP-03", o, &inventory.Inventory{})
		if got := len(a.Failures) > 0; got != fails || fails && a.Failures[0].Path != "data.allow-snippet-annotations" {
			t.Errorf("allow-snippet-annotations %s: %+v", value, a.Failures)
		}
	}
	if cm := (&corev1.ConfigMap{Data: map[string]string{"a": "b"}}); ingressNginxObject(&inventory.Object{APIVersion: "v1", Kind: "ConfigMap", Typed: cm, Meta: &cm.ObjectMeta}) {
		t.Error("a ConfigMap without the key matched")
	}
}
