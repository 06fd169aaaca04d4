package live

/*
AA-23: the API server must not answer anonymous requests.

Read: the live scan's unauthenticated GET /version and GET /api (ClusterInfo.Anonymous), sent
      with the cluster's CA but no credentials.
Passes: 401 to both: anonymous authentication is off (or limited to health endpoints by an
        AuthenticationConfiguration), so every request must authenticate.
Fails:  200 to /api (critical): anonymous callers are authorized to read the API, not only the
        public endpoints; 200 to /version or 403 (medium): anonymous authentication is on and
        requests are authenticated as system:anonymous, so only RBAC stands between anyone who
        reaches the port and the API, and a binding to system:unauthenticated opens it.
Not assessed: no answer, or answers that say neither.

The control-plane check AA-01 reads the --anonymous-auth flag where the API server's mirror pod
is visible; this one sees the behaviour, which also works on managed clusters.
*/

import (
	"fmt"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AA-23", Match: isClusterInfo, Assess: assessAnonymous})
}

func assessAnonymous(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	ci := clusterInfo(o)
	if len(ci.Anonymous) == 0 {
		reason := ci.AnonymousError
		if reason == "" {
			reason = "no anonymous request was sent"
		}
		a.NotAssessed(reason)
		return
	}
	status := map[string]int{}
	var got []string
	for _, p := range ci.Anonymous {
		if p.Status == 0 {
			a.NotAssessed(fmt.Sprintf("the anonymous request to %s got no answer: %s", p.Path, p.Error))
			return
		}
		status[p.Path] = p.Status
		got = append(got, fmt.Sprintf("%s %d", p.Path, p.Status))
	}
	seen := strings.Join(got, ", ")
	all401, any403, any200 := true, false, false
	for _, s := range status {
		all401 = all401 && s == 401
		any403 = any403 || s == 403
		any200 = any200 || s == 200
	}
	switch {
	case all401:
	case status["/api"] == 200:
		a.FailSeverity(catalog.SeverityCritical, "", "unauthenticated requests are authorized to read the API ("+seen+"): anonymous callers are bound to more than the public endpoints")
	case any200 || any403:
		a.FailSeverity(catalog.SeverityMedium, "", "anonymous authentication is enabled ("+seen+"): unauthenticated requests are accepted as system:anonymous, and only RBAC keeps them out of the API")
	default:
		a.NotAssessed("unexpected answers to anonymous requests (" + seen + ")")
	}
}
