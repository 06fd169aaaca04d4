package versions

/*
UP-08: the API server and the kubelets do not run a Kubernetes release with a known CVE.

Read: the API server's /version (ClusterInfo) and each Node's status.nodeInfo.kubeletVersion,
      against the CVE feed: the embedded copy of the official Kubernetes CVE feed
      (data/cve-feed.json, see feed.go), or the file given with --cve-feed.
Matching: the API server's version is matched against CVEs in kube-apiserver,
      kube-controller-manager and kube-scheduler (they ship in the same release, and their mirror
      pods are often not visible), and against CVEs that name no component; a kubelet's version
      against CVEs in the kubelet and kube-proxy. A version is affected when it lies in one of the
      CVE's ranges (introduced inclusive, fixed exclusive).
Fails: once per matching CVE, with the CVE's own severity (the control's when the feed gives
      none), its summary, and the first fixed release of the same minor.
Caveats, said in the message: vendor builds (v1.29.3-eks-..., +k3s1) may carry backported fixes
      under the upstream version they report; ranges read from an advisory's prose (a feed
      without kubeharden's extension) may be imprecise.
*/

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "UP-08", Match: versioned, Assess: assessCVEs})
}

func assessCVEs(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
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
	_, isNode := o.Typed.(*corev1.Node)
	var notes []string
	if strings.ContainsAny(strings.TrimPrefix(raw, "v"), "-+") {
		notes = append(notes, "a vendor build, which may carry the fix under this version")
	}
	for _, c := range currentFeed().Matches(v, !isNode) {
		var b strings.Builder
		b.WriteString(what + " " + raw + " is affected by " + c.ID)
		if c.Summary != "" {
			b.WriteString(" (" + strings.TrimSpace(c.Summary) + ")")
		}
		if fix := c.Fix(v); fix != "" {
			b.WriteString("; fixed in v" + strings.TrimPrefix(fix, "v"))
		}
		if c.URL != "" {
			b.WriteString("; " + c.URL)
		}
		n := notes
		if c.Heuristic {
			n = append(append([]string(nil), notes...), "affected versions read from the advisory text")
		}
		if len(n) > 0 {
			b.WriteString(" [" + strings.Join(n, "; ") + "]")
		}
		a.FailSeverity(c.Severity(catalog.SeverityHigh), path, b.String())
	}
}
