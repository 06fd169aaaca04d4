package network

/*
NS-12 (limits) and NS-13 (requests): every container declares how much CPU and memory it may use.

Fields read:
  spec.containers[*].resources.limits.cpu / .memory      (NS-12)
  spec.containers[*].resources.requests.cpu / .memory    (NS-13)
  spec.initContainers[*].resources... (the same fields)
  spec.resources.limits / .requests (pod-level resources)
  LimitRange objects of type Container in the workload's namespace: default, defaultRequest,
  max, min

Passing values, for each of cpu and memory separately:
  NS-12: a non-zero container limit; or a pod-level limit; or a LimitRange in the namespace that
         supplies a default limit (its default, or its max, which the API server copies into
         default when default is unset).
  NS-13: a non-zero container request; or a container limit (the API server copies a limit into
         a missing request); or a pod-level request or limit; or a LimitRange that supplies a
         default request (defaultRequest, or default, max or min, which the API server copies
         into defaultRequest in that order).

A zero limit fails: the kubelet treats a CPU or memory limit of 0 as "no limit". A zero request
fails too: it tells the scheduler the container needs nothing, which is what a missing request
says.

Init containers count like regular containers. They run before the app starts, but while they
run nothing bounds them, sidecar init containers (restartPolicy: Always) run for the pod's whole
life, and ResourceQuotas that cover limits or requests reject pods whose init containers lack them.
Ephemeral containers are not checked: the API does not let them set resources at all.
*/

import (
	"github.com/kubeharden/kubeharden/internal/intern"
	"github.com/kubeharden/kubeharden/internal/quickfmt"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-12", Match: checks.Workloads, Assess: assessLimits, Gather: gatherLimits, Reads: []string{"LimitRange"}},
		checks.Check{ID: "NS-13", Match: checks.Workloads, Assess: assessRequests, Gather: gatherRequests, Reads: []string{"LimitRange"}},
	)
}

// resourceField is one of the two resources NS-12 and NS-13 look at.
type resourceField struct {
	name corev1.ResourceName
	noun string // for messages: "CPU", "memory"
}

var cpuAndMemory = [2]resourceField{{corev1.ResourceCPU, "CPU"}, {corev1.ResourceMemory, "memory"}}

func assessLimits(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessResources(a, o, inv, true)
}

func assessRequests(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	assessResources(a, o, inv, false)
}

func gatherLimits(o *inventory.Object) checks.Verdict { return gatherResources(o, true) }

func gatherRequests(o *inventory.Object) checks.Verdict { return gatherResources(o, false) }

// eachGap calls gap for every container field that is missing (and not supplied by the
// container's other fields or the pod) or zero, in the order failures are reported. A zero
// fails whatever the namespace holds, a missing field unless a LimitRange of the namespace
// supplies a default. It walks the init and regular containers directly rather than through
// PodTemplate.Containers, so that a passing workload costs no allocation.
func eachGap(pt *inventory.PodTemplate, limits bool, gap func(field, kind string, i int, c *corev1.Container, resource int, zero bool)) {
	spec := pt.Spec
	for _, list := range [2]struct {
		field string
		kind  string
		cs    []corev1.Container
	}{{"initContainers", "init container", spec.InitContainers}, {"containers", "container", spec.Containers}} {
		for i := range list.cs {
			c := &list.cs[i]
			own := c.Resources.Requests
			if limits {
				own = c.Resources.Limits
			}
			for ri, rf := range cpuAndMemory {
				q, set := own[rf.name]
				if set && !q.IsZero() {
					continue
				}
				if !set && coveredElsewhere(c, spec, rf.name, limits) {
					continue
				}
				gap(list.field, list.kind, i, c, ri, set)
			}
		}
	}
}

// assessResources judges a workload whose decoded value is at hand: paths and messages are
// built for failures only, and the namespace's LimitRange defaults are looked up on the first
// missing field.
func assessResources(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory, limits bool) {
	pt := inventory.PodTemplateOf(o)
	if pt == nil {
		return
	}
	var lr *limitRangeDefaults
	eachGap(pt, limits, func(field, kind string, i int, c *corev1.Container, resource int, zero bool) {
		rf := cpuAndMemory[resource]
		if !zero {
			if lr == nil {
				lr = namespaceDefaults(o, inv)
			}
			if lr.covers(rf.name, limits) {
				return
			}
		}
		a.Fail(describeMissing(pt, field, kind, i, c.Name, rf, limits, zero))
	})
}

// resourceGap is a gap (see eachGap) as a streamed scan keeps it for the verdict.
type resourceGap struct {
	path, msg string
	line      int32
	resource  uint8 // index in cpuAndMemory
	zero      bool
}

// gatherResources keeps a workload's gaps, with the paths, lines and messages of their
// failures; what depends on other objects, the namespace's LimitRanges, is left to the verdict.
func gatherResources(o *inventory.Object, limits bool) checks.Verdict {
	pt := inventory.PodTemplateOf(o)
	if pt == nil {
		return nil
	}
	var gaps []resourceGap
	eachGap(pt, limits, func(field, kind string, i int, c *corev1.Container, resource int, zero bool) {
		path, msg := describeMissing(pt, field, kind, i, c.Name, cpuAndMemory[resource], limits, zero)
		gaps = append(gaps, resourceGap{path: path, msg: msg, line: int32(o.Line(path)), resource: uint8(resource), zero: zero})
	})
	if len(gaps) == 0 {
		return checks.Pass
	}
	return func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
		var lr *limitRangeDefaults
		for _, g := range gaps {
			if !g.zero {
				if lr == nil {
					lr = namespaceDefaults(o, inv)
				}
				if lr.covers(cpuAndMemory[g.resource].name, limits) {
					continue
				}
			}
			a.FailLine(g.path, int(g.line), g.msg)
		}
	}
}

// coveredElsewhere reports whether a field missing from the container is supplied by the
// container's limits (for requests) or by pod-level resources.
func coveredElsewhere(c *corev1.Container, spec *corev1.PodSpec, name corev1.ResourceName, limits bool) bool {
	if !limits {
		if q, ok := c.Resources.Limits[name]; ok && !q.IsZero() {
			return true
		}
	}
	if spec.Resources == nil {
		return false
	}
	if q, ok := spec.Resources.Limits[name]; ok && !q.IsZero() {
		return true
	}
	if !limits {
		if q, ok := spec.Resources.Requests[name]; ok && !q.IsZero() {
			return true
		}
	}
	return false
}

// describeMissing returns the path and message of one missing or zero resource. A cluster of a
// few thousand workloads has tens of thousands of these, so they are built without fmt, whose
// arguments would each be boxed on the heap, and shared through package intern.
func describeMissing(pt *inventory.PodTemplate, field, kind string, i int, name string, rf resourceField, limits, zero bool) (path, msg string) {
	section, what := "requests", "request"
	if limits {
		section, what = "limits", "limit"
	}
	path = intern.Concat(pt.ContainerPath(field, i), ".resources.", section, ".", string(rf.name))
	var buf [128]byte
	b := append(buf[:0], kind...)
	b = append(b, ' ')
	b = quickfmt.AppendQuote(b, name)
	if zero {
		b = append(b, " sets a "...)
	} else {
		b = append(b, " has no "...)
	}
	b = append(b, rf.noun...)
	b = append(b, ' ')
	b = append(b, what...)
	if zero {
		b = append(b, " of 0"...)
		if limits {
			b = append(b, ", which means no limit"...)
		}
	}
	return path, intern.Bytes(b)
}

// limitRangeDefaults is what the LimitRanges of a namespace add to containers that leave a
// field unset, after the API server's own defaulting of the LimitRange.
type limitRangeDefaults struct {
	limit, request map[corev1.ResourceName]bool
}

func (d *limitRangeDefaults) covers(name corev1.ResourceName, limits bool) bool {
	if limits {
		return d.limit[name]
	}
	return d.request[name]
}

// namespaceDefaults returns the container defaults of the LimitRanges in o's namespace, worked
// out once per namespace (a namespace with a LimitRange holds many workloads). When the inventory
// holds no LimitRange for the namespace (a partial set of files) the container is judged on its
// own fields, which is what the manifest says.
func namespaceDefaults(o *inventory.Object, inv *inventory.Inventory) *limitRangeDefaults {
	if inv == nil {
		return &noDefaults
	}
	if d := indexOf(inv).limitDefaults[o.EffectiveNamespace()]; d != nil {
		return d
	}
	return &noDefaults
}

// noDefaults stands for a namespace without LimitRanges; it is never written to.
var noDefaults limitRangeDefaults

// limitRangeDefaultsOf collects the container defaults of a namespace's LimitRange objects.
func limitRangeDefaultsOf(objs []*inventory.Object) *limitRangeDefaults {
	d := &limitRangeDefaults{}
	for _, lo := range objs {
		lr, ok := lo.Typed.(*corev1.LimitRange)
		if !ok {
			continue
		}
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for _, l := range []corev1.ResourceList{item.Default, item.Max} {
				for name, q := range l {
					if !q.IsZero() {
						d.add(&d.limit, name)
						d.add(&d.request, name)
					}
				}
			}
			for _, l := range []corev1.ResourceList{item.DefaultRequest, item.Min} {
				for name, q := range l {
					if !q.IsZero() {
						d.add(&d.request, name)
					}
				}
			}
		}
	}
	return d
}

func (d *limitRangeDefaults) add(m *map[corev1.ResourceName]bool, name corev1.ResourceName) {
	if *m == nil {
		*m = map[corev1.ResourceName]bool{}
	}
	(*m)[name] = true
}
