package versions

/*
UP-01: the API server and every kubelet run a supported Kubernetes release, within the skew
policy.

Read: the API server's GET /version (gitVersion, from the ClusterInfo object of a live scan) and
      each Node's status.nodeInfo.kubeletVersion.
Table: data/releases.json, the Kubernetes minor releases with their release and end-of-life
      dates, marked with the day it was last reviewed; dates not yet published then are marked
      projected and messages say so.
Passes: the minor release is before its end of life; a kubelet is not newer than the API server
      and at most as many minors older as the skew policy allows (3 since 1.28, 2 before).
Fails: past the end of life (high); within 60 days of it (low); older than every release in the
      table; a kubelet newer than the API server or too old for it.
Not assessed: /version could not be read or is not a version; a release newer than the table
      knows (the table needs a review, and saying "supported" would be a guess).
*/

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// now is the day support is judged on; tests replace it.
var now = time.Now

// warnDays is how close to its end of life a release fails at low severity.
const warnDays = 60

func init() {
	checks.Register(checks.Check{ID: "UP-01", Match: versioned, Assess: assessSupport, Cross: true})
}

// versioned matches the objects that carry a Kubernetes version: the live scan's ClusterInfo
// and Nodes.
func versioned(o *inventory.Object) bool {
	switch o.Typed.(type) {
	case *inventory.ClusterInfo, *corev1.Node:
		return true
	}
	return false
}

// versionOf returns the version an object reports, the field it is in and what runs it.
func versionOf(o *inventory.Object) (raw, path, what string, notAssessed string) {
	switch t := o.Typed.(type) {
	case *inventory.ClusterInfo:
		if t.Version == nil {
			return "", "", "", "the API server's version could not be read: " + t.VersionError
		}
		return t.Version.GitVersion, "version.gitVersion", "the API server", ""
	case *corev1.Node:
		if t.Status.NodeInfo.KubeletVersion == "" {
			return "", "", "", "the node reports no kubelet version"
		}
		return t.Status.NodeInfo.KubeletVersion, "status.nodeInfo.kubeletVersion", "the kubelet", ""
	}
	return "", "", "", "no version"
}

// serverVersion returns the API server's version from the inventory's ClusterInfo.
func serverVersion(inv *inventory.Inventory) (Version, bool) {
	for _, o := range inv.OfKind(inventory.KindClusterInfo) {
		if ci, ok := o.Typed.(*inventory.ClusterInfo); ok && ci.Version != nil {
			if v, err := ParseVersion(ci.Version.GitVersion); err == nil {
				return v, true
			}
		}
	}
	return Version{}, false
}

func assessSupport(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	raw, path, what, why := versionOf(o)
	if why != "" {
		a.NotAssessed(why)
		return
	}
	v, err := ParseVersion(raw)
	if err != nil {
		a.NotAssessed(err.Error())
		return
	}
	s := Releases().Lookup(v, now())
	switch {
	case s.Older:
		a.Failf(path, "%s runs %s, older than every release in kubeharden's table (from %s): long out of support", what, raw, Releases().Releases[0].Minor)
	case s.Newer:
		a.NotAssessed(fmt.Sprintf("%s runs %s, newer than kubeharden's release table (reviewed %s) knows; update kubeharden to judge its support window", what, raw, Releases().Reviewed))
		return
	case !s.Supported:
		a.Failf(path, "%s runs %s: Kubernetes %s reached its end of life on %s%s and gets no more security fixes", what, raw, s.Release.Minor, s.Release.EndOfLife, projected(s.Release))
	case s.DaysLeft <= warnDays:
		a.FailSeverity(catalog.SeverityLow, path, fmt.Sprintf("%s runs %s: Kubernetes %s reaches its end of life on %s%s, in %d days; plan the upgrade", what, raw, s.Release.Minor, s.Release.EndOfLife, projected(s.Release), s.DaysLeft))
	}
	if _, isNode := o.Typed.(*corev1.Node); isNode {
		assessSkew(a, v, raw, path, inv)
	}
}

// assessSkew applies the version skew policy between a kubelet and the API server.
func assessSkew(a *checks.Assessment, kubelet Version, raw, path string, inv *inventory.Inventory) {
	api, ok := serverVersion(inv)
	if !ok {
		return
	}
	maxOld := Releases().MaxKubeletSkew(api)
	switch d := (api.Major-kubelet.Major)*1000 + api.Minor - kubelet.Minor; {
	case d < 0:
		a.Failf(path, "the kubelet runs %s, newer than the API server (%s): the skew policy does not allow kubelets newer than the API server", raw, api.Raw)
	case d > maxOld:
		a.Failf(path, "the kubelet runs %s, %d minor releases older than the API server (%s): the skew policy allows at most %d", raw, d, api.Raw, maxOld)
	}
}

func projected(r *Release) string {
	if r.Projected {
		return " (projected date)"
	}
	return ""
}
