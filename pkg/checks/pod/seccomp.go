package pod

/*
PS-23: every container must run under a seccomp profile.

Fields read, first one set wins (see helpers.go on inheritance):

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.seccompProfile.type
	metadata.annotations["container.seccomp.security.alpha.kubernetes.io/<container name>"]
	spec.securityContext.seccompProfile.type
	metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]

Passes: type RuntimeDefault or Localhost; annotation runtime/default, docker/default or
        localhost/<profile>.
Fails:  Unconfined (or the annotation unconfined), any other value, or nothing set at all.
Skips:  pods with spec.os.name: windows, where the API server forbids seccomp settings.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

const (
	seccompPodAnnotation       = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerAnnotation = "container.seccomp.security.alpha.kubernetes.io/"
)

func init() {
	checks.Register(checks.Check{ID: "PS-23", Match: checks.Workloads, Assess: perPod(assessSeccomp)})
}

// containerAnnotation returns the value of annotation prefix+name without building the key.
func containerAnnotation(pt *inventory.PodTemplate, prefix, name string) (string, bool) {
	for k, v := range pt.Meta.Annotations {
		if len(k) == len(prefix)+len(name) && strings.HasPrefix(k, prefix) && k[len(prefix):] == name {
			return v, true
		}
	}
	return "", false
}

// effSeccomp returns the effective seccomp setting of c as a field type or annotation value.
func effSeccomp(pt *inventory.PodTemplate, c ctr) (string, level) {
	if sc := c.SecurityContext; sc != nil && sc.SeccompProfile != nil {
		return string(sc.SeccompProfile.Type), atContainer
	}
	if v, ok := containerAnnotation(pt, seccompContainerAnnotation, c.Name); ok {
		return v, atCtrAnnotation
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.SeccompProfile != nil {
		return string(psc.SeccompProfile.Type), atPod
	}
	if v, ok := pt.Meta.Annotations[seccompPodAnnotation]; ok {
		return v, atPodAnnotation
	}
	return "", unset
}

func seccompFieldOK(t string) bool {
	return t == string(corev1.SeccompProfileTypeRuntimeDefault) || t == string(corev1.SeccompProfileTypeLocalhost)
}

func seccompAnnotationOK(v string) bool {
	return v == corev1.SeccompProfileRuntimeDefault || v == corev1.DeprecatedSeccompProfileDockerDefault ||
		strings.HasPrefix(v, corev1.SeccompLocalhostProfileNamePrefix)
}

func assessSeccomp(a *checks.Assessment, pt *inventory.PodTemplate) {
	if isWindows(pt) {
		a.Skip()
		return
	}
	var inherited podFindings
	for c := range containers(pt) {
		v, lvl := effSeccomp(pt, c)
		switch lvl {
		case unset:
			a.Fail(c.sc("seccompProfile"), c.msg(" has no seccomp profile (set seccompProfile.type: RuntimeDefault)"))
		case atContainer:
			if !seccompFieldOK(v) {
				a.Fail(c.sc("seccompProfile.type"), c.msg(" ", badProfile("seccomp", "seccompProfile.type", v)))
			}
		case atCtrAnnotation:
			if !seccompAnnotationOK(v) {
				a.Fail(annotationPath(pt, seccompContainerAnnotation+c.Name), c.msg(" ", badProfile("seccomp", "legacy annotation", v)))
			}
		case atPod:
			if !seccompFieldOK(v) {
				inherited.add(podSC(pt, "seccompProfile.type"), "pod "+badProfile("seccomp", "seccompProfile.type", v), c)
			}
		case atPodAnnotation:
			if !seccompAnnotationOK(v) {
				inherited.add(annotationPath(pt, seccompPodAnnotation), "pod "+badProfile("seccomp", "legacy annotation", v), c)
			}
		}
	}
	inherited.flush(a)
}

// badProfile describes a rejected seccomp or AppArmor setting: `runs without seccomp
// (seccompProfile.type Unconfined)` or `sets an unknown AppArmor profile "x" (legacy annotation)`.
func badProfile(what, where, v string) string {
	if strings.EqualFold(v, "unconfined") {
		return "runs without " + what + " (" + where + " " + v + ")"
	}
	return "sets an unknown " + what + " profile " + quote(v) + " (" + where + ")"
}
