package logging

/*
AL-04: the audit policy must record what matters without recording secrets.

Read: the audit.k8s.io Policy named by kube-apiserver --audit-policy-file: rules[] with their
      level, users, userGroups, verbs, namespaces, resources (group, resources, resourceNames) and
      nonResourceURLs. The first rule that matches a request sets its level, as in the API server
      (k8s.io/apiserver/pkg/audit/policy/checker.go); "pods/*" matches pods and all its
      subresources, "*" everything, and a "*" followed by "/exec" the exec subresource of
      every resource.
Passes when all of these hold:
  - there are rules, and not every rule is None;
  - the last rule is a catch-all (no selector at all) with a level other than None, and no
    earlier catch-all is None (it would silence everything after it);
  - Secrets, ConfigMaps (core group) and TokenReviews (authentication.k8s.io) are logged at
    Metadata: the first rule that matches them unconditionally is Metadata, and no rule that can
    match them before it logs Request or RequestResponse (which would write secret values and
    tokens into the log);
  - the first unconditional rule for each of pods/exec, pods/attach, pods/portforward, the RBAC
    resources, serviceaccounts/token, certificatesigningrequests, validating and mutating
    webhook configurations and cronjobs is not None.
A rule is unconditional for a resource when it names no users, groups, verbs or namespaces and
matches the resource without resourceNames. Conditional None rules before it (quieting system
users, say) are accepted.
On the API server the control is not assessed when the policy file cannot be read.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AL-04", Match: controlplane.Either(apiServer, controlplane.IsKind(inventory.KindAuditPolicy)), Assess: assessPolicy})
}

// target is a resource request the policy is evaluated for.
type target struct {
	group, resource, subresource string
	label                        string
}

var sensitive = []target{
	{"", "secrets", "", "Secrets"},
	{"", "configmaps", "", "ConfigMaps"},
	{"authentication.k8s.io", "tokenreviews", "", "TokenReviews"},
}

var mustLog = []target{
	{"", "pods", "exec", "pods/exec"},
	{"", "pods", "attach", "pods/attach"},
	{"", "pods", "portforward", "pods/portforward"},
	{"rbac.authorization.k8s.io", "roles", "", "Roles"},
	{"rbac.authorization.k8s.io", "rolebindings", "", "RoleBindings"},
	{"rbac.authorization.k8s.io", "clusterroles", "", "ClusterRoles"},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "", "ClusterRoleBindings"},
	{"", "serviceaccounts", "token", "serviceaccounts/token"},
	{"certificates.k8s.io", "certificatesigningrequests", "", "CertificateSigningRequests"},
	{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "", "ValidatingWebhookConfigurations"},
	{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "MutatingWebhookConfigurations"},
	{"batch", "cronjobs", "", "CronJobs"},
}

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
	lastCatchAll := -1
	for i, r := range p.Rules {
		if catchAll(r) {
			if level(r) == "None" {
				a.Failf(rulePath(i)+".level", "rule %d matches every request with level None: no request reaching it is logged", i+1)
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
	for _, t := range sensitive {
		first, risky := evaluate(p, t)
		for _, i := range risky {
			a.Failf(rulePath(i)+".level", "rule %d logs %s at %s: their contents (secret values, tokens) are written to the audit log; use Metadata", i+1, t.label, level(p.Rules[i]))
		}
		switch {
		case first < 0:
			a.Failf("rules", "no rule logs %s: reads and changes of them leave no trace; log them at Metadata", t.label)
		case level(p.Rules[first]) == "None":
			a.Failf(rulePath(first)+".level", "rule %d does not log %s (level None); log them at Metadata", first+1, t.label)
		}
	}
	for _, t := range mustLog {
		first, _ := evaluate(p, t)
		switch {
		case first < 0:
			a.Failf("rules", "no rule logs %s", t.label)
		case level(p.Rules[first]) == "None":
			a.Failf(rulePath(first)+".level", "rule %d does not log %s (level None): their use leaves no trace", first+1, t.label)
		}
	}
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

// evaluate walks the rules for a resource request like the API server: it returns the index of
// the first rule that matches every such request (-1 if none), and the rules that can match
// some of them at or before it with level Request or RequestResponse.
func evaluate(p *inventory.AuditPolicy, t target) (first int, risky []int) {
	for i, r := range p.Rules {
		canMatch, always := matches(r, t)
		if !canMatch {
			continue
		}
		if l := level(r); l == "Request" || l == "RequestResponse" {
			risky = append(risky, i)
		}
		if always {
			return i, risky
		}
	}
	return -1, risky
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
		if gr.Group != t.group {
			continue
		}
		if len(gr.Resources) == 0 {
			return true, !conditional && len(gr.ResourceNames) == 0
		}
		for _, res := range gr.Resources {
			if resourceMatches(res, t) {
				return true, !conditional && len(gr.ResourceNames) == 0
			}
		}
	}
	return false, false
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
