// Package netpol reads Kubernetes NetworkPolicies the way the network plugin enforces them, to
// answer the questions hardening checks ask: which pods a policy isolates and in which
// direction, whether a namespace starts from a default deny, and which rules let in (or out)
// every peer or a given address.
//
// It follows the semantics of networking.k8s.io/v1:
//   - a pod is isolated for a direction when at least one policy of its namespace selects it and
//     lists that direction in its policy types; what it may then reach is the union of the rules
//     of all such policies;
//   - policyTypes, when empty, means Ingress, plus Egress when the policy has egress rules (the
//     API server's defaulting);
//   - rules of a direction the policy does not list are ignored;
//   - an empty podSelector selects every pod of the namespace, a rule without peers matches every
//     peer, a rule without ports matches every port.
//
// The package works on API types only, so it serves file scans and live clusters alike.
package netpol

import (
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Direction is a set of traffic directions.
type Direction uint8

const (
	Ingress Direction = 1 << iota
	Egress

	None Direction = 0
	Both           = Ingress | Egress
)

// Has reports whether d includes every direction of x.
func (d Direction) Has(x Direction) bool { return d&x == x }

// String renders the set for messages: "ingress", "egress", "ingress and egress" or "none".
func (d Direction) String() string {
	switch d {
	case Ingress:
		return "ingress"
	case Egress:
		return "egress"
	case Both:
		return "ingress and egress"
	}
	return "none"
}

// Policy is a NetworkPolicy with its pod selector compiled and its policy types resolved.
// A Policy is read-only after Compile and safe for concurrent use.
type Policy struct {
	Name      string
	Namespace string
	Spec      *networkingv1.NetworkPolicySpec
	// Types are the directions the policy isolates the pods it selects in.
	Types Direction
	// SelectorErr is set when spec.podSelector is not a valid label selector. The API server
	// rejects such a policy, so it selects no pod here.
	SelectorErr error

	selector labels.Selector
}

// Compile prepares np for analysis. namespace is the namespace the policy applies to (the
// caller resolves an unset metadata.namespace).
func Compile(np *networkingv1.NetworkPolicy, namespace string) *Policy {
	p := &Policy{Name: np.Name, Namespace: namespace, Spec: &np.Spec, Types: EffectiveTypes(&np.Spec)}
	p.selector, p.SelectorErr = metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if p.SelectorErr != nil {
		p.selector = labels.Nothing()
	}
	return p
}

// EffectiveTypes returns the directions a policy isolates in: its policyTypes, or when none are
// listed, Ingress plus Egress if it has egress rules, which is how the API server fills the
// field in. Unknown type names are ignored.
func EffectiveTypes(spec *networkingv1.NetworkPolicySpec) Direction {
	if len(spec.PolicyTypes) == 0 {
		d := Ingress
		if len(spec.Egress) > 0 {
			d |= Egress
		}
		return d
	}
	var d Direction
	for _, t := range spec.PolicyTypes {
		switch {
		case strings.EqualFold(string(t), string(networkingv1.PolicyTypeIngress)):
			d |= Ingress
		case strings.EqualFold(string(t), string(networkingv1.PolicyTypeEgress)):
			d |= Egress
		}
	}
	return d
}

// SelectsAllPods reports whether the pod selector is empty, so the policy applies to every pod
// of its namespace, present and future.
func (p *Policy) SelectsAllPods() bool { return isEmptySelector(&p.Spec.PodSelector) }

// Selects reports whether the policy applies to pods carrying podLabels.
func (p *Policy) Selects(podLabels labels.Labels) bool {
	return p.selector.Matches(podLabels)
}

// DeniesAll reports whether the policy is a default deny for direction d: it selects every pod
// of the namespace, isolates them in d, and allows nothing in d. Other policies may then allow
// specific traffic; without one, a new pod can talk to nothing in that direction.
//
// A namespace-wide policy that isolates d but also carries rules (a "deny all but DNS" egress
// policy) is not a default deny by this definition: its rules are an allowance that applies to
// every pod, and the guidance's pattern keeps allowances in separate, reviewable policies.
func (p *Policy) DeniesAll(d Direction) bool {
	if !p.SelectsAllPods() || !p.Types.Has(d) {
		return false
	}
	switch d {
	case Ingress:
		return len(p.Spec.Ingress) == 0
	case Egress:
		return len(p.Spec.Egress) == 0
	case Both:
		return len(p.Spec.Ingress) == 0 && len(p.Spec.Egress) == 0
	}
	return false
}

// IsolatesAllWithRules reports whether the policy selects every pod and isolates them in d,
// but has rules in d, so it is not a pure default deny. Checks use it to explain a missing
// default deny.
func (p *Policy) IsolatesAllWithRules(d Direction) bool {
	return p.SelectsAllPods() && p.Types.Has(d) && !p.DeniesAll(d)
}

func isEmptySelector(s *metav1.LabelSelector) bool {
	return s != nil && len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// Set is the policies of one namespace.
type Set []*Policy

// Isolation returns the directions in which pods with podLabels are isolated. It allocates
// nothing: it runs for every workload, against every policy of its namespace.
func (s Set) Isolation(podLabels labels.Labels) Direction {
	var d Direction
	for _, p := range s {
		if p.Selects(podLabels) {
			d |= p.Types
		}
	}
	return d
}

// Selecting returns the policies that select pods with podLabels.
func (s Set) Selecting(podLabels labels.Labels) []*Policy {
	var by []*Policy
	for _, p := range s {
		if p.Selects(podLabels) {
			by = append(by, p)
		}
	}
	return by
}

// DefaultDeny returns the directions for which the set holds a default-deny policy (see
// DeniesAll), whether one policy covers both or separate policies cover one each.
func (s Set) DefaultDeny() Direction {
	var d Direction
	for _, p := range s {
		for _, x := range []Direction{Ingress, Egress} {
			if p.DeniesAll(x) {
				d |= x
			}
		}
	}
	return d
}
