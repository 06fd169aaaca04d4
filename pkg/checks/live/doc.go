// Package live holds the controls that only a live cluster can answer, whatever section of the
// guidance they belong to: whether the API server answers anonymous requests (AA-23), whether an
// admission-time policy hook exists (PS-10), legacy service-account token Secrets (PS-30), a
// policy-capable CNI (NS-04) and a node log forwarder on every node (AL-11).
//
// They are ordinary checks over the inventory. The cluster-wide ones are reported against the
// scan's one ClusterInfo object (inventory.KindClusterInfo), so each has a single pair to pass,
// fail or leave not assessed, and they declare the kinds they read in Needs: a scan whose
// credentials may not list DaemonSets or webhook configurations reports them not assessed
// rather than "none found".
//
// Controls that read the control plane's flags (anonymous-auth, authorization modes, admission
// plugins, etcd and kubelet TLS, encryption at rest, audit logging, profiling) are not here:
// they live in package controlplane and read the mirror pods a live scan lists exactly like the
// static pod manifests `kubeharden node` reads.
package live

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// isClusterInfo matches the live scan's ClusterInfo object.
func isClusterInfo(o *inventory.Object) bool {
	_, ok := o.Typed.(*inventory.ClusterInfo)
	return ok
}

func clusterInfo(o *inventory.Object) *inventory.ClusterInfo { return o.Typed.(*inventory.ClusterInfo) }

// images returns the container images of a pod spec, init containers included.
func images(s *corev1.PodSpec) []string {
	var out []string
	for _, c := range s.InitContainers {
		out = append(out, c.Image)
	}
	for _, c := range s.Containers {
		out = append(out, c.Image)
	}
	return out
}
