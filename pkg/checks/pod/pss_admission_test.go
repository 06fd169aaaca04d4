package pod

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// TestAdmittedViewLeavesTheManifest: a Pod on the host's network is judged with the host ports
// its admission gives it, the finding points at the port the manifest wrote, and the object in
// the inventory keeps what the manifest wrote. A workload's template gets no such ports.
func TestAdmittedViewLeavesTheManifest(t *testing.T) {
	spec := corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{
		Name: "web", Image: "web:1", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}}}
	pod := &corev1.Pod{Spec: *spec.DeepCopy()}
	pod.Annotations = map[string]string{corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "web": "unconfined"}
	o := podObject(pod, "web")
	before := pod.DeepCopy()
	var a checks.Assessment
	c, _ := checks.Lookup("PS-40")
	c.Assess(&a, o, nil)
	paths := map[string]bool{}
	for _, f := range a.Failures {
		paths[f.Path] = true
	}
	if !paths["spec.containers[0].ports[0].containerPort"] || !paths[`metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"]`] {
		t.Errorf("paths %v, want the container port and the annotation", paths)
	}
	if !equality.Semantic.DeepEqual(pod, before) {
		t.Errorf("the assessment changed the Pod in the inventory")
	}

	d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}}}
	d.Name = "web"
	dep := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Typed: d, Meta: &d.ObjectMeta}
	a = checks.Assessment{}
	c.Assess(&a, dep, nil)
	for _, f := range a.Failures {
		if f.Path == "spec.template.spec.containers[0].ports[0].containerPort" {
			t.Errorf("a Deployment's template got host ports: %v", f)
		}
	}
}
