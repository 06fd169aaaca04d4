package network

/*
The index behind the cross-object checks of this package (NS-05, NS-06, NS-07, NS-10, NS-11,
PS-12): for every namespace, the NetworkPolicies (compiled), the number of workloads, the
ResourceQuotas and LimitRanges, and whether the input declares the Namespace itself.

It is built once per inventory through Inventory.Derived, so checks running concurrently on
thousands of objects share one pass over the inventory.

The completeness rule lives here too. A namespace-level control can only fail a namespace when
the scanned set is known to hold that namespace's objects: either the input declares the
Namespace object (the files own the namespace), or the set is complete (a live cluster, or
`scan --complete`). Otherwise the namespace was only implied by the objects in it, its
NetworkPolicies, quotas and labels may sit in files that were not scanned, and a missing object
proves nothing: the control reports "not assessed" with a reason that says how to fix the scan.
Evidence that is present still counts, so an implied namespace whose default-deny policies are
in the set passes.
*/

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubeharden/kubeharden/internal/quickfmt"
	"github.com/kubeharden/kubeharden/pkg/analysis/netpol"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// systemNamespaces are the namespaces Kubernetes itself creates. Namespace-level hardening
// controls skip them: kube-system must run privileged node agents and cannot start from a
// default deny without breaking the cluster, and the other two hold no pods. Workloads placed in
// them are reported by NS-01 instead.
var systemNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// nsIndex is what the cross-object checks know about each namespace.
type nsIndex struct {
	// declared holds the namespaces with a Namespace object from the input (not implied).
	declared    map[string]bool
	policies    map[string]netpol.Set
	workloads   map[string]int
	quotas      map[string][]*inventory.Object
	limitRanges map[string][]*inventory.Object
	// limitDefaults holds, for each namespace with LimitRanges, the container defaults they set.
	limitDefaults map[string]*limitRangeDefaults
}

type nsIndexKey struct{}

// indexOf returns the inventory's namespace index, building it on first use.
func indexOf(inv *inventory.Inventory) *nsIndex {
	if inv == nil {
		return buildIndex(&inventory.Inventory{})
	}
	return inv.Derived(nsIndexKey{}, func(inv *inventory.Inventory) any { return buildIndex(inv) }).(*nsIndex)
}

func buildIndex(inv *inventory.Inventory) *nsIndex {
	x := &nsIndex{
		declared:    map[string]bool{},
		policies:    map[string]netpol.Set{},
		workloads:   map[string]int{},
		quotas:      map[string][]*inventory.Object{},
		limitRanges: map[string][]*inventory.Object{},
	}
	for _, o := range inv.Objects {
		switch t := o.Typed.(type) {
		case *corev1.Namespace:
			if !o.Implied {
				x.declared[o.Name] = true
			}
		case *networkingv1.NetworkPolicy:
			ns := o.EffectiveNamespace()
			x.policies[ns] = append(x.policies[ns], netpol.Compile(t, ns))
		case *corev1.ResourceQuota:
			x.quotas[o.EffectiveNamespace()] = append(x.quotas[o.EffectiveNamespace()], o)
		case *corev1.LimitRange:
			x.limitRanges[o.EffectiveNamespace()] = append(x.limitRanges[o.EffectiveNamespace()], o)
		default:
			if inventory.HasPodTemplate(o) {
				x.workloads[o.EffectiveNamespace()]++
			}
		}
	}
	x.limitDefaults = make(map[string]*limitRangeDefaults, len(x.limitRanges))
	for ns, objs := range x.limitRanges {
		x.limitDefaults[ns] = limitRangeDefaultsOf(objs)
	}
	return x
}

// partial reports whether the scan may be missing namespace ns's own objects: the input does
// not declare the namespace and the set is not complete.
func (x *nsIndex) partial(inv *inventory.Inventory, ns string) bool {
	return !x.declared[ns] && (inv == nil || !inv.Complete)
}

// notDeclared is the not-assessed reason of the completeness rule; what names the objects that
// may live elsewhere ("NetworkPolicies", "ResourceQuotas").
func notDeclared(ns, what string) string {
	return fmt.Sprintf("namespace %q is not declared in the scanned input, so its %s may live elsewhere; scan it with its Namespace object or pass --complete", ns, what)
}

// labelsPath is the path of a workload's pod labels: metadata.labels for a Pod,
// spec.template.metadata.labels for a Deployment, and so on.
func labelsPath(pt *inventory.PodTemplate) string {
	return strings.TrimSuffix(pt.SpecPath, "spec") + "metadata.labels"
}

// describeLabels renders pod labels for messages, sorted: "app=web,tier=frontend".
func describeLabels(l fmt.Stringer) string {
	if s := l.String(); s != "" {
		return s
	}
	return "no labels"
}

// quoteNames renders object names for messages: `"a"`, `"a" and "b"`, `"a", "b" and "c"`. It
// is built in one buffer: NS-07 names the selecting policies for every partly isolated workload
// of a cluster.
func quoteNames(names []string) string {
	sort.Strings(names)
	var buf [128]byte
	return string(appendList(buf[:0], len(names), " and ", func(b []byte, i int) []byte {
		return quickfmt.AppendQuote(b, names[i])
	}))
}

// joinAnd joins items as English prose: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	return string(appendList(nil, len(items), " and ", appendItem(items)))
}

// appendList appends n items as English prose, "a", "a<conj>b", "a, b<conj>c", each item
// appended by item.
func appendList(b []byte, n int, conj string, item func(b []byte, i int) []byte) []byte {
	for i := range n {
		switch {
		case i == 0:
		case i == n-1:
			b = append(b, conj...)
		default:
			b = append(b, ", "...)
		}
		b = item(b, i)
	}
	return b
}

// appendItem appends items[i] as it is.
func appendItem(items []string) func([]byte, int) []byte {
	return func(b []byte, i int) []byte { return append(b, items[i]...) }
}
