package logging

/*
AL-04: the audit policy must record what matters without recording secrets.

Read: the audit.k8s.io Policy named by kube-apiserver --audit-policy-file: omitStages, and
      rules[] with their level, users, userGroups, verbs, namespaces, resources (group,
      resources, resourceNames), nonResourceURLs and omitStages. The rules are evaluated in
      order for representative requests, as the API server does
      (k8s.io/apiserver/pkg/audit/policy/checker.go): the first rule that matches a request sets
      its level; "pods/*" matches pods and all its subresources, "*" everything, and a "*"
      followed by "/exec" the exec subresource of every resource. The requesters are an
      ordinary user (group system:authenticated), a service account and an anonymous request
      (system:unauthenticated), none of them named by any policy, in a namespace and on an object
      no policy names: what is decided for them is decided for everyone a rule does not single
      out. A request is not logged when its rule is None, or when the policy's and the rule's
      omitStages together hold RequestReceived and ResponseComplete (an ordinary request has no
      other stage; ResponseStarted is for long-running requests and Panic for failures).
Passes when all of these hold:
  - there are rules, not every rule is None, and the policy's omitStages leave a stage;
  - the last rule is a catch-all (no selector at all) with a level other than None, and no
    earlier catch-all is None (it would silence everything after it); no rule silences the
    requests of every requester (userGroups: [system:authenticated, system:unauthenticated]
    with level None selects everyone as surely as no selector);
  - Secrets, ConfigMaps (core group) and TokenReviews (authentication.k8s.io) are logged, for
    every requester and verb (get, list, watch, create, update, patch, delete; create for
    TokenReviews), by a rule that is not None and omits not every stage, and no rule that can
    match any request for them before the first unconditional one logs Request or
    RequestResponse (which would write secret values and tokens into the log);
  - pods/exec, pods/attach and pods/portforward (get, which WebSockets use, and create),
    serviceaccounts/token (create), and changes (create, update, patch, delete) of the RBAC
    resources, certificatesigningrequests, validating and mutating webhook configurations and
    cronjobs are logged for every requester.
A rule is unconditional for a resource when it names no users, groups, verbs or namespaces and
matches the resource without resourceNames. None rules for named users or groups (quieting
system components, say), for some namespaces or for some objects are accepted; a None rule for
some verbs of everyone is not (verbs: [get, list, watch] hides every read of a Secret).
On the API server the control is not assessed when the policy file cannot be read.
*/

import (
	"slices"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AL-04", Match: controlplane.Either(apiServer, controlplane.IsKind(inventory.KindAuditPolicy)), Assess: assessPolicy})
}

// target is a resource the policy is evaluated for, with the verbs that matter for it.
type target struct {
	group, resource, subresource string
	label                        string
	// cluster says the resource is cluster-scoped (requested with no namespace).
	cluster bool
	verbs   []string
}

var (
	allVerbs    = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	writeVerbs  = []string{"create", "update", "patch", "delete"}
	createVerbs = []string{"create"}
	// Exec, attach and port-forward over WebSockets (kubectl's default since 1.30) are GET
	// requests; over SPDY they are POSTs (create).
	connectVerbs = []string{"get", "create"}
)

var sensitive = []target{
	{"", "secrets", "", "Secrets", false, allVerbs},
	{"", "configmaps", "", "ConfigMaps", false, allVerbs},
	{"authentication.k8s.io", "tokenreviews", "", "TokenReviews", true, createVerbs},
}

var mustLog = []target{
	{"", "pods", "exec", "pods/exec", false, connectVerbs},
	{"", "pods", "attach", "pods/attach", false, connectVerbs},
	{"", "pods", "portforward", "pods/portforward", false, connectVerbs},
	{"rbac.authorization.k8s.io", "roles", "", "Roles", false, writeVerbs},
	{"rbac.authorization.k8s.io", "rolebindings", "", "RoleBindings", false, writeVerbs},
	{"rbac.authorization.k8s.io", "clusterroles", "", "ClusterRoles", true, writeVerbs},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "", "ClusterRoleBindings", true, writeVerbs},
	{"", "serviceaccounts", "token", "serviceaccounts/token", false, createVerbs},
	{"certificates.k8s.io", "certificatesigningrequests", "", "CertificateSigningRequests", true, writeVerbs},
	{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "", "ValidatingWebhookConfigurations", true, writeVerbs},
	{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "MutatingWebhookConfigurations", true, writeVerbs},
	{"batch", "cronjobs", "", "CronJobs", false, writeVerbs},
}

// principal is a representative requester: one that no policy names, so that only rules meant
// for everyone (or for a group every such requester is in) apply to it.
type principal struct {
	user   string
	groups []string
	label  string
}

const sampleNamespace = "kubeharden-sample"

var principals = []principal{
	{"kubeharden:sample-user", []string{"system:authenticated"}, "users"},
	{"system:serviceaccount:" + sampleNamespace + ":sample", []string{"system:serviceaccounts", "system:serviceaccounts:" + sampleNamespace, "system:authenticated"}, "service accounts"},
	{"system:anonymous", []string{"system:unauthenticated"}, "anonymous requests"},
}

// request is one request the policy is evaluated for: a resource request (t set) or a
// non-resource one (url set).
type request struct {
	who       *principal
	verb      string
	namespace string
	t         *target
	url       string
}

// generic is a resource no policy names, standing for everything else.
var generic = target{group: "kubeharden.invalid", resource: "samples"}

func assessPolicy(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	p, ok := o.Typed.(*inventory.AuditPolicy)
	if !ok {
		c := controlplane.Component(o, inv)
		f, isSet := set(c, "audit-policy-file")
		if !isSet {
			a.Skip() // AL-01 reports it
			return
		}
		if hp, onHost := c.HostPath(f.Value); onHost && inv.Get(inventory.KindAuditPolicy, "", hp) != nil {
			a.Skip() // judged on the file
			return
		}
		if o.Origin.Source == inventory.SourceNode {
			a.NotAssessed("the audit policy " + f.Value + " could not be read on the node")
		} else {
			a.NotAssessed("the audit policy " + f.Value + " is on the control-plane node; run `kubeharden node` there to assess it")
		}
		return
	}
	if len(p.Rules) == 0 {
		a.Fail("rules", "the policy has no rules: nothing is logged")
		return
	}
	allNone := true
	for _, r := range p.Rules {
		allNone = allNone && level(r) == "None"
	}
	if allNone {
		a.Fail("rules", "every rule has level None: nothing is logged")
		return
	}
	if silent(p.OmitStages, nil) {
		a.Failf("omitStages", "the policy omits every stage a request is logged at (%s): nothing is logged", strings.Join(p.OmitStages, ", "))
		return
	}
	lastCatchAll := -1
	silencing := -1 // a rule that silences every request reaching it, reported once
	for i, r := range p.Rules {
		if catchAll(r) {
			if level(r) == "None" {
				a.Failf(rulePath(i)+".level", "rule %d matches every request with level None: no request reaching it is logged", i+1)
				silencing = i
			}
			lastCatchAll = i
			break // later rules are never reached
		}
	}
	if lastCatchAll != len(p.Rules)-1 {
		if lastCatchAll < 0 {
			a.Failf(rulePath(len(p.Rules)-1), "the policy does not end with a catch-all rule (one without users, verbs, resources or other selectors): requests no rule matches are not logged")
		} else {
			a.Failf(rulePath(lastCatchAll+1), "rules after the catch-all rule %d are never reached", lastCatchAll+1)
		}
	}
	if silencing < 0 {
		if silencing = silencer(p); silencing >= 0 {
			r := p.Rules[silencing]
			if level(r) == "None" {
				a.Failf(rulePath(silencing)+".level", "rule %d matches the requests of every user, authenticated or not, with level None: no request reaching it is logged", silencing+1)
			} else {
				a.Failf(rulePath(silencing)+".omitStages", "rule %d matches the requests of every user, authenticated or not, and omits every stage a request is logged at: no request reaching it is logged", silencing+1)
			}
		}
	}
	for _, t := range sensitive {
		risky := canLogBodies(p, t)
		for _, i := range risky {
			a.Failf(rulePath(i)+".level", "rule %d logs %s at %s: their contents (secret values, tokens) are written to the audit log; use Metadata", i+1, t.label, level(p.Rules[i]))
		}
		judgeTarget(a, p, t, silencing, "; log them at Metadata", "reads and changes of them leave no trace; log them at Metadata")
	}
	for _, t := range mustLog {
		judgeTarget(a, p, t, silencing, ": their use leaves no trace", "")
	}
}

// silencerVerbs are the verbs silencer tries on a resource no rule names.
var silencerVerbs = append(slices.Clone(allVerbs), "deletecollection")

// silencer returns the rule that leaves every request of every representative requester
// unlogged (a None rule, or one omitting every stage), or -1: it evaluates, for each of them,
// every verb on a resource no rule names and a non-resource URL. Such a rule silences all that
// reaches it, whatever selectors it has (userGroups: [system:authenticated,
// system:unauthenticated] selects every request).
func silencer(p *inventory.AuditPolicy) int {
	found := -2
	for i := range principals {
		qs := []request{{who: &principals[i], verb: "get", url: "/kubeharden-sample"}}
		for _, verb := range silencerVerbs {
			qs = append(qs, request{who: &principals[i], verb: verb, namespace: sampleNamespace, t: &generic})
		}
		for _, q := range qs {
			r, logged := decide(p, q)
			if logged || r < 0 || (found != -2 && r != found) {
				return -1
			}
			found = r
		}
	}
	return found
}

// unlogged groups the requests for one target that one rule leaves unlogged.
type unlogged struct {
	rule    int
	verbs   []string
	who     []string
	omitted bool
}

// judgeTarget evaluates the requests of each representative requester for t, every verb that
// matters for it, and fails for each rule that leaves some of them unlogged: a None rule (or one
// omitting every stage) reached first, whatever its selectors. The rule silencing, which silences
// everything and is reported already, is not reported again for each target. noRule, when set,
// replaces the message for requests that no rule matches.
func judgeTarget(a *checks.Assessment, p *inventory.AuditPolicy, t target, silencing int, why, noRule string) {
	var groups []*unlogged
	for i := range principals {
		for _, verb := range t.verbs {
			q := request{who: &principals[i], verb: verb, t: &t}
			if !t.cluster {
				q.namespace = sampleNamespace
			}
			r, logged := decide(p, q)
			if logged {
				continue
			}
			var g *unlogged
			for _, x := range groups {
				if x.rule == r {
					g = x
				}
			}
			if g == nil {
				g = &unlogged{rule: r, omitted: r >= 0 && level(p.Rules[r]) != "None"}
				groups = append(groups, g)
			}
			if !slices.Contains(g.verbs, verb) {
				g.verbs = append(g.verbs, verb)
			}
			if !slices.Contains(g.who, principals[i].label) {
				g.who = append(g.who, principals[i].label)
			}
		}
	}
	for _, g := range groups {
		if g.rule == silencing && silencing >= 0 {
			continue
		}
		what := t.label
		if len(g.verbs) < len(t.verbs) {
			what = joinAnd(g.verbs) + " of " + t.label
		}
		if len(g.who) < len(principals) {
			what += " by " + joinAnd(g.who)
		}
		switch {
		case g.rule < 0 && noRule != "":
			a.Failf("rules", "no rule logs %s: %s", what, noRule)
		case g.rule < 0:
			a.Failf("rules", "no rule logs %s", what)
		case g.omitted:
			a.Failf(rulePath(g.rule)+".omitStages", "rule %d logs %s at %s but omits every stage of the request (omitStages of the rule and the policy): nothing is written%s",
				g.rule+1, what, level(p.Rules[g.rule]), why)
		default:
			a.Failf(rulePath(g.rule)+".level", "rule %d does not log %s (level None)%s", g.rule+1, what, why)
		}
	}
}

func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// decide returns the first rule that matches q (-1 for none), as the API server's policy
// checker does, and whether the request is then logged: a level other than None, and not every
// stage of it omitted.
func decide(p *inventory.AuditPolicy, q request) (int, bool) {
	for i, r := range p.Rules {
		if ruleMatches(r, q) {
			return i, level(r) != "None" && !silent(p.OmitStages, r.OmitStages)
		}
	}
	return -1, false
}

// silent reports whether omitting these stages leaves a request without any event. An ordinary
// request has events at RequestReceived and ResponseComplete; ResponseStarted is only for
// long-running requests, which end with ResponseComplete too, and Panic only when the handler
// panics.
func silent(policy, rule []string) bool {
	omitted := func(stage string) bool { return slices.Contains(policy, stage) || slices.Contains(rule, stage) }
	return omitted("RequestReceived") && omitted("ResponseComplete")
}

// ruleMatches is the API server's rule matching (ruleMatches in
// k8s.io/apiserver/pkg/audit/policy/checker.go) for the request q.
func ruleMatches(r inventory.AuditPolicyRule, q request) bool {
	if len(r.Users) > 0 && !slices.Contains(r.Users, q.who.user) {
		return false
	}
	if len(r.UserGroups) > 0 && !slices.ContainsFunc(q.who.groups, func(g string) bool { return slices.Contains(r.UserGroups, g) }) {
		return false
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, q.verb) {
		return false
	}
	if len(r.Namespaces) > 0 || len(r.Resources) > 0 {
		if q.t == nil {
			return false
		}
		if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, q.namespace) {
			return false
		}
		if len(r.Resources) == 0 {
			return true
		}
		for _, gr := range r.Resources {
			// The sample requests name no object that a rule's resourceNames could list (a
			// group listing no resources matches them all the same).
			if groupMatches(gr, *q.t) && (len(gr.Resources) == 0 || len(gr.ResourceNames) == 0) {
				return true
			}
		}
		return false
	}
	if len(r.NonResourceURLs) > 0 {
		if q.t != nil {
			return false
		}
		for _, spec := range r.NonResourceURLs {
			if spec == "*" || spec == q.url || strings.HasSuffix(spec, "*") && strings.HasPrefix(q.url, strings.TrimSuffix(spec, "*")) {
				return true
			}
		}
		return false
	}
	return true
}

func rulePath(i int) string { return inventory.Index("rules", i) }

// level returns a rule's level; an empty level is an invalid policy that the API server
// rejects, reported here as None since it logs nothing.
func level(r inventory.AuditPolicyRule) string {
	if r.Level == "" {
		return "None"
	}
	return r.Level
}

func catchAll(r inventory.AuditPolicyRule) bool {
	return len(r.Users) == 0 && len(r.UserGroups) == 0 && len(r.Verbs) == 0 && len(r.Namespaces) == 0 &&
		len(r.Resources) == 0 && len(r.NonResourceURLs) == 0
}

// canLogBodies returns the rules that can match some request for t with level Request or
// RequestResponse, for any user, verb, namespace or name, up to the first rule that matches
// every such request.
func canLogBodies(p *inventory.AuditPolicy, t target) (risky []int) {
	for i, r := range p.Rules {
		canMatch, always := matches(r, t)
		if !canMatch {
			continue
		}
		if l := level(r); l == "Request" || l == "RequestResponse" {
			risky = append(risky, i)
		}
		if always {
			return risky
		}
	}
	return risky
}

// matches reports whether rule r can match a request for t, and whether it matches all of them.
func matches(r inventory.AuditPolicyRule, t target) (canMatch, always bool) {
	conditional := len(r.Users) > 0 || len(r.UserGroups) > 0 || len(r.Verbs) > 0 || len(r.Namespaces) > 0
	if len(r.Resources) == 0 {
		// A rule with only nonResourceURLs never matches resource requests.
		if len(r.NonResourceURLs) > 0 {
			return false, false
		}
		return true, !conditional
	}
	for _, gr := range r.Resources {
		if groupMatches(gr, t) {
			return true, !conditional && len(gr.ResourceNames) == 0
		}
	}
	return false, false
}

// groupMatches reports whether a rule's group and resources cover t (resourceNames aside): its
// group, and no resources listed or one whose pattern matches.
func groupMatches(gr inventory.AuditGroupResources, t target) bool {
	if gr.Group != t.group {
		return false
	}
	if len(gr.Resources) == 0 {
		return true
	}
	for _, res := range gr.Resources {
		if resourceMatches(res, t) {
			return true
		}
	}
	return false
}

// resourceMatches applies the API server's resource patterns.
func resourceMatches(pattern string, t target) bool {
	combined := t.resource
	if t.subresource != "" {
		combined += "/" + t.subresource
	}
	switch {
	case pattern == "*" || pattern == combined:
		return true
	case t.subresource != "" && strings.HasPrefix(pattern, "*/") && pattern[2:] == t.subresource:
		return true
	case strings.HasSuffix(pattern, "/*") && strings.TrimSuffix(pattern, "/*") == t.resource:
		return true
	}
	return false
}
