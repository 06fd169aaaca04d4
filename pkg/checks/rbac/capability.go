package rbac

import (
	"fmt"
	"slices"
	"strings"

	analysis "github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// bindings matches the objects that grant access.
var bindings = checks.Kinds(bindingKinds...)

// The kinds a verdict depends on beyond the assessed object (checks.Check.Needs): a binding's
// access cannot be judged without the roles, nor a role's sharing without the other bindings.
var (
	roleKinds    = []string{"Role", "ClusterRole"}
	bindingKinds = []string{"RoleBinding", "ClusterRoleBinding"}
	// rbacKinds are what the RBAC analysis reads.
	rbacKinds = append(slices.Clip(roleKinds), bindingKinds...)
)

func subjectPath(i int) string { return inventory.Index("subjects", i) }

// capability is one permission a check looks for: any of verbs on any of resources (written as
// rbac.NewRequest accepts them), for any object, in any namespace the binding reaches.
type capability struct {
	resources []string
	verbs     []string
	// what names the permission in messages; the resources granted are listed when empty.
	what string
	// severity overrides the control's when set.
	severity catalog.Severity
	// note is appended to the message.
	note string
	// weaker is a lesser form of the same access (other verbs), looked for on the resources this
	// capability did not find and reported with its own severity and note. Its resources field
	// is not used.
	weaker *capability
}

// judged says whether a check reports subject s of binding b (beyond systemOwned, which no check
// of a subject's access reports).
type judged func(b *analysis.Binding, s analysis.Subject) bool

// systemOwned says whether what binding b gives its subject i is the system's own, which checks of
// access do not report:
//   - the subject is one Kubernetes' bootstrap policy binds there itself (b.KubernetesDefault):
//     the components' default access is the design, not a choice of the cluster's operators;
//   - the subject is Group system:masters, whose members the API server allows everything before
//     RBAC is consulted: no binding gives them more (AA-09 reports bindings that name it).
//
// Everything else is judged, whoever it names: a binding someone wrote that gives a system
// identity (system:nodes, system:bootstrappers, system:kube-proxy, a controller's service
// account) powerful access hands it to every holder of that identity's credentials.
func systemOwned(b *analysis.Binding, i int) bool {
	s := b.Subjects[i]
	return b.KubernetesDefault(i) || (s.Kind == analysis.KindGroup && s.Name == analysis.GroupMasters)
}

// holding is what a subject holds of one capability: per resource, the verbs (in the
// capability's order), and the grants that give them.
type holding struct {
	resources []string
	verbs     [][]string
	grants    []*analysis.Grant
}

// held evaluates c on grants for the given resources. Rules that grant everything are left to
// AA-13.
func (c *capability) held(grants []analysis.Grant, resources []string) holding {
	var h holding
	for _, res := range resources {
		var verbs []string
		for _, verb := range c.verbs {
			req := analysis.NewRequest(verb, res, analysis.AnyNamespace)
			for i := range grants {
				g := &grants[i]
				if g.Rule == nil || analysis.IsAdminRule(g.Rule) || !g.Allows(req) {
					continue
				}
				verbs = append(verbs, verb)
				if !slices.Contains(h.grants, g) {
					h.grants = append(h.grants, g)
				}
				break
			}
		}
		if len(verbs) > 0 {
			h.resources = append(h.resources, res)
			h.verbs = append(h.verbs, verbs)
		}
	}
	return h
}

// describe renders what is held: "get, list Secrets" with a name for the capability, else each
// run of resources with the same verbs, "patch pods; create, update deployments, statefulsets".
func (h *holding) describe(what string) string {
	if what != "" {
		var all []string
		for _, vs := range h.verbs {
			for _, v := range vs {
				if !slices.Contains(all, v) {
					all = append(all, v)
				}
			}
		}
		return strings.Join(all, ", ") + " " + what
	}
	var parts []string
	for i := 0; i < len(h.resources); {
		j := i + 1
		for j < len(h.resources) && slices.Equal(h.verbs[j], h.verbs[i]) {
			j++
		}
		parts = append(parts, strings.Join(h.verbs[i], ", ")+" "+strings.Join(h.resources[i:j], ", "))
		i = j
	}
	return strings.Join(parts, "; ")
}

// assessCapabilities fails binding o once per judged subject and capability it grants, at the
// subject's path, and marks the binding not assessed when its role is unknown and nothing else
// was found. A capability's weaker form is looked for on the resources the stronger one did not
// find.
func assessCapabilities(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory, judge judged, caps ...capability) {
	b := analysis.For(inv).Binding(o)
	if b == nil {
		return
	}
	unresolved := false
	for i, s := range b.Subjects {
		if systemOwned(b, i) || (judge != nil && !judge(b, s)) {
			continue
		}
		if b.Role == nil {
			unresolved = true
			continue
		}
		for ci := range caps {
			resources := caps[ci].resources
			for c := &caps[ci]; c != nil && len(resources) > 0; c = c.weaker {
				h := c.held(b.Grants(i), resources)
				if len(h.grants) == 0 {
					continue
				}
				via := h.grants[0]
				msg := fmt.Sprintf("%s can %s %s through %s", s, h.describe(c.what), via.Scope(), analysis.Via(h.grants...))
				if n := via.Note(); n != "" {
					msg += " (" + n + ")"
				}
				if c.note != "" {
					msg += "; " + c.note
				}
				a.FailSeverity(c.severity, subjectPath(i), msg)
				resources = slices.DeleteFunc(slices.Clone(resources), func(r string) bool { return slices.Contains(h.resources, r) })
			}
		}
	}
	if unresolved && len(a.Failures) == 0 {
		a.NotAssessed(unresolvedReason(b))
	}
}

func unresolvedReason(b *analysis.Binding) string {
	return fmt.Sprintf("%s is not in the input, so what this binding grants is unknown; scan it together with the role", b.RoleRef)
}
