package rbac

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// describe renders a grant as "subject | scope | via", plus a tag for grants that do not come
// straight from the input, so that tests compare whole grant lists as text.
func describe(g Grant) string {
	s := g.Subject.String() + " | " + g.Scope() + " | " + g.Via()
	switch {
	case g.Implicit:
		s += " (implicit)"
	case g.Unresolved:
		s += " (unresolved)"
	case g.Ineffective():
		s += " (ineffective)"
	case g.BuiltIn:
		s += " (builtin)"
	}
	return s
}

func describeAll(gs []Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = describe(g)
	}
	return out
}

func assertGrants(t *testing.T, what string, got []Grant, want ...string) {
	t.Helper()
	if d := describeAll(got); !slices.Equal(d, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(d, "\n      "), strings.Join(want, "\n      "))
	}
}

const masters = "Group system:masters | cluster-wide | group membership (no binding) (implicit)"

func loadCluster(t *testing.T) *Analysis {
	t.Helper()
	inv := checktest.Load(t, "testdata/cluster.yaml")
	a := New(inv)
	if len(a.Problems) > 0 {
		t.Fatalf("problems: %v", a.Problems)
	}
	return a
}

func TestWhoCan(t *testing.T) {
	a := loadCluster(t)
	cases := []struct {
		verb, resource, namespace string
		want                      []string
	}{
		{"create", "pods/exec", "shop", []string{
			masters,
			"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-exec)",
		}},
		// Nothing cluster-wide; the unresolved billing binding does not reach shop.
		{"create", "pods/exec", "", []string{masters}},
		{"create", "pods/exec", "billing", []string{
			masters,
			"User bob | in namespace billing | RoleBinding billing/missing-role → Role billing/billing-admin (unresolved)",
		}},
		{"create", "pods/exec", AnyNamespace, []string{
			masters,
			"User bob | in namespace billing | RoleBinding billing/missing-role → Role billing/billing-admin (unresolved)",
			"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-exec)",
		}},
		// A rule aggregated twice counts once; pods/log comes from the second component.
		{"get", "pods/log", "shop", []string{
			"Group ops | cluster-wide | ClusterRoleBinding ops-view → ClusterRole view (rules[0] of ClusterRole system:aggregate-to-view) (builtin)",
			masters,
			"User jane | cluster-wide | ClusterRoleBinding jane-get → ClusterRole get-everything rules[0]",
			"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-logs)",
		}},
		// resourceNames: the service account may read one Secret, not Secrets in general.
		{"get", "secrets", "shop", []string{
			masters,
			"User jane | cluster-wide | ClusterRoleBinding jane-get → ClusterRole get-everything rules[0]",
		}},
		{"list", "secrets", "shop", []string{masters}},
		// */scale matches the scale subresource of any resource, not the resource itself.
		{"update", "deployments/scale", "shop", []string{
			masters,
			"Group system:serviceaccounts:shop | in namespace shop | RoleBinding shop/all-sa-scale → ClusterRole scaler rules[0]",
		}},
		{"update", "deployments", "shop", []string{masters}},
		// nodes are cluster-scoped: the RoleBinding to carol does not count, -n or not.
		{"get", "nodes", "shop", []string{
			masters,
			"User jane | cluster-wide | ClusterRoleBinding jane-get → ClusterRole get-everything rules[0]",
			"User system:serviceaccount:shop:api | cluster-wide | ClusterRoleBinding api-nodes → ClusterRole node-reader rules[0]",
		}},
		{"get", "/debug/pprof/heap", "", []string{
			"Group monitoring | cluster-wide | ClusterRoleBinding monitoring → ClusterRole metrics-reader rules[0]",
			masters,
			"ServiceAccount monitoring/prometheus | cluster-wide | ClusterRoleBinding monitoring → ClusterRole metrics-reader rules[0]",
		}},
		{"get", "/healthz", "", []string{masters}},
		// widgets-view flows into the built-in view through its aggregation label.
		{"list", "widgets.example.com", "", []string{
			"Group ops | cluster-wide | ClusterRoleBinding ops-view → ClusterRole view (rules[0] of ClusterRole widgets-view) (builtin)",
			masters,
		}},
		{"list", "deploy", "payments", []string{
			"Group ops | cluster-wide | ClusterRoleBinding ops-view → ClusterRole view (rules[3] of ClusterRole system:aggregate-to-view) (builtin)",
			masters,
		}},
	}
	for _, c := range cases {
		assertGrants(t, "who can "+c.verb+" "+c.resource+" in "+c.namespace, a.WhoCan(c.verb, c.resource, c.namespace), c.want...)
	}

	named := NewRequest("get", "secrets", "shop")
	named.Name = "db-password"
	assertGrants(t, "who can get secret db-password", a.WhoCanRequest(named),
		masters,
		"User jane | cluster-wide | ClusterRoleBinding jane-get → ClusterRole get-everything rules[0]",
		"ServiceAccount shop/api | in namespace shop | RoleBinding shop/api-secrets → Role shop/secret-reader rules[0]",
	)
}

func TestSubjectPermissions(t *testing.T) {
	a := loadCluster(t)
	api := []string{
		"User system:serviceaccount:shop:api | cluster-wide | ClusterRoleBinding api-nodes → ClusterRole node-reader rules[0]",
		"Group system:serviceaccounts:shop | in namespace shop | RoleBinding shop/all-sa-scale → ClusterRole scaler rules[0]",
		"ServiceAccount shop/api | in namespace shop | RoleBinding shop/api-secrets → Role shop/secret-reader rules[0]",
		"ServiceAccount shop/api | in namespace shop | RoleBinding shop/api-secrets → Role shop/secret-reader rules[1]",
	}
	assertGrants(t, "ServiceAccount shop/api", a.SubjectPermissions(KindServiceAccount, "shop", "api"), api...)
	assertGrants(t, "the same account by user name", a.SubjectPermissions(KindUser, "", "system:serviceaccount:shop:api"), api...)
	assertGrants(t, "another account of shop", a.SubjectPermissions(KindServiceAccount, "shop", "web"), api[1])
	assertGrants(t, "Group devs", a.SubjectPermissions(KindGroup, "", "devs"),
		"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-exec)",
		"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[1] of ClusterRole debug-exec)",
		"Group devs | in namespace shop | RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-logs)",
	)
	assertGrants(t, "User bob", a.SubjectPermissions(KindUser, "", "bob"),
		"User bob | in namespace billing | RoleBinding billing/missing-role → Role billing/billing-admin (unresolved)")
	assertGrants(t, "User carol", a.SubjectPermissions(KindUser, "", "carol"),
		"User carol | in namespace shop | RoleBinding shop/carol-nodes → ClusterRole node-reader rules[0] (ineffective)")
	assertGrants(t, "Group system:masters", a.SubjectPermissions(KindGroup, "", GroupMasters), masters)
	assertGrants(t, "User nobody", a.SubjectPermissions(KindUser, "", "nobody"))
}

func ruleOrigins(r *Role) []string {
	var out []string
	for _, x := range r.Rules {
		out = append(out, x.Origin.Ref.Name+"["+strconv.Itoa(x.Index)+"]")
	}
	return out
}

func TestAggregation(t *testing.T) {
	a := loadCluster(t)
	clusterRole := func(name string) *Role {
		r := a.Role(inventory.Ref{APIVersion: rbacAPIVersion, Kind: "ClusterRole", Name: name})
		if r == nil {
			t.Fatalf("no ClusterRole %s", name)
		}
		return r
	}
	// Transitive: super-debugger takes pod-debugger's aggregated rules, components sorted by name.
	if got, want := ruleOrigins(clusterRole("super-debugger")), []string{"extra-configmaps[0]", "debug-exec[0]", "debug-exec[1]", "debug-logs[0]"}; !slices.Equal(got, want) {
		t.Errorf("super-debugger rules from %v, want %v", got, want)
	}
	// The hand-written wildcard rule of pod-debugger is replaced by aggregation.
	if got := ruleOrigins(clusterRole("pod-debugger")); slices.Contains(got, "pod-debugger[0]") {
		t.Errorf("pod-debugger kept its own rules: %v", got)
	}
	// Built-in admin = its own extras + edit, which holds view, which holds widgets-view.
	admin := ruleOrigins(clusterRole("admin"))
	for _, want := range []string{"system:aggregate-to-admin[1]", "system:aggregate-to-edit[0]", "system:aggregate-to-view[0]", "widgets-view[0]"} {
		if !slices.Contains(admin, want) {
			t.Errorf("admin lacks %s: %v", want, admin)
		}
	}
	if !clusterRole("admin").BuiltIn || clusterRole("widgets-view").BuiltIn {
		t.Error("BuiltIn marks the wrong roles")
	}
}

func TestAggregationCycleAndInputOverridesBuiltIn(t *testing.T) {
	inv := checktest.Parse(t, "cycle.yaml", []byte(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {y: "1"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {x: "1"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {x: "1"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {y: "1"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c, labels: {x: "1"}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
`))
	a := New(inv)
	for _, name := range []string{"a", "b"} {
		r := a.Role(inventory.Ref{APIVersion: rbacAPIVersion, Kind: "ClusterRole", Name: name})
		if got := ruleOrigins(r); !slices.Equal(got, []string{"c[0]"}) {
			t.Errorf("%s rules from %v, want [c[0]]", name, got)
		}
	}
	view := a.Role(inventory.Ref{APIVersion: rbacAPIVersion, Kind: "ClusterRole", Name: "view"})
	if view.BuiltIn || view.Aggregated || len(view.Rules) != 1 {
		t.Errorf("the input's view should replace the built-in one: %+v", view)
	}
}

func TestProblems(t *testing.T) {
	inv := checktest.Parse(t, "bad.yaml", []byte(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: no-sa-namespace}
subjects: [{kind: ServiceAccount, name: api}, {kind: Robot, name: r2d2}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-to-role}
subjects: [{kind: User, name: jane}]
roleRef: {kind: Role, name: view, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: twice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: twice}
`))
	a := New(inv)
	var got []string
	for _, p := range a.Problems {
		got = append(got, p.Object.Name+" "+p.Path)
	}
	want := []string{"twice ", "no-sa-namespace subjects[0]", "no-sa-namespace subjects[1]", "cluster-to-role roleRef.kind"}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %q, want %q", got, want)
	}
	// The binding to a Role from a ClusterRoleBinding is kept, unresolved.
	assertGrants(t, "jane", a.SubjectPermissions(KindUser, "", "jane"),
		"User jane | cluster-wide | ClusterRoleBinding cluster-to-role → Role view (unresolved)")
}

func TestForBuildsOncePerInventory(t *testing.T) {
	inv := checktest.Load(t, "testdata/cluster.yaml")
	var wg sync.WaitGroup
	got := make([]*Analysis, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = For(inv) }()
	}
	wg.Wait()
	for _, a := range got {
		if a != got[0] {
			t.Fatal("For built more than one analysis for one inventory")
		}
	}
}

func TestViaNamesEachRuleOnce(t *testing.T) {
	a := loadCluster(t)
	gs := a.SubjectPermissions(KindGroup, "", "devs")
	want := "RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0], rules[1] of ClusterRole debug-exec; rules[0] of ClusterRole debug-logs)"
	if got := Via(&gs[0], &gs[1], &gs[2], &gs[0]); got != want {
		t.Errorf("Via = %q, want %q", got, want)
	}
	api := a.SubjectPermissions(KindServiceAccount, "shop", "api")
	if got, want := Via(&api[3], &api[2]), "RoleBinding shop/api-secrets → Role shop/secret-reader rules[1], rules[0]"; got != want {
		t.Errorf("Via = %q, want %q", got, want)
	}
}

// delegator is the ClusterRole of TestRoleBindingReachesClusterScopedRequestsOfItsNamespace,
// bound in namespace shop only.
const delegator = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: delegator}
rules:
- {verbs: [bind], apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles]}
- {verbs: [delete], apiGroups: [""], resources: [namespaces]}
- {verbs: [escalate, list], apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles]}
- {verbs: [list, create], apiGroups: [""], resources: [namespaces]}
- {verbs: ["*"], apiGroups: [""], resources: [nodes]}
- {verbs: ["*"], apiGroups: [""], resources: [namespaces/status]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: delegate, namespace: shop}
subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: delegator, apiGroup: rbac.authorization.k8s.io}
`

// TestRoleBindingReachesClusterScopedRequestsOfItsNamespace: two requests on cluster-scoped
// resources carry a namespace, so a RoleBinding of that namespace allows them. The API server's
// check on writing a RoleBinding in shop that names a ClusterRole asks for bind on clusterroles in
// shop; and a request on /api/v1/namespaces/shop carries namespace shop.
func TestRoleBindingReachesClusterScopedRequestsOfItsNamespace(t *testing.T) {
	a := New(checktest.Parse(t, "delegator.yaml", []byte(delegator)))
	dave0 := "User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[0]"
	dave1 := "User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[1]"
	req := func(verb, resource, namespace, name string) Request {
		r := NewRequest(verb, resource, namespace)
		r.Name = name
		return r
	}
	cases := []struct {
		req  Request
		want []string
	}{
		{req("bind", "clusterroles", "shop", ""), []string{masters, dave0}},
		{req("bind", "clusterroles", "shop", "cluster-admin"), []string{masters, dave0}},
		{req("bind", "clusterroles", AnyNamespace, ""), []string{masters, dave0}},
		{req("bind", "clusterroles", "billing", ""), []string{masters}},
		{req("bind", "clusterroles", "", ""), []string{masters}},
		// escalate is checked on writing the ClusterRole itself, which has no namespace.
		{req("escalate", "clusterroles", "shop", ""), []string{masters}},
		{req("delete", "namespaces", "shop", "shop"), []string{masters, dave1}},
		{req("delete", "namespaces", AnyNamespace, "shop"), []string{masters, dave1}},
		{req("delete", "namespaces", "shop", ""), []string{masters, dave1}},
		{req("delete", "namespaces", AnyNamespace, "billing"), []string{masters}},
		{req("delete", "namespaces", "", "shop"), []string{masters}},
		// Listing and creating namespaces go to /api/v1/namespaces, which names none.
		{req("list", "namespaces", "shop", ""), []string{masters}},
		{req("create", "namespaces", "shop", ""), []string{masters}},
	}
	for _, c := range cases {
		assertGrants(t, "who can "+c.req.String(), a.WhoCanRequest(c.req), c.want...)
	}
	assertGrants(t, "User dave", a.SubjectPermissions(KindUser, "", "dave"),
		dave0, dave1,
		"User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[2] (ineffective)",
		"User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[3] (ineffective)",
		"User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[4] (ineffective)",
		"User dave | in namespace shop | RoleBinding shop/delegate → ClusterRole delegator rules[5]")
	for _, c := range []struct{ req, want string }{
		{req("bind", "clusterroles", "shop", "").String(), "bind clusterroles.rbac.authorization.k8s.io in namespace shop"},
		{req("bind", "clusterroles", "", "").String(), "bind clusterroles.rbac.authorization.k8s.io cluster-wide"},
		{req("escalate", "clusterroles", "shop", "").String(), "escalate clusterroles.rbac.authorization.k8s.io"},
		{req("delete", "namespaces", "shop", "shop").String(), "delete namespaces named shop"},
		{req("delete", "namespaces", "shop", "").String(), "delete namespaces in namespace shop"},
		{req("list", "namespaces", "shop", "").String(), "list namespaces"},
	} {
		if c.req != c.want {
			t.Errorf("request renders as %q, want %q", c.req, c.want)
		}
	}
}

// TestResourceNamesDoNotLimitCreate: a create request names no object (the name is in the body
// of a POST to the collection), nor does deletecollection, so a rule limited by resourceNames
// never allows them, whatever name the question gives. A named get, list (by a metadata.name
// field selector) or watch is limited by them, and so is create on a subresource of a named
// object (pods/exec of one pod).
func TestResourceNamesDoNotLimitCreate(t *testing.T) {
	a := New(checktest.Parse(t, "named.yaml", []byte(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: foo-only, namespace: shop}
rules:
- {verbs: [create, get, list, watch, deletecollection], apiGroups: [""], resources: [secrets], resourceNames: [foo]}
- {verbs: [create], apiGroups: [""], resources: [pods/exec], resourceNames: [debug]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: gina, namespace: shop}
subjects: [{kind: User, name: gina, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: foo-only, apiGroup: rbac.authorization.k8s.io}
`)))
	gina := func(rule int) string {
		return "User gina | in namespace shop | RoleBinding shop/gina → Role shop/foo-only rules[" + strconv.Itoa(rule) + "]"
	}
	named := func(verb, resource, name string) Request {
		r := NewRequest(verb, resource, "shop")
		r.Name = name
		return r
	}
	cases := []struct {
		req  Request
		want []string
	}{
		{named("create", "secrets", "foo"), []string{masters}},
		{named("create", "secrets", ""), []string{masters}},
		{named("deletecollection", "secrets", "foo"), []string{masters}},
		{named("get", "secrets", "foo"), []string{masters, gina(0)}},
		{named("list", "secrets", "foo"), []string{masters, gina(0)}},
		{named("watch", "secrets", "foo"), []string{masters, gina(0)}},
		{named("list", "secrets", ""), []string{masters}},
		{named("get", "secrets", "bar"), []string{masters}},
		{named("create", "pods/exec", "debug"), []string{masters, gina(1)}},
		{named("create", "pods/exec", ""), []string{masters}},
	}
	for _, c := range cases {
		assertGrants(t, "who can "+c.req.String(), a.WhoCanRequest(c.req), c.want...)
	}
	gs := a.SubjectPermissions(KindUser, "", "gina")
	if got, want := gs[0].Note(), "resourceNames cannot limit create (but on subresources) or deletecollection, which name no object: the rule never allows them"; got != want {
		t.Errorf("note on the secrets rule = %q, want %q", got, want)
	}
	if got := gs[1].Note(); got != "" {
		t.Errorf("note on the pods/exec rule = %q, want none", got)
	}
}
