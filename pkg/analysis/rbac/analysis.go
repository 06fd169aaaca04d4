package rbac

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

const rbacAPIVersion = rbacv1.GroupName + "/v1"

// Analysis is the resolved RBAC state of one inventory. It is immutable once built and safe for
// concurrent use.
type Analysis struct {
	roles    map[roleKey]*Role
	bindings []*Binding
	byObject map[*inventory.Object]*Binding
	// byRole lists the bindings of each role reference, resolved or not.
	byRole map[roleKey][]*Binding
	// Problems are RBAC objects the API server would reject or that cannot be read as written.
	Problems []Problem
}

// Problem is an RBAC object, or part of one, that the analysis could not use.
type Problem struct {
	Object  inventory.Ref `json:"object"`
	Path    string        `json:"path,omitempty"`
	Message string        `json:"message"`
}

// Role is a Role or ClusterRole with its effective rules.
type Role struct {
	Ref inventory.Ref
	// Object is the role in the inventory, or nil for a built-in role.
	Object  *inventory.Object
	BuiltIn bool
	// Aggregated is set for ClusterRoles with an aggregationRule: Rules then come from the
	// ClusterRoles its selectors match.
	Aggregated bool
	Rules      []Rule

	labels      map[string]string
	declared    []rbacv1.PolicyRule
	aggregation *rbacv1.AggregationRule
}

// Rule is one effective rule of a role, with the role that declares it: the role itself, or
// under aggregation the ClusterRole it was collected from.
type Rule struct {
	*rbacv1.PolicyRule
	Origin *Role
	// Index is the rule's position in its Origin's rules (the path rules[Index] there).
	Index int
}

// Binding is a RoleBinding or ClusterRoleBinding, resolved.
type Binding struct {
	Object *inventory.Object
	Ref    inventory.Ref
	// Namespace is where the binding grants its rules: the RoleBinding's namespace, or "" for a
	// ClusterRoleBinding, which grants them everywhere.
	Namespace string
	// Subjects are the binding's subjects in order (index i is subjects[i]), with a service
	// account's namespace defaulted to the binding's.
	Subjects []Subject
	// RoleRef is the role the binding names; Role is that role, or nil when neither the inventory
	// nor the built-in table has it.
	RoleRef inventory.Ref
	Role    *Role

	grants [][]Grant // per subject
	// defaults marks the subjects that Kubernetes' bootstrap policy binds here (see
	// KubernetesDefault); nil for any other binding.
	defaults []bool
}

// Grants returns what the binding gives the subject at index i: one grant per effective rule, or
// a single unresolved grant when the role is unknown.
func (b *Binding) Grants(i int) []Grant { return b.grants[i] }

type roleKey struct{ kind, namespace, name string }

func keyOf(r inventory.Ref) roleKey { return roleKey{r.Kind, r.Namespace, r.Name} }

type derivedKey struct{}

// For returns the analysis of inv, building it on first use. Checks run concurrently, one object
// at a time; they all share this one analysis per inventory.
func For(inv *inventory.Inventory) *Analysis {
	return inv.Derived(derivedKey{}, func(inv *inventory.Inventory) any { return New(inv) }).(*Analysis)
}

// New resolves the roles and bindings of inv. Prefer For, which builds the analysis once.
func New(inv *inventory.Inventory) *Analysis {
	a := &Analysis{roles: map[roleKey]*Role{}, byObject: map[*inventory.Object]*Binding{}, byRole: map[roleKey][]*Binding{}}
	for _, o := range inv.OfKind("ClusterRole") {
		if t, ok := o.Typed.(*rbacv1.ClusterRole); ok {
			a.addRole(&Role{Ref: o.Ref(), Object: o, labels: t.Labels, declared: t.Rules, aggregation: t.AggregationRule})
		}
	}
	for _, o := range inv.OfKind("Role") {
		if t, ok := o.Typed.(*rbacv1.Role); ok {
			a.addRole(&Role{Ref: o.Ref(), Object: o, labels: t.Labels, declared: t.Rules})
		}
	}
	for _, t := range builtInClusterRoles() {
		ref := inventory.Ref{APIVersion: rbacAPIVersion, Kind: "ClusterRole", Name: t.Name}
		if a.roles[keyOf(ref)] == nil {
			a.addRole(&Role{Ref: ref, BuiltIn: true, labels: t.Labels, declared: t.Rules, aggregation: t.AggregationRule})
		}
	}
	for _, t := range builtInRoles() {
		ref := inventory.Ref{APIVersion: rbacAPIVersion, Kind: "Role", Namespace: t.Namespace, Name: t.Name}
		if a.roles[keyOf(ref)] == nil {
			a.addRole(&Role{Ref: ref, BuiltIn: true, labels: t.Labels, declared: t.Rules})
		}
	}
	a.aggregate()
	for _, o := range inv.OfKind("ClusterRoleBinding") {
		if t, ok := o.Typed.(*rbacv1.ClusterRoleBinding); ok {
			a.addBinding(o, t.Subjects, t.RoleRef)
		}
	}
	for _, o := range inv.OfKind("RoleBinding") {
		if t, ok := o.Typed.(*rbacv1.RoleBinding); ok {
			a.addBinding(o, t.Subjects, t.RoleRef)
		}
	}
	return a
}

func (a *Analysis) addRole(r *Role) {
	k := keyOf(r.Ref)
	if prev := a.roles[k]; prev != nil {
		a.Problems = append(a.Problems, Problem{Object: r.Ref,
			Message: fmt.Sprintf("defined more than once (%s); the first definition is used", describeOrigin(prev.Object))})
		return
	}
	r.Aggregated = r.aggregation != nil
	if !r.Aggregated {
		r.Rules = make([]Rule, len(r.declared))
		for i := range r.declared {
			r.Rules[i] = Rule{PolicyRule: &r.declared[i], Origin: r, Index: i}
		}
	}
	a.roles[k] = r
}

func describeOrigin(o *inventory.Object) string {
	if o == nil {
		return "built-in"
	}
	if o.Origin.File != "" {
		return fmt.Sprintf("first in %s:%d", o.Origin.File, o.Origin.Line)
	}
	return "first from " + o.Origin.Detail
}

// aggregate fills in the rules of aggregated ClusterRoles the way the aggregation controller
// converges: each takes the union, without duplicates, of the rules of the ClusterRoles its
// selectors match (in selector order, then by name, never itself). Aggregated roles start empty
// and are recomputed until nothing changes, which resolves chains (admin <- edit <- view) in any
// order; the union only grows, so this ends, and on a cycle every role of the cycle ends with the
// rules that reach any of them.
func (a *Analysis) aggregate() {
	var clusterRoles, aggregated []*Role
	for _, r := range a.roles {
		if r.Ref.Kind == "ClusterRole" {
			clusterRoles = append(clusterRoles, r)
			if r.Aggregated {
				aggregated = append(aggregated, r)
			}
		}
	}
	byName := func(x, y *Role) int { return strings.Compare(x.Ref.Name, y.Ref.Name) }
	slices.SortFunc(clusterRoles, byName)
	slices.SortFunc(aggregated, byName)
	members := map[*Role][]*Role{}
	for _, agg := range aggregated {
		for i := range agg.aggregation.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&agg.aggregation.ClusterRoleSelectors[i])
			if err != nil {
				a.Problems = append(a.Problems, Problem{Object: agg.Ref,
					Path:    inventory.Index("aggregationRule.clusterRoleSelectors", i),
					Message: "invalid selector, ignored: " + err.Error()})
				continue
			}
			for _, r := range clusterRoles {
				if r != agg && sel.Matches(labels.Set(r.labels)) {
					members[agg] = append(members[agg], r)
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, agg := range aggregated {
			var rules []Rule
			seen := map[string]bool{}
			for _, m := range members[agg] {
				for _, r := range m.Rules {
					// The controller drops rules that are semantically equal (nil and empty
					// lists alike); a key per rule finds them without comparing every pair.
					if k := ruleKey(r.PolicyRule); !seen[k] {
						seen[k] = true
						rules = append(rules, r)
					}
				}
			}
			if len(rules) != len(agg.Rules) {
				agg.Rules = rules
				changed = true
			}
		}
	}
}

// ruleKey identifies a rule up to semantic equality: the same lists in the same order, where a
// nil list and an empty one are the same.
func ruleKey(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, l := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, v := range l {
			b.WriteString(v)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}

func (a *Analysis) addBinding(o *inventory.Object, subjects []rbacv1.Subject, ref rbacv1.RoleRef) {
	b := &Binding{Object: o, Ref: o.Ref(), Namespace: o.EffectiveNamespace()}
	b.RoleRef = inventory.Ref{APIVersion: rbacAPIVersion, Kind: ref.Kind, Name: ref.Name}
	switch {
	case ref.Kind == "Role" && b.Namespace != "":
		b.RoleRef.Namespace = b.Namespace
	case ref.Kind == "ClusterRole":
	default:
		a.Problems = append(a.Problems, Problem{Object: b.Ref, Path: "roleRef.kind",
			Message: fmt.Sprintf("a %s cannot refer to a %q; the API server rejects it", o.Kind, ref.Kind)})
	}
	b.Role = a.roles[keyOf(b.RoleRef)]
	for i, s := range subjects {
		sub := Subject{Kind: s.Kind, Name: s.Name}
		switch s.Kind {
		case KindServiceAccount:
			sub.Namespace = s.Namespace
			if sub.Namespace == "" {
				// A RoleBinding's service account defaults to the binding's namespace; a
				// ClusterRoleBinding's must name one (the API server rejects it otherwise).
				sub.Namespace = b.Namespace
				if b.Namespace == "" {
					a.Problems = append(a.Problems, Problem{Object: b.Ref, Path: inventory.Index("subjects", i),
						Message: "a ServiceAccount subject of a ClusterRoleBinding needs a namespace; it matches no one"})
				}
			}
		case KindUser, KindGroup:
		default:
			a.Problems = append(a.Problems, Problem{Object: b.Ref, Path: inventory.Index("subjects", i),
				Message: fmt.Sprintf("unknown subject kind %q matches no one", s.Kind)})
		}
		b.Subjects = append(b.Subjects, sub)
	}
	b.defaults = defaultSubjects(b)
	b.grants = make([][]Grant, len(b.Subjects))
	for i, s := range b.Subjects {
		base := Grant{Subject: s, Binding: b.Ref, SubjectIndex: i, Role: b.RoleRef, Namespace: b.Namespace}
		if b.Role == nil {
			base.Unresolved = true
			b.grants[i] = []Grant{base}
			continue
		}
		gs := make([]Grant, len(b.Role.Rules))
		for j, r := range b.Role.Rules {
			g := base
			g.Rule, g.RuleOrigin, g.RuleIndex = r.PolicyRule, r.Origin.Ref, r.Index
			g.BuiltIn = r.Origin.BuiltIn || b.Role.BuiltIn
			gs[j] = g
		}
		b.grants[i] = gs
	}
	a.bindings = append(a.bindings, b)
	a.byObject[o] = b
	a.byRole[keyOf(b.RoleRef)] = append(a.byRole[keyOf(b.RoleRef)], b)
}

// Binding returns the resolved binding of a RoleBinding or ClusterRoleBinding of the inventory.
func (a *Analysis) Binding(o *inventory.Object) *Binding { return a.byObject[o] }

// Bindings returns every binding, ClusterRoleBindings first, in input order.
func (a *Analysis) Bindings() []*Binding { return a.bindings }

// BindingsOf returns the bindings that name the role ref (resolved or not).
func (a *Analysis) BindingsOf(role inventory.Ref) []*Binding { return a.byRole[keyOf(role)] }

// Role returns the role a reference names (from the inventory or the built-in table), or nil.
func (a *Analysis) Role(ref inventory.Ref) *Role { return a.roles[keyOf(ref)] }

// Grant is one rule that a binding gives one subject, in one scope.
type Grant struct {
	// Subject is the subject as the binding names it (a group, when the grant reaches a service
	// account through its groups).
	Subject Subject `json:"subject"`
	// Binding is the RoleBinding or ClusterRoleBinding; empty for the implicit grant to
	// system:masters.
	Binding inventory.Ref `json:"binding"`
	// SubjectIndex is the subject's position in the binding: the finding path subjects[i].
	SubjectIndex int `json:"subjectIndex"`
	// Role is the role the binding refers to.
	Role inventory.Ref `json:"role"`
	// Namespace is where the grant applies; "" means cluster-wide.
	Namespace string `json:"namespace"`
	// Rule is the granting rule; nil for unresolved and implicit grants.
	Rule *rbacv1.PolicyRule `json:"rule,omitempty"`
	// RuleOrigin is the role that declares Rule: Role itself, or the ClusterRole an aggregated
	// Role collected it from. RuleIndex is the rule's position there (rules[RuleIndex]).
	RuleOrigin inventory.Ref `json:"ruleOrigin"`
	RuleIndex  int           `json:"ruleIndex"`
	// BuiltIn marks a rule taken from the built-in table of Kubernetes default roles.
	BuiltIn bool `json:"builtIn,omitempty"`
	// Unresolved marks a binding whose role is in neither the input nor the built-in table: it
	// may grant anything.
	Unresolved bool `json:"unresolved,omitempty"`
	// Implicit marks the grant the API server gives members of system:masters without RBAC.
	Implicit bool `json:"implicit,omitempty"`
}

// Allows reports whether the grant allows req: the rule matches and the binding's scope reaches
// the request's namespace. Unresolved grants allow nothing that can be shown.
func (g *Grant) Allows(req Request) bool {
	if g.Implicit {
		return true
	}
	if g.Rule == nil || !g.reaches(req) {
		return false
	}
	return RuleAllows(g.Rule, req)
}

// reaches reports whether the grant's scope covers the request's namespace, whatever the rule.
func (g *Grant) reaches(req Request) bool {
	if g.Namespace == "" || g.Implicit {
		return true
	}
	if !req.namespaced() {
		return false
	}
	ns := req.attributeNamespace()
	return ns == AnyNamespace || ns == g.Namespace
}

// UnnamedVerbsNote marks a rule limited by resourceNames that lists create or deletecollection.
const UnnamedVerbsNote = "resourceNames cannot limit create (but on subresources) or deletecollection, which name no object: the rule never allows them"

// Note explains grants that do not come straight from the input (built-in, unresolved, implicit)
// or that allow less than they say.
func (g *Grant) Note() string {
	switch {
	case g.Implicit:
		return "members of system:masters bypass RBAC: the API server allows them everything"
	case g.Unresolved:
		return fmt.Sprintf("%s is not in the input: what it grants is unknown", g.Role)
	case g.Ineffective():
		return "no effect: a RoleBinding does not reach cluster-scoped resources or non-resource URLs"
	case g.Rule != nil && unnamedVerbs(g.Rule):
		return UnnamedVerbsNote
	case g.BuiltIn:
		return BuiltInNote
	}
	return ""
}

// Ineffective reports whether the grant is a RoleBinding's whose rule names only cluster-scoped
// resources or non-resource URLs, which a RoleBinding cannot give: the rule is dead there. Rules
// that allow a request on the binding's own namespace object, or bind on clusterroles, are not
// (see Request.namespaced).
func (g *Grant) Ineffective() bool {
	if g.Namespace == "" || g.Rule == nil {
		return false
	}
	for _, group := range g.Rule.APIGroups {
		for _, res := range g.Rule.Resources {
			base, sub, _ := strings.Cut(res, "/")
			if group == rbacv1.APIGroupAll || base == rbacv1.ResourceAll || !clusterScoped[groupResource{group, base}] {
				return false
			}
			for _, verb := range g.Rule.Verbs {
				verbs := []string{verb}
				if verb == rbacv1.VerbAll {
					verbs = []string{"get", "bind"} // a verb of each kind of namespaced request
				}
				for _, v := range verbs {
					req := Request{Verb: v, APIGroup: group, Resource: base, Subresource: sub, Namespace: g.Namespace}
					if req.namespaced() {
						return false
					}
				}
			}
		}
	}
	return true
}

// Via describes the path of the grant: "RoleBinding shop/api → Role shop/reader rules[0]", with
// the declaring role when the rule was aggregated.
func (g *Grant) Via() string { return Via(g) }

// Via describes the path of several grants of one binding to one subject, naming each rule once:
// "ClusterRoleBinding ci → ClusterRole deployer rules[0], rules[1]", or for aggregated rules
// "ClusterRoleBinding ops → ClusterRole view (rules[0], rules[2] of ClusterRole a; rules[1] of
// ClusterRole b)".
func Via(gs ...*Grant) string {
	if len(gs) == 0 {
		return ""
	}
	g := gs[0]
	if g.Implicit {
		return "group membership (no binding)"
	}
	s := g.Binding.String() + " → " + g.Role.String()
	var origins []inventory.Ref
	rules := map[inventory.Ref][]string{}
	for _, x := range gs {
		if x.Rule == nil {
			continue
		}
		ref := fmt.Sprintf("rules[%d]", x.RuleIndex)
		if _, seen := rules[x.RuleOrigin]; !seen {
			origins = append(origins, x.RuleOrigin)
		}
		if !slices.Contains(rules[x.RuleOrigin], ref) {
			rules[x.RuleOrigin] = append(rules[x.RuleOrigin], ref)
		}
	}
	switch {
	case len(origins) == 0:
	case len(origins) == 1 && origins[0] == g.Role:
		s += " " + strings.Join(rules[g.Role], ", ")
	default:
		parts := make([]string, len(origins))
		for i, o := range origins {
			parts[i] = strings.Join(rules[o], ", ") + " of " + o.String()
		}
		s += " (" + strings.Join(parts, "; ") + ")"
	}
	return s
}

// Scope renders the grant's namespace for messages: "cluster-wide" or "in namespace shop".
func (g *Grant) Scope() string {
	if g.Namespace == "" {
		return "cluster-wide"
	}
	return "in namespace " + g.Namespace
}

// WhoCan returns every grant that allows verb on resource in namespace ("" = cluster-wide,
// AnyNamespace = in at least one namespace). The resource is written as NewRequest accepts it.
// Grants of bindings whose role is unknown, and that reach the namespace, are included with
// Unresolved set: they may allow it too.
func (a *Analysis) WhoCan(verb, resource, namespace string) []Grant {
	return a.WhoCanRequest(NewRequest(verb, resource, namespace))
}

// WhoCanRequest is WhoCan for a request built by the caller (to ask about a named object).
func (a *Analysis) WhoCanRequest(req Request) []Grant {
	out := []Grant{mastersGrant()}
	for _, b := range a.bindings {
		for i := range b.grants {
			for _, g := range b.grants[i] {
				if g.Allows(req) || (g.Unresolved && g.reaches(req)) {
					out = append(out, g)
				}
			}
		}
	}
	sortGrants(out)
	return out
}

// SubjectPermissions returns everything the subject kind/namespace/name holds: the grants of
// every binding that names it or one of its implicit identities (see Identities), sorted by
// namespace (cluster-wide first). Unresolved bindings are included.
func (a *Analysis) SubjectPermissions(kind, namespace, name string) []Grant {
	ids := Identities(Subject{Kind: kind, Namespace: namespace, Name: name})
	var out []Grant
	for _, id := range ids {
		if id.Kind == KindGroup && id.Name == GroupMasters {
			out = append(out, mastersGrant())
		}
	}
	for _, b := range a.bindings {
		for i, s := range b.Subjects {
			if slices.Contains(ids, s) {
				out = append(out, b.grants[i]...)
			}
		}
	}
	sortGrants(out)
	return out
}

func mastersGrant() Grant {
	all := rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}
	return Grant{Subject: Subject{Kind: KindGroup, Name: GroupMasters}, Rule: &all, Implicit: true}
}

// sortGrants orders grants by scope (cluster-wide first), subject, binding and rule, so that
// output is the same from run to run whatever the input order.
func sortGrants(gs []Grant) {
	slices.SortStableFunc(gs, func(x, y Grant) int {
		return cmp.Or(
			strings.Compare(x.Namespace, y.Namespace),
			strings.Compare(x.Subject.Kind, y.Subject.Kind),
			strings.Compare(x.Subject.Namespace, y.Subject.Namespace),
			strings.Compare(x.Subject.Name, y.Subject.Name),
			strings.Compare(x.Binding.Kind, y.Binding.Kind),
			strings.Compare(x.Binding.Namespace, y.Binding.Namespace),
			strings.Compare(x.Binding.Name, y.Binding.Name),
		)
	})
}
