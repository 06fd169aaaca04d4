package pod

/*
PS-19: pods should not mount host paths.

Fields read:

	spec.volumes[*].hostPath.path
	spec.{containers,initContainers,ephemeralContainers}[*].volumeMounts[*].readOnly

Passes: no hostPath volume.
Fails, one finding per hostPath volume, at spec.volumes[i].hostPath:
  - critical: a container runtime socket or its directory (docker.sock, containerd.sock,
    crio.sock, ...), or a host tree whose exposure hands over the node: exactly /, /etc, /proc,
    /sys, /dev, /boot, /root, /run, /var/run, /var, /var/lib, /usr, /bin, /sbin, /lib, /lib64, /home,
    or anything below /proc, /root, /boot, /etc/kubernetes, /var/lib/kubelet, /var/lib/docker,
    /var/lib/containerd, /var/lib/etcd, /run/containerd, /run/crio, /run/docker, /run/podman (and their
    /var/run twins), read-only or not;
  - high: any container mounts the volume without readOnly: true;
  - medium: every mount of the volume is read-only (or nothing mounts it).

Paths are compared after path.Clean, so "/etc/" and "/usr/../etc" are /etc.
*/

import (
	"path"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "PS-19", Match: checks.Workloads, Assess: perPod(assessHostPath)})
}

// criticalTrees are host paths that are critical when mounted whole.
var criticalTrees = map[string]bool{
	"/": true, "/etc": true, "/proc": true, "/sys": true, "/dev": true, "/boot": true,
	"/root": true, "/run": true, "/var/run": true, "/var": true, "/var/lib": true, "/usr": true,
	"/bin": true, "/sbin": true, "/lib": true, "/lib64": true, "/home": true,
}

// criticalSubtrees are host paths below which anything is critical: kernel and process
// interfaces, root's home and the boot loader, credentials and state of the kubelet, etcd and
// the container runtimes.
var criticalSubtrees = []string{
	"/proc", "/root", "/boot", "/etc/kubernetes",
	"/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/var/lib/etcd",
	"/run/containerd", "/var/run/containerd", "/run/crio", "/var/run/crio",
	"/run/docker", "/var/run/docker", "/run/podman", "/var/run/podman",
}

// runtimeSockets are the file names of container runtime API sockets, wherever they live
// (k3s keeps containerd's under /run/k3s/containerd, for example).
var runtimeSockets = map[string]bool{
	"docker.sock": true, "containerd.sock": true, "crio.sock": true, "cri-dockerd.sock": true,
	"dockershim.sock": true, "podman.sock": true, "cri-containerd.sock": true,
}

// hostPathRisk classifies a cleaned host path: "runtime socket", "sensitive host path" or "".
func hostPathRisk(p string) string {
	if p == "" {
		return ""
	}
	p = path.Clean(p)
	if runtimeSockets[path.Base(p)] {
		return "container runtime socket"
	}
	if criticalTrees[p] {
		return "sensitive host path"
	}
	for _, t := range criticalSubtrees {
		if p == t || strings.HasPrefix(p, t+"/") {
			if strings.Contains(t, "/run/") {
				return "container runtime socket directory"
			}
			return "sensitive host path"
		}
	}
	return ""
}

// writableMount returns the first container that mounts volume name without readOnly.
func writableMount(pt *inventory.PodTemplate, name string) (ctr, bool) {
	for c := range containers(pt) {
		for _, m := range c.VolumeMounts {
			if m.Name == name && !m.ReadOnly {
				return c, true
			}
		}
	}
	return ctr{}, false
}

func assessHostPath(a *checks.Assessment, pt *inventory.PodTemplate) {
	for i := range pt.Spec.Volumes {
		v := &pt.Spec.Volumes[i]
		if v.HostPath == nil {
			continue
		}
		assessHostPathVolume(a, pt, i, v)
	}
}

func assessHostPathVolume(a *checks.Assessment, pt *inventory.PodTemplate, i int, v *corev1.Volume) {
	at := inventory.Index(specField(pt, "volumes"), i) + ".hostPath"
	hp := v.HostPath.Path
	what := "volume " + quote(v.Name) + " mounts "
	if risk := hostPathRisk(hp); risk != "" {
		a.FailSeverity(catalog.SeverityCritical, at, what+"the "+risk+" "+hp)
		return
	}
	if c, ok := writableMount(pt, v.Name); ok {
		a.FailSeverity(catalog.SeverityHigh, at, what+"host path "+hp+", writable in "+c.describe())
		return
	}
	a.FailSeverity(catalog.SeverityMedium, at, what+"host path "+hp+" (read-only)")
}
