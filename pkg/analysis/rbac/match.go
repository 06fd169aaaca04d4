package rbac

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// AnyNamespace as a Request's namespace asks about every namespace at once: a RoleBinding then
// counts in its own namespace. It is not something the API server sees; it answers "can this
// subject do it anywhere?".
const AnyNamespace = "*"

// Request is one API request as the RBAC authorizer sees it: either a resource request (verb,
// API group, resource, optional subresource and object name, namespace) or a non-resource request
// (verb and URL path).
type Request struct {
	Verb        string `json:"verb"`
	APIGroup    string `json:"apiGroup"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	// Name is the object's name; "" asks about no object in particular (as `kubectl auth can-i`
	// does), which rules limited by resourceNames do not allow.
	Name string `json:"name,omitempty"`
	// Namespace is where the request is made: "" for a cluster-wide request (cluster-scoped
	// resources, or namespaced resources across all namespaces), or AnyNamespace.
	Namespace string `json:"namespace"`
	// NonResourceURL, when set, makes this a non-resource request (such as /healthz).
	NonResourceURL string `json:"nonResourceURL,omitempty"`
}

// NewRequest builds a request from a verb, a resource written as kubectl accepts it and a
// namespace. The resource may be:
//
//	pods, po, pods/exec           a well-known resource (its API group is filled in)
//	deployments.apps/scale        resource.group[/subresource]
//	widgets.example.com           any resource of a named group
//	/healthz, /apis/*             a non-resource URL (starts with "/")
//
// A resource without a group that is not well-known is taken to be in the core group.
func NewRequest(verb, resource, namespace string) Request {
	r := Request{Verb: verb, Namespace: namespace}
	if strings.HasPrefix(resource, "/") {
		r.NonResourceURL = resource
		r.Namespace = ""
		return r
	}
	res, sub, _ := strings.Cut(resource, "/")
	r.Subresource = sub
	if name, group, ok := strings.Cut(res, "."); ok {
		r.Resource, r.APIGroup = name, group
	} else {
		r.Resource = res
		if full, ok := shortNames[res]; ok {
			r.Resource = full
		}
		r.APIGroup = groupOf[r.Resource]
	}
	return r
}

// IsResource reports whether r is a resource request (not a non-resource URL).
func (r Request) IsResource() bool { return r.NonResourceURL == "" }

// ClusterScoped reports whether r is about a cluster-scoped resource (nodes, persistentvolumes,
// clusterroles, webhook configurations, ...) or a non-resource URL: only cluster-wide grants
// reach those, whatever the request's namespace, except the two kinds of request described below.
func (r Request) ClusterScoped() bool {
	return !r.IsResource() || clusterScoped[groupResource{r.APIGroup, r.Resource}]
}

// Two kinds of request on cluster-scoped resources carry a namespace all the same, and the RBAC
// authorizer then consults the RoleBindings of that namespace as for any namespaced request:
//   - a request on one namespace object (/api/v1/namespaces/shop, and its status and finalize
//     subresources) carries that namespace, so a RoleBinding in shop may allow get, watch (through
//     the /watch/ path), update, patch and delete of the namespace shop itself. Listing and
//     creating namespaces go to /api/v1/namespaces, which names none;
//   - when a RoleBinding in shop that names a ClusterRole is written, the API server asks whether
//     the writer may bind that ClusterRole in shop, so a RoleBinding in shop that grants bind on
//     clusterroles lets its subjects bind any ClusterRole there, cluster-admin included. (The
//     escalate check is made on writing the ClusterRole itself, which has no namespace.)

// namespaceVerbs are the verbs of requests on one namespace object by name.
var namespaceVerbs = map[string]bool{"get": true, "watch": true, "update": true, "patch": true, "delete": true}

// namespaced reports whether the API server authorizes r with a namespace, so that the
// RoleBindings of that namespace (see attributeNamespace) may allow it.
func (r Request) namespaced() bool {
	if !r.ClusterScoped() {
		return true
	}
	switch {
	case !r.IsResource():
		return false
	case r.APIGroup == "" && r.Resource == "namespaces":
		return namespaceVerbs[r.Verb]
	case r.APIGroup == rbacv1.GroupName && r.Resource == "clusterroles" && r.Subresource == "":
		return r.Verb == "bind"
	}
	return false
}

// attributeNamespace is the namespace the authorizer sees for a namespaced request: the request's,
// or for a request on a namespace object by name that name, which its URL carries as the
// namespace. A cluster-wide question ("") stays cluster-wide.
func (r Request) attributeNamespace() string {
	if r.namesNamespace() {
		return r.Name
	}
	return r.Namespace
}

// namesNamespace reports whether r is a question about one namespace object by its name.
func (r Request) namesNamespace() bool {
	return r.Namespace != "" && r.Name != "" && r.APIGroup == "" && r.Resource == "namespaces" && r.namespaced()
}

// String renders the request the way kubectl writes it: "create pods/exec in shop".
func (r Request) String() string {
	if !r.IsResource() {
		return r.Verb + " " + r.NonResourceURL
	}
	s := r.Verb + " " + r.Resource
	if r.APIGroup != "" {
		s += "." + r.APIGroup
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	if r.Name != "" {
		s += " named " + r.Name
	}
	switch {
	case !r.namespaced(), r.namesNamespace():
		// Cluster-scoped, or a namespace object named above: its name is the namespace.
	case r.Namespace == "":
		s += " cluster-wide"
	case r.Namespace == AnyNamespace:
		s += " in any namespace"
	default:
		s += " in namespace " + r.Namespace
	}
	return s
}

// RuleAllows reports whether rule allows req, ignoring where the rule is bound (see Grant.Allows
// for that). It is the RBAC authorizer's matching, field by field.
func RuleAllows(rule *rbacv1.PolicyRule, req Request) bool {
	if !matchesOrStar(rule.Verbs, req.Verb, rbacv1.VerbAll) {
		return false
	}
	if !req.IsResource() {
		return urlMatches(rule.NonResourceURLs, req.NonResourceURL)
	}
	return matchesOrStar(rule.APIGroups, req.APIGroup, rbacv1.APIGroupAll) &&
		resourceMatches(rule.Resources, req.Resource, req.Subresource) &&
		nameMatches(rule.ResourceNames, req.attributeName())
}

// attributeName is the object name the authorizer sees, which resourceNames are matched against.
// A create is a POST to the collection, with the new object's name in the body, and a
// deletecollection names no object, so both reach the authorizer without a name whatever object
// the question has in mind: a rule limited by resourceNames never allows them. A create on a
// subresource (pods/exec, serviceaccounts/token of one object) is posted to the object's URL and
// carries its name; so do get, update, patch, delete, and list and watch restricted to one name
// by a metadata.name field selector.
func (r Request) attributeName() string {
	if unnamedVerb(r.Verb, r.Subresource == "") {
		return ""
	}
	return r.Name
}

// unnamedVerb reports whether a request with verb reaches the authorizer without an object's
// name: deletecollection, and create on a resource rather than a subresource (see
// attributeName).
func unnamedVerb(verb string, plainResource bool) bool {
	return verb == "deletecollection" || verb == "create" && plainResource
}

// unnamedVerbs reports whether rule is limited by resourceNames yet lists verbs that such a rule
// can never allow: deletecollection, or create on a resource other than a subresource.
func unnamedVerbs(rule *rbacv1.PolicyRule) bool {
	if len(rule.ResourceNames) == 0 {
		return false
	}
	plain := slices.ContainsFunc(rule.Resources, isPlainResource)
	return slices.ContainsFunc(rule.Verbs, func(verb string) bool { return unnamedVerb(verb, plain) })
}

// isPlainResource reports whether a rule's resource names resources, not subresources: not "*"
// (which covers subresources too) and without "/".
func isPlainResource(res string) bool {
	return res != rbacv1.ResourceAll && !strings.Contains(res, "/")
}

func matchesOrStar(list []string, v, star string) bool {
	for _, x := range list {
		if x == star || x == v {
			return true
		}
	}
	return false
}

// resourceMatches: "*" matches everything, "res" or "res/sub" match exactly, and "*/sub" matches
// the subresource sub of any resource. Nothing else is a pattern.
func resourceMatches(list []string, resource, sub string) bool {
	want := resource
	if sub != "" {
		want = resource + "/" + sub
	}
	for _, x := range list {
		if x == rbacv1.ResourceAll || x == want {
			return true
		}
		if sub != "" && strings.HasPrefix(x, "*/") && x[2:] == sub {
			return true
		}
	}
	return false
}

// nameMatches: an empty resourceNames list allows every name; otherwise the request must name one
// of the listed objects.
func nameMatches(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// urlMatches: "*" matches every path, a path ending in "*" matches by prefix, others exactly.
func urlMatches(urls []string, path string) bool {
	for _, u := range urls {
		if u == rbacv1.NonResourceAll || u == path {
			return true
		}
		if strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")) {
			return true
		}
	}
	return false
}

// Covers reports whether the baseline rules allow everything rule allows. Wildcards in rule are
// taken literally: a rule with verb "*" is covered only by a baseline rule with verb "*". Verbs
// that a rule limited by resourceNames can never allow (create on a resource, deletecollection)
// need no cover. The
// checks use it to tell a binding that grants no more than Kubernetes' own defaults (discovery,
// health endpoints) from one that grants more.
func Covers(baseline []rbacv1.PolicyRule, rule rbacv1.PolicyRule) bool {
	for _, verb := range rule.Verbs {
		for _, url := range rule.NonResourceURLs {
			if !anyBaseline(baseline, func(b *rbacv1.PolicyRule) bool {
				return matchesOrStar(b.Verbs, verb, rbacv1.VerbAll) && urlCovers(b.NonResourceURLs, url)
			}) {
				return false
			}
		}
		for _, group := range rule.APIGroups {
			for _, res := range rule.Resources {
				if len(rule.ResourceNames) > 0 && unnamedVerb(verb, isPlainResource(res)) {
					continue // the rule allows nothing here (see Request.attributeName)
				}
				if !anyBaseline(baseline, func(b *rbacv1.PolicyRule) bool {
					return matchesOrStar(b.Verbs, verb, rbacv1.VerbAll) &&
						matchesOrStar(b.APIGroups, group, rbacv1.APIGroupAll) &&
						resourceCovers(b.Resources, res) &&
						namesCover(b.ResourceNames, rule.ResourceNames)
				}) {
					return false
				}
			}
		}
	}
	return true
}

func anyBaseline(baseline []rbacv1.PolicyRule, ok func(*rbacv1.PolicyRule) bool) bool {
	for i := range baseline {
		if ok(&baseline[i]) {
			return true
		}
	}
	return false
}

func resourceCovers(list []string, res string) bool {
	base, sub, hasSub := strings.Cut(res, "/")
	if !hasSub {
		return resourceMatches(list, base, "")
	}
	return resourceMatches(list, base, sub)
}

// namesCover: a baseline rule without resourceNames covers any; one with names covers only a rule
// limited to a subset of them.
func namesCover(baseline, names []string) bool {
	if len(baseline) == 0 {
		return true
	}
	if len(names) == 0 {
		return false
	}
	for _, n := range names {
		if !nameMatches(baseline, n) {
			return false
		}
	}
	return true
}

func urlCovers(baseline []string, url string) bool {
	for _, b := range baseline {
		if b == url || b == rbacv1.NonResourceAll {
			return true
		}
		if strings.HasSuffix(b, "*") && strings.HasPrefix(url, strings.TrimRight(b, "*")) {
			return true
		}
	}
	return false
}

// IsAdminRule reports whether rule grants every verb on every resource of all API groups (or of
// the core group, which holds Secrets, pods and service account tokens and so is as good as
// everything), for any object name: the content of cluster-admin.
func IsAdminRule(rule *rbacv1.PolicyRule) bool {
	if len(rule.ResourceNames) > 0 {
		return false
	}
	return contains(rule.Verbs, rbacv1.VerbAll) && contains(rule.Resources, rbacv1.ResourceAll) &&
		(contains(rule.APIGroups, rbacv1.APIGroupAll) || contains(rule.APIGroups, ""))
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
