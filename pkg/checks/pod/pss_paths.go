package pod

// Where PS-40/PS-41 findings point. The library's checks say what is wrong but not where, so
// each check ID maps to a function that finds the first offending field, using the same
// predicates as the check (exact, case-sensitive values, as the library compares them):
// containers first (init, regular, ephemeral, in the library's visiting order), then pod-level
// fields. A check missing from the table, or a pod where no offending field is found, is
// reported at the pod spec. A test asserts that every check of the current library is in the
// table and that, for every generated pod variant, the table finds a field.

import (
	"sort"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/policy"
)

var pssLocators = map[policy.CheckID]func(pt *inventory.PodTemplate) string{
	"allowPrivilegeEscalation": func(pt *inventory.PodTemplate) string {
		return firstContainer(pt, func(c ctr) string {
			if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				return c.sc("allowPrivilegeEscalation")
			}
			return ""
		})
	},
	"appArmorProfile": locateAppArmor,
	"hostNamespaces":  locateHostNamespaces,
	"hostPathVolumes": func(pt *inventory.PodTemplate) string {
		return firstVolume(pt, func(v *corev1.Volume) bool { return v.HostPath != nil })
	},
	"restrictedVolumes": func(pt *inventory.PodTemplate) string { return firstVolume(pt, restrictedVolume) },
	"hostPorts": func(pt *inventory.PodTemplate) string {
		if p := firstContainer(pt, func(c ctr) string {
			for j, p := range c.Ports {
				if p.HostPort != 0 {
					return inventory.Index(c.at("ports"), j) + ".hostPort"
				}
			}
			return ""
		}); p != "" || !pt.Spec.HostNetwork {
			return p
		}
		// A Pod on the host's network gets each port's containerPort as its hostPort
		// (admittedPodSpec).
		return firstContainer(pt, func(c ctr) string {
			if len(c.Ports) > 0 && c.list != "ephemeralContainers" {
				return inventory.Index(c.at("ports"), 0) + ".containerPort"
			}
			return ""
		})
	},
	"hostProbesAndHostLifecycle": func(pt *inventory.PodTemplate) string { return firstContainer(pt, locateProbeHost) },
	"privileged": func(pt *inventory.PodTemplate) string {
		return firstContainer(pt, func(c ctr) string {
			if isPrivileged(c) {
				return c.sc("privileged")
			}
			return ""
		})
	},
	"procMount":            locateProcMount,
	"procMount_restricted": locateProcMount,
	"capabilities_baseline": func(pt *inventory.PodTemplate) string {
		return firstContainer(pt, func(c ctr) string {
			if caps := capabilitiesOf(c); caps != nil {
				for k, cp := range caps.Add {
					if !baselineCapability(cp) {
						return inventory.Index(c.sc("capabilities.add"), k)
					}
				}
			}
			return ""
		})
	},
	"capabilities_restricted": func(pt *inventory.PodTemplate) string {
		return firstContainer(pt, func(c ctr) string {
			caps := capabilitiesOf(c)
			if caps == nil || !hasCapability(caps.Drop, "ALL") {
				return c.sc("capabilities.drop")
			}
			for k, cp := range caps.Add {
				if cp != "NET_BIND_SERVICE" {
					return inventory.Index(c.sc("capabilities.add"), k)
				}
			}
			return ""
		})
	},
	"runAsNonRoot":              locateRunAsNonRoot,
	"runAsUser":                 locateRunAsUser,
	"seLinuxOptions":            locateSELinux,
	"seccompProfile_baseline":   func(pt *inventory.PodTemplate) string { return locateSeccomp(pt, false) },
	"seccompProfile_restricted": func(pt *inventory.PodTemplate) string { return locateSeccomp(pt, true) },
	"sysctls": func(pt *inventory.PodTemplate) string {
		if psc := pt.Spec.SecurityContext; psc != nil {
			for i, s := range psc.Sysctls {
				if !safeSysctl(s.Name) {
					return inventory.Index(podSC(pt, "sysctls"), i) + ".name"
				}
			}
		}
		return ""
	},
	"windowsHostProcess": locateHostProcess,
}

// pssPath returns the path a PS-40/PS-41 finding for check id points at.
func pssPath(id policy.CheckID, pt *inventory.PodTemplate) string {
	if locate, ok := pssLocators[id]; ok {
		if p := locate(pt); p != "" {
			return p
		}
	}
	return pt.SpecPath
}

func firstContainer(pt *inventory.PodTemplate, at func(c ctr) string) string {
	for c := range containers(pt) {
		if p := at(c); p != "" {
			return p
		}
	}
	return ""
}

func firstVolume(pt *inventory.PodTemplate, bad func(*corev1.Volume) bool) string {
	for i := range pt.Spec.Volumes {
		if bad(&pt.Spec.Volumes[i]) {
			return inventory.Index(specField(pt, "volumes"), i)
		}
	}
	return ""
}

func hasCapability(caps []corev1.Capability, want corev1.Capability) bool {
	for _, c := range caps {
		if c == want {
			return true
		}
	}
	return false
}

// baselineCapability reports whether the baseline profile lets a container add cp: the
// container runtimes' default set, spelled exactly as the library spells it.
func baselineCapability(cp corev1.Capability) bool {
	switch cp {
	case "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT":
		return true
	}
	return false
}

// restrictedVolume reports whether a volume uses a type outside the restricted profile's list.
func restrictedVolume(v *corev1.Volume) bool {
	s := &v.VolumeSource
	return s.ConfigMap == nil && s.CSI == nil && s.DownwardAPI == nil && s.EmptyDir == nil &&
		s.Ephemeral == nil && s.Image == nil && s.PersistentVolumeClaim == nil &&
		s.Projected == nil && s.Secret == nil
}

func locateHostNamespaces(pt *inventory.PodTemplate) string {
	switch s := pt.Spec; {
	case s.HostNetwork:
		return specField(pt, "hostNetwork")
	case s.HostPID:
		return specField(pt, "hostPID")
	case s.HostIPC:
		return specField(pt, "hostIPC")
	}
	return ""
}

func locateProbeHost(c ctr) string {
	probes := []struct {
		name string
		p    *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}}
	for _, pr := range probes {
		if pr.p == nil {
			continue
		}
		if pr.p.HTTPGet != nil && pr.p.HTTPGet.Host != "" {
			return c.at(pr.name + ".httpGet.host")
		}
		if pr.p.TCPSocket != nil && pr.p.TCPSocket.Host != "" {
			return c.at(pr.name + ".tcpSocket.host")
		}
	}
	if c.Lifecycle == nil {
		return ""
	}
	handlers := []struct {
		name string
		h    *corev1.LifecycleHandler
	}{{"postStart", c.Lifecycle.PostStart}, {"preStop", c.Lifecycle.PreStop}}
	for _, h := range handlers {
		if h.h == nil {
			continue
		}
		if h.h.HTTPGet != nil && h.h.HTTPGet.Host != "" {
			return c.at("lifecycle." + h.name + ".httpGet.host")
		}
		if h.h.TCPSocket != nil && h.h.TCPSocket.Host != "" {
			return c.at("lifecycle." + h.name + ".tcpSocket.host")
		}
	}
	return ""
}

func locateProcMount(pt *inventory.PodTemplate) string {
	return firstContainer(pt, func(c ctr) string {
		if badProcMount(c) {
			return c.sc("procMount")
		}
		return ""
	})
}

func locateAppArmor(pt *inventory.PodTemplate) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil && sc.AppArmorProfile != nil && !appArmorFieldOK(string(sc.AppArmorProfile.Type)) {
			return c.sc("appArmorProfile.type")
		}
		return ""
	}); p != "" {
		return p
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.AppArmorProfile != nil && !appArmorFieldOK(string(psc.AppArmorProfile.Type)) {
		return podSC(pt, "appArmorProfile.type")
	}
	var bad []string
	for k, v := range pt.Meta.Annotations {
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) && v != "" && !appArmorAnnotationOK(v) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return annotationPath(pt, bad[0])
}

func locateRunAsNonRoot(pt *inventory.PodTemplate) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil && sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			return c.sc("runAsNonRoot")
		}
		return ""
	}); p != "" {
		return p
	}
	podTrue := false
	if psc := pt.Spec.SecurityContext; psc != nil && psc.RunAsNonRoot != nil {
		if !*psc.RunAsNonRoot {
			return podSC(pt, "runAsNonRoot")
		}
		podTrue = true
	}
	if podTrue {
		return ""
	}
	return firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc == nil || sc.RunAsNonRoot == nil {
			return c.sc("runAsNonRoot")
		}
		return ""
	})
}

func locateRunAsUser(pt *inventory.PodTemplate) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			return c.sc("runAsUser")
		}
		return ""
	}); p != "" {
		return p
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.RunAsUser != nil && *psc.RunAsUser == 0 {
		return podSC(pt, "runAsUser")
	}
	return ""
}

// badSELinuxField names the first offending field of opts, or "".
func badSELinuxField(opts *corev1.SELinuxOptions) string {
	switch {
	case opts == nil:
		return ""
	case !selinuxTypeOK(opts.Type):
		return "type"
	case opts.User != "":
		return "user"
	case opts.Role != "":
		return "role"
	}
	return ""
}

func locateSELinux(pt *inventory.PodTemplate) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil {
			if f := badSELinuxField(sc.SELinuxOptions); f != "" {
				return c.sc("seLinuxOptions." + f)
			}
		}
		return ""
	}); p != "" {
		return p
	}
	if psc := pt.Spec.SecurityContext; psc != nil {
		if f := badSELinuxField(psc.SELinuxOptions); f != "" {
			return podSC(pt, "seLinuxOptions."+f)
		}
	}
	return ""
}

// locateSeccomp finds an explicitly bad seccomp type (container, then pod), then, for the
// restricted check, the first container that sets none while the pod sets no valid one.
func locateSeccomp(pt *inventory.PodTemplate, required bool) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil && sc.SeccompProfile != nil && !seccompFieldOK(string(sc.SeccompProfile.Type)) {
			return c.sc("seccompProfile.type")
		}
		return ""
	}); p != "" {
		return p
	}
	podValid := false
	if psc := pt.Spec.SecurityContext; psc != nil && psc.SeccompProfile != nil {
		if !seccompFieldOK(string(psc.SeccompProfile.Type)) {
			return podSC(pt, "seccompProfile.type")
		}
		podValid = true
	}
	if !required || podValid {
		return ""
	}
	return firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc == nil || sc.SeccompProfile == nil {
			return c.sc("seccompProfile")
		}
		return ""
	})
}

func locateHostProcess(pt *inventory.PodTemplate) string {
	if p := firstContainer(pt, func(c ctr) string {
		if sc := c.SecurityContext; sc != nil && sc.WindowsOptions != nil && sc.WindowsOptions.HostProcess != nil && *sc.WindowsOptions.HostProcess {
			return c.sc("windowsOptions.hostProcess")
		}
		return ""
	}); p != "" {
		return p
	}
	if psc := pt.Spec.SecurityContext; psc != nil && psc.WindowsOptions != nil && psc.WindowsOptions.HostProcess != nil && *psc.WindowsOptions.HostProcess {
		return podSC(pt, "windowsOptions.hostProcess")
	}
	return ""
}

// seccompFieldOK says whether the Pod Security Standards accept a seccompProfile type.
func seccompFieldOK(t string) bool {
	return t == string(corev1.SeccompProfileTypeRuntimeDefault) || t == string(corev1.SeccompProfileTypeLocalhost)
}
