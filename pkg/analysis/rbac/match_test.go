package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestNewRequest(t *testing.T) {
	cases := map[string]Request{
		"pods":                                {Verb: "get", Resource: "pods", Namespace: "ns"},
		"po/exec":                             {Verb: "get", Resource: "pods", Subresource: "exec", Namespace: "ns"},
		"deploy":                              {Verb: "get", APIGroup: "apps", Resource: "deployments", Namespace: "ns"},
		"deployments.apps/scale":              {Verb: "get", APIGroup: "apps", Resource: "deployments", Subresource: "scale", Namespace: "ns"},
		"ingresses.networking.k8s.io":         {Verb: "get", APIGroup: "networking.k8s.io", Resource: "ingresses", Namespace: "ns"},
		"clusterrolebindings":                 {Verb: "get", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Namespace: "ns"},
		"certificatesigningrequests/approval": {Verb: "get", APIGroup: "certificates.k8s.io", Resource: "certificatesigningrequests", Subresource: "approval", Namespace: "ns"},
		"widgets":                             {Verb: "get", Resource: "widgets", Namespace: "ns"},
		"/healthz":                            {Verb: "get", NonResourceURL: "/healthz"},
	}
	for in, want := range cases {
		if got := NewRequest("get", in, "ns"); got != want {
			t.Errorf("NewRequest(%q) = %+v, want %+v", in, got, want)
		}
	}
	if !NewRequest("get", "nodes/proxy", "ns").ClusterScoped() || NewRequest("get", "pods", "").ClusterScoped() {
		t.Error("ClusterScoped is wrong for nodes/proxy or pods")
	}
}

// TestRuleAllows pins the authorizer's matching rules, one field at a time.
func TestRuleAllows(t *testing.T) {
	r := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	l := func(s ...string) []string { return s }
	req := func(verb, group, resource, sub, name string) Request {
		return Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name}
	}
	cases := []struct {
		name string
		rule rbacv1.PolicyRule
		req  Request
		want bool
	}{
		{"exact", r(l("get"), l(""), l("pods"), nil), req("get", "", "pods", "", "p"), true},
		{"other verb", r(l("get"), l(""), l("pods"), nil), req("list", "", "pods", "", ""), false},
		{"verb star", r(l("*"), l(""), l("pods"), nil), req("escalate", "", "pods", "", ""), true},
		{"other group", r(l("get"), l(""), l("deployments"), nil), req("get", "apps", "deployments", "", ""), false},
		{"group star", r(l("get"), l("*"), l("deployments"), nil), req("get", "apps", "deployments", "", ""), true},
		{"resource star covers subresources", r(l("create"), l(""), l("*"), nil), req("create", "", "pods", "exec", ""), true},
		{"resource does not cover its subresources", r(l("create"), l(""), l("pods"), nil), req("create", "", "pods", "exec", ""), false},
		{"subresource exact", r(l("create"), l(""), l("pods/exec"), nil), req("create", "", "pods", "exec", ""), true},
		{"subresource not the resource", r(l("get"), l(""), l("pods/exec"), nil), req("get", "", "pods", "", ""), false},
		{"star slash subresource", r(l("update"), l("*"), l("*/scale"), nil), req("update", "apps", "deployments", "scale", ""), true},
		{"star slash other subresource", r(l("update"), l("*"), l("*/scale"), nil), req("update", "apps", "deployments", "status", ""), false},
		{"star slash is not the resource", r(l("update"), l("*"), l("*/scale"), nil), req("update", "apps", "deployments", "", ""), false},
		{"resource slash star is literal", r(l("create"), l(""), l("pods/*"), nil), req("create", "", "pods", "exec", ""), false},
		{"named object", r(l("get"), l(""), l("secrets"), l("a")), req("get", "", "secrets", "", "a"), true},
		{"other object", r(l("get"), l(""), l("secrets"), l("a")), req("get", "", "secrets", "", "b"), false},
		{"names never allow unnamed requests", r(l("create"), l(""), l("secrets"), l("a")), req("create", "", "secrets", "", ""), false},
		{"resource rule is not a URL rule", r(l("get"), l("*"), l("*"), nil), Request{Verb: "get", NonResourceURL: "/healthz"}, false},
		{"URL exact", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}, Request{Verb: "get", NonResourceURL: "/healthz"}, true},
		{"URL exact only", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}, Request{Verb: "get", NonResourceURL: "/healthz/etcd"}, false},
		{"URL prefix", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz*")}, Request{Verb: "get", NonResourceURL: "/healthz/etcd"}, true},
		{"URL star", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("*")}, Request{Verb: "get", NonResourceURL: "/logs"}, true},
		{"URL rule is not a resource rule", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}, req("get", "", "pods", "", ""), false},
	}
	for _, c := range cases {
		if got := RuleAllows(&c.rule, c.req); got != c.want {
			t.Errorf("%s: RuleAllows = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCovers(t *testing.T) {
	get := func(urls ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: urls}
	}
	cases := []struct {
		rule rbacv1.PolicyRule
		want bool
	}{
		{get("/healthz", "/version"), true},
		{get("/apis/apps/v1"), true},
		{get("/metrics"), false},
		{get("*"), false},
		{rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"/healthz"}}, false},
		{rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"selfsubjectaccessreviews"}}, true},
		{rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}}, false},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}, false},
		{rbacv1.PolicyRule{}, true},
		// Limited by resourceNames, create on a resource and deletecollection allow nothing;
		// create on a named object's subresource does.
		{rbacv1.PolicyRule{Verbs: []string{"create", "deletecollection"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"a"}}, true},
		{rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"pods/exec"}, ResourceNames: []string{"a"}}, false},
		{rbacv1.PolicyRule{Verbs: []string{"create", "get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"a"}}, false},
	}
	for _, c := range cases {
		if got := Covers(DiscoveryRules(), c.rule); got != c.want {
			t.Errorf("Covers(discovery, %v) = %v, want %v", c.rule, got, c.want)
		}
	}
	named := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"*"}, ResourceNames: []string{"a", "b"}}}
	if !Covers(named, rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}, ResourceNames: []string{"a"}}) ||
		Covers(named, rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}) {
		t.Error("resourceNames coverage is wrong")
	}
}

func TestIsAdminRule(t *testing.T) {
	all := []string{"*"}
	cases := []struct {
		rule rbacv1.PolicyRule
		want bool
	}{
		{rbacv1.PolicyRule{Verbs: all, APIGroups: all, Resources: all}, true},
		{rbacv1.PolicyRule{Verbs: all, APIGroups: []string{""}, Resources: all}, true},
		{rbacv1.PolicyRule{Verbs: all, APIGroups: []string{"apps"}, Resources: all}, false},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: all, Resources: all}, false},
		{rbacv1.PolicyRule{Verbs: all, APIGroups: all, Resources: all, ResourceNames: []string{"x"}}, false},
		{rbacv1.PolicyRule{Verbs: all, NonResourceURLs: all}, false},
	}
	for _, c := range cases {
		if got := IsAdminRule(&c.rule); got != c.want {
			t.Errorf("IsAdminRule(%v) = %v, want %v", c.rule, got, c.want)
		}
	}
}

func TestParseSubject(t *testing.T) {
	good := map[string]Subject{
		"User/jane":                    {Kind: KindUser, Name: "jane"},
		"user/https://idp#jane":        {Kind: KindUser, Name: "https://idp#jane"},
		"Group/devs":                   {Kind: KindGroup, Name: "devs"},
		"ServiceAccount/shop/api":      {Kind: KindServiceAccount, Namespace: "shop", Name: "api"},
		"sa/shop/api":                  {Kind: KindServiceAccount, Namespace: "shop", Name: "api"},
		"Group/system:serviceaccounts": {Kind: KindGroup, Name: "system:serviceaccounts"},
	}
	for in, want := range good {
		if got, err := ParseSubject(in); err != nil || got != want {
			t.Errorf("ParseSubject(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"jane", "User/", "ServiceAccount/api", "ServiceAccount/shop/", "Robot/r2d2", "sa/a/b/c"} {
		if _, err := ParseSubject(in); err == nil {
			t.Errorf("ParseSubject(%q) accepted it", in)
		}
	}
}

func TestSubjectClasses(t *testing.T) {
	cases := []struct {
		s                    Subject
		system, human, sAcct bool
	}{
		{Subject{Kind: KindUser, Name: "system:kube-controller-manager"}, true, false, false},
		{Subject{Kind: KindUser, Name: "system:node:worker-1"}, true, false, false},
		{Subject{Kind: KindUser, Name: UserAnonymous}, false, false, false},
		{Subject{Kind: KindUser, Name: "jane"}, false, true, false},
		{Subject{Kind: KindUser, Name: "system:serviceaccount:kube-system:namespace-controller"}, true, false, true},
		{Subject{Kind: KindUser, Name: "system:serviceaccount:shop:api"}, false, false, true},
		{Subject{Kind: KindGroup, Name: GroupMasters}, true, false, false},
		{Subject{Kind: KindGroup, Name: "system:nodes"}, true, false, false},
		{Subject{Kind: KindGroup, Name: GroupAuthenticated}, false, false, false},
		{Subject{Kind: KindGroup, Name: "system:serviceaccounts:shop"}, false, false, false},
		{Subject{Kind: KindGroup, Name: "devs"}, false, true, false},
		{Subject{Kind: KindServiceAccount, Namespace: "kube-system", Name: "replicaset-controller"}, true, false, true},
		{Subject{Kind: KindServiceAccount, Namespace: "kube-system", Name: "aws-load-balancer-controller"}, false, false, true},
		{Subject{Kind: KindServiceAccount, Namespace: "shop", Name: "replicaset-controller"}, false, false, true},
	}
	for _, c := range cases {
		if got := IsSystemSubject(c.s); got != c.system {
			t.Errorf("IsSystemSubject(%v) = %v", c.s, got)
		}
		if got := IsHuman(c.s); got != c.human {
			t.Errorf("IsHuman(%v) = %v", c.s, got)
		}
		if got := IsServiceAccount(c.s); got != c.sAcct {
			t.Errorf("IsServiceAccount(%v) = %v", c.s, got)
		}
	}
}
