package pod

/*
What the API server does to a Pod before its PodSecurity admission judges it, where that
changes what the Pod Security Standards checks (PS-40, PS-41) say. PodSecurity validates: it
sees the Pod after the Pod's defaults are set and after the pod strategy has prepared it for
creation, so:

  - with spec.hostNetwork, a port of a container or init container without a hostPort gets
    hostPort = containerPort (SetDefaults_Pod), which the hostPorts check forbids;
  - a legacy AppArmor annotation for a container without an appArmorProfile field is copied into
    the field (applyAppArmorVersionSkew, for pods not on Windows), unless the annotation holds no
    valid profile or the field would equal the pod's own profile. The verdict is the same either
    way; the words of the finding are the API server's only with the copy.

Only Pods get this. The API server does neither to a workload's pod template: its pods get it
when they are created, after the workload was admitted. A Pod read from a cluster has been
through it already, and doing it again changes nothing.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

// admittedPodSpec returns the spec of the Pod pt as its PodSecurity admission sees it: pt.Spec
// itself when creating the Pod changes nothing the checks read, else a changed copy (the
// inventory's object is left as the manifest wrote it).
func admittedPodSpec(pt *inventory.PodTemplate) *corev1.PodSpec {
	hostPorts, appArmor := hostPortsDefaulted(pt.Spec), appArmorCopied(pt)
	if !hostPorts && !appArmor {
		return pt.Spec
	}
	spec := pt.Spec.DeepCopy()
	if hostPorts {
		for _, list := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
			for i := range list {
				for j := range list[i].Ports {
					if p := &list[i].Ports[j]; p.HostPort == 0 {
						p.HostPort = p.ContainerPort
					}
				}
			}
		}
	}
	if appArmor {
		copyAppArmorAnnotations(pt, spec)
	}
	return spec
}

// hostPortsDefaulted says whether a port of spec gets a hostPort by default.
func hostPortsDefaulted(spec *corev1.PodSpec) bool {
	if !spec.HostNetwork {
		return false
	}
	for _, list := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for i := range list {
			for _, p := range list[i].Ports {
				if p.HostPort == 0 {
					return true
				}
			}
		}
	}
	return false
}

// appArmorCopied says whether creating the Pod copies an AppArmor annotation into a field.
func appArmorCopied(pt *inventory.PodTemplate) bool {
	if pt.Meta == nil || len(pt.Meta.Annotations) == 0 || isWindows(pt) {
		return false
	}
	for c := range containers(pt) {
		if appArmorForContainer(pt, c.Name, c.SecurityContext) != nil {
			return true
		}
	}
	return false
}

// copyAppArmorAnnotations sets, in spec (a copy of pt's), the field of each container whose
// annotation is copied.
func copyAppArmorAnnotations(pt *inventory.PodTemplate, spec *corev1.PodSpec) {
	set := func(name string, sc **corev1.SecurityContext) {
		if p := appArmorForContainer(pt, name, *sc); p != nil {
			if *sc == nil {
				*sc = &corev1.SecurityContext{}
			}
			(*sc).AppArmorProfile = p
		}
	}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			set(list[i].Name, &list[i].SecurityContext)
		}
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i].EphemeralContainerCommon
		set(c.Name, &c.SecurityContext)
	}
}

// appArmorForContainer returns the profile the API server copies into the field of container
// name (whose security context is sc) from its annotation, or nil when it copies none: the
// container has a field, no annotation, an annotation that names no valid profile, or one equal
// to the pod's profile.
func appArmorForContainer(pt *inventory.PodTemplate, name string, sc *corev1.SecurityContext) *corev1.AppArmorProfile {
	if sc != nil && sc.AppArmorProfile != nil {
		return nil
	}
	v, ok := containerAnnotation(pt, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix, name)
	if !ok {
		return nil
	}
	var p *corev1.AppArmorProfile
	switch {
	case v == corev1.DeprecatedAppArmorBetaProfileNameUnconfined:
		p = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	case v == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault:
		p = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	case strings.HasPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix):
		// The field's own validation: a name, not padded with white space, of at most
		// PATH_MAX-1 bytes.
		name := strings.TrimPrefix(v, corev1.DeprecatedAppArmorBetaProfileNamePrefix)
		if name == "" || strings.TrimSpace(name) != name || len(name) > 4095 {
			return nil
		}
		p = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &name}
	default:
		return nil
	}
	if psc := pt.Spec.SecurityContext; psc != nil && sameAppArmor(p, psc.AppArmorProfile) {
		return nil
	}
	return p
}

// sameAppArmor says whether two profiles are the same (p is not nil).
func sameAppArmor(p, q *corev1.AppArmorProfile) bool {
	if q == nil || p.Type != q.Type || (p.LocalhostProfile == nil) != (q.LocalhostProfile == nil) {
		return false
	}
	return p.LocalhostProfile == nil || *p.LocalhostProfile == *q.LocalhostProfile
}
