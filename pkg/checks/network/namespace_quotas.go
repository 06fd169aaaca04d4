package network

/*
NS-10 and NS-11: every namespace bounds what its pods may use, with a LimitRange that gives
containers defaults and a ResourceQuota that caps the namespace as a whole.

Fields read (per Namespace object, declared or implied, except kube-system, kube-public and
kube-node-lease):
  NS-10  LimitRanges of the namespace: spec.limits[*] of type Container, their default,
         defaultRequest, max and min for cpu and memory
  NS-11  ResourceQuotas of the namespace: spec.hard, spec.scopes, spec.scopeSelector

Passing values:
  NS-10  for cpu and for memory, some Container item yields a default limit (default, or max,
         which the API server copies into a missing default) and a default request
         (defaultRequest, or default, max or min, copied in that order).
  NS-11  unscoped ResourceQuotas of the namespace together set requests.cpu (or cpu),
         requests.memory (or memory), limits.cpu and limits.memory. A quota with scopes or a
         scopeSelector caps only the pods it selects and does not count.

Both follow the completeness rule (see namespace_index.go): when the namespace is only implied
and the set is not complete, a namespace that would fail is not assessed instead.
*/

import (
	"fmt"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-10", Match: checks.Kinds("Namespace"), Assess: assessLimitRange, Needs: []string{"LimitRange"}},
		checks.Check{ID: "NS-11", Match: checks.Kinds("Namespace"), Assess: assessResourceQuota, Needs: []string{"ResourceQuota"}},
	)
}

func assessLimitRange(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	ns := o.Name
	if systemNamespaces[ns] {
		a.Skip()
		return
	}
	x := indexOf(inv)
	objs := x.limitRanges[ns]
	limit := map[corev1.ResourceName]bool{}
	request := map[corev1.ResourceName]bool{}
	var names []string
	for _, lo := range objs {
		lr, ok := lo.Typed.(*corev1.LimitRange)
		if !ok {
			continue
		}
		names = append(names, lo.Name)
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for _, l := range []corev1.ResourceList{item.Default, item.Max} {
				for r, q := range l {
					if !q.IsZero() {
						limit[r], request[r] = true, true
					}
				}
			}
			for _, l := range []corev1.ResourceList{item.DefaultRequest, item.Min} {
				for r, q := range l {
					if !q.IsZero() {
						request[r] = true
					}
				}
			}
		}
	}
	var missing []string
	for _, rf := range containerResources {
		if !limit[rf.name] {
			missing = append(missing, rf.noun+" limit")
		}
		if !request[rf.name] {
			missing = append(missing, rf.noun+" request")
		}
	}
	if len(missing) == 0 {
		return
	}
	if x.partial(inv, ns) {
		a.NotAssessed(notDeclared(ns, "LimitRanges"))
		return
	}
	if len(names) == 0 {
		a.Failf("", "namespace %q has no LimitRange: a container that sets no CPU or memory limit runs unbounded, and one that sets no request is scheduled as if it needed nothing", ns)
		return
	}
	noun, verb := "LimitRange", "sets"
	if len(names) > 1 {
		noun, verb = "LimitRanges", "set"
	}
	a.Failf("", "%s %s %s no default %s for containers; add default and defaultRequest to an item of type Container", noun, quoteNames(names), verb, joinOr(missing))
}

// quotaKeys are the spec.hard entries NS-11 asks for, each with the key that means the same.
var quotaKeys = []struct{ key, alias corev1.ResourceName }{
	{corev1.ResourceRequestsCPU, corev1.ResourceCPU},
	{corev1.ResourceRequestsMemory, corev1.ResourceMemory},
	{corev1.ResourceLimitsCPU, ""},
	{corev1.ResourceLimitsMemory, ""},
}

func assessResourceQuota(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	ns := o.Name
	if systemNamespaces[ns] {
		a.Skip()
		return
	}
	x := indexOf(inv)
	hard := map[corev1.ResourceName]bool{}
	var scoped []string
	for _, qo := range x.quotas[ns] {
		q, ok := qo.Typed.(*corev1.ResourceQuota)
		if !ok {
			continue
		}
		if len(q.Spec.Scopes) > 0 || q.Spec.ScopeSelector != nil {
			scoped = append(scoped, qo.Name)
			continue
		}
		for r := range q.Spec.Hard {
			hard[r] = true
		}
	}
	var missing []string
	for _, k := range quotaKeys {
		if !hard[k.key] && (k.alias == "" || !hard[k.alias]) {
			missing = append(missing, string(k.key))
		}
	}
	if len(missing) == 0 {
		return
	}
	if x.partial(inv, ns) {
		a.NotAssessed(notDeclared(ns, "ResourceQuotas"))
		return
	}
	if len(x.quotas[ns]) == 0 {
		a.Failf("", "namespace %q has no ResourceQuota: nothing caps the CPU and memory its pods request and use together, so one namespace can exhaust the cluster", ns)
		return
	}
	msg := fmt.Sprintf("no unscoped ResourceQuota of namespace %q sets %s in spec.hard", ns, joinOr(missing))
	switch len(scoped) {
	case 0:
	case 1:
		msg += fmt.Sprintf("; ResourceQuota %s is scoped and caps only the pods its scopes select", quoteNames(scoped))
	default:
		msg += fmt.Sprintf("; ResourceQuotas %s are scoped and cap only the pods their scopes select", quoteNames(scoped))
	}
	a.Fail("", msg)
}

// joinOr joins items as English prose: "a", "a or b", "a, b or c".
func joinOr(items []string) string {
	return string(appendList(nil, len(items), " or ", appendItem(items)))
}

// containerResources are the resources a LimitRange should give containers defaults for.
var containerResources = []struct {
	name corev1.ResourceName
	noun string
}{{corev1.ResourceCPU, "CPU"}, {corev1.ResourceMemory, "memory"}}
