package pod

/*
PS-24: AppArmor must not be disabled.

Fields read, first one set wins (see helpers.go on inheritance):

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.appArmorProfile.type
	metadata.annotations["container.apparmor.security.beta.kubernetes.io/<container name>"]
	spec.securityContext.appArmorProfile.type

Passes: type RuntimeDefault or Localhost; annotation runtime/default or localhost/<profile>;
        nothing set (the runtime's default profile applies); an empty annotation counts as unset.
Fails:  Unconfined (or the annotation unconfined), or any other value.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "PS-24", Match: checks.Workloads, Assess: perPod(assessAppArmor)})
}

// effAppArmor returns the effective AppArmor setting of c as a field type or annotation value.
func effAppArmor(pt *inventory.PodTemplate, c ctr) (string, level) {
	if sc := c.SecurityContext; sc != nil && sc.AppArmorProfile != nil {
		return string(sc.AppArmorProfile.Type), atContainer
	}
	if v, ok := containerAnnotation(pt, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix, c.Name); ok && v != "" {
		return v, atCtrAnnotation
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.AppArmorProfile != nil {
		return string(psc.AppArmorProfile.Type), atPod
	}
	return "", unset
}

func appArmorFieldOK(t string) bool {
	return t == string(corev1.AppArmorProfileTypeRuntimeDefault) || t == string(corev1.AppArmorProfileTypeLocalhost)
}

func appArmorAnnotationOK(v string) bool {
	return v == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault ||
		strings.HasPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix)
}

func assessAppArmor(a *checks.Assessment, pt *inventory.PodTemplate) {
	var inherited podFindings
	for c := range containers(pt) {
		v, lvl := effAppArmor(pt, c)
		switch lvl {
		case atContainer:
			if !appArmorFieldOK(v) {
				a.Fail(c.sc("appArmorProfile.type"), c.msg(" ", badProfile("AppArmor", "appArmorProfile.type", v)))
			}
		case atCtrAnnotation:
			if !appArmorAnnotationOK(v) {
				a.Fail(annotationPath(pt, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix+c.Name),
					c.msg(" ", badProfile("AppArmor", "legacy annotation", v)))
			}
		case atPod:
			if !appArmorFieldOK(v) {
				inherited.add(podSC(pt, "appArmorProfile.type"), "pod "+badProfile("AppArmor", "appArmorProfile.type", v), c)
			}
		}
	}
	inherited.flush(a)
}
