package pod

/*
PS-23: every container must run under a seccomp profile.

Fields read, first one set wins (see helpers.go on inheritance):

	spec.{containers,initContainers,ephemeralContainers}[*].securityContext.seccompProfile
	spec.securityContext.seccompProfile

Passes: type RuntimeDefault, or Localhost with a localhostProfile.
Fails:  Unconfined, Localhost without a localhostProfile (the API server refuses it) or with an
        empty one, any other value, or nothing set at all. The legacy annotations
        (seccomp.security.alpha.kubernetes.io/pod and
        container.seccomp.security.alpha.kubernetes.io/<name>) count for nothing: the kubelet
        has ignored them since Kubernetes 1.27, so a container with only an annotation runs
        without seccomp. The finding then points at the annotation, which misleads its reader.
Skips:  pods with spec.os.name: windows, where the API server forbids seccomp settings.

PS-40 and PS-41 still judge the annotations, as the Pod Security Standards do.
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

// effSeccomp returns the seccomp profile that applies to c, and where it is set.
func effSeccomp(pt *inventory.PodTemplate, c ctr) (*corev1.SeccompProfile, level) {
	if sc := c.SecurityContext; sc != nil && sc.SeccompProfile != nil {
		return sc.SeccompProfile, atContainer
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.SeccompProfile != nil {
		return psc.SeccompProfile, atPod
	}
	return nil, unset
}

// seccompProblem says what is wrong with a profile that is set ("" when nothing is).
func seccompProblem(p *corev1.SeccompProfile) string {
	switch p.Type {
	case corev1.SeccompProfileTypeRuntimeDefault:
		return ""
	case corev1.SeccompProfileTypeLocalhost:
		if p.LocalhostProfile == nil {
			return "sets seccompProfile.type Localhost without a localhostProfile, which the API server refuses"
		}
		if *p.LocalhostProfile == "" {
			return "sets seccompProfile.type Localhost with an empty localhostProfile, which names no profile"
		}
		return ""
	}
	return badProfile("seccomp", "seccompProfile.type", string(p.Type))
}

// legacySeccompAnnotation returns the path of the legacy annotation a container without a
// seccomp field may be thought to run under, if the pod has one.
func legacySeccompAnnotation(pt *inventory.PodTemplate, c ctr) (string, bool) {
	if _, ok := containerAnnotation(pt, seccompContainerAnnotation, c.Name); ok {
		return annotationPath(pt, seccompContainerAnnotation+c.Name), true
	}
	if _, ok := pt.Meta.Annotations[seccompPodAnnotation]; ok {
		return annotationPath(pt, seccompPodAnnotation), true
	}
	return "", false
}

func assessSeccomp(a *checks.Assessment, pt *inventory.PodTemplate) {
	if isWindows(pt) {
		a.Skip()
		return
	}
	var inherited podFindings
	for c := range containers(pt) {
		p, lvl := effSeccomp(pt, c)
		switch lvl {
		case unset:
			if path, ok := legacySeccompAnnotation(pt, c); ok {
				a.Fail(path, c.msg(" has no seccomp profile: the legacy seccomp annotations have been ignored since Kubernetes 1.27 (set seccompProfile.type: RuntimeDefault)"))
				continue
			}
			a.Fail(c.sc("seccompProfile"), c.msg(" has no seccomp profile (set seccompProfile.type: RuntimeDefault)"))
		case atContainer:
			if problem := seccompProblem(p); problem != "" {
				a.Fail(c.sc("seccompProfile.type"), c.msg(" ", problem))
			}
		case atPod:
			if problem := seccompProblem(p); problem != "" {
				inherited.add(podSC(pt, "seccompProfile.type"), "pod "+problem, c)
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
