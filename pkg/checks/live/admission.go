package live

/*
PS-10: an admission-time policy hook checks pods and workloads.

Read: ValidatingWebhookConfigurations (webhooks[].rules), ValidatingAdmissionPolicies
      (spec.matchConstraints.resourceRules) with their ValidatingAdmissionPolicyBindings, and the
      API server's --enable-admission-plugins (ImagePolicyWebhook) where its mirror pod is
      visible.
Passes: a validating webhook whose rules cover CREATE of pods or of a workload kind (or "*"),
        a ValidatingAdmissionPolicy covering the same that at least one binding uses, or the
        ImagePolicyWebhook admission plugin. Policy engines (Kyverno, Gatekeeper, image
        scanners' admission controllers) register such webhooks.
Fails:  none does: nothing checks images or pod settings when they are admitted beyond the
        built-in Pod Security admission (PS-12).
*/

import (
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-10", Match: isClusterInfo, Assess: assessAdmission,
		Needs: []string{"ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}})
}

// workloadResources are the resources whose creation makes pods.
var workloadResources = []string{"*", "pods", "deployments", "replicasets", "statefulsets", "daemonsets",
	"jobs", "cronjobs", "replicationcontrollers", "*/*"}

func coversWorkloads(resources []string, ops []admissionregistrationv1.OperationType) bool {
	create := slices.ContainsFunc(ops, func(op admissionregistrationv1.OperationType) bool {
		return op == admissionregistrationv1.Create || op == admissionregistrationv1.OperationAll
	})
	return create && slices.ContainsFunc(resources, func(r string) bool { return slices.Contains(workloadResources, r) })
}

func assessAdmission(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	var others []string
	for _, w := range inv.OfKind("ValidatingWebhookConfiguration") {
		cfg := w.Typed.(*admissionregistrationv1.ValidatingWebhookConfiguration)
		for _, wh := range cfg.Webhooks {
			for _, r := range wh.Rules {
				if coversWorkloads(r.Resources, r.Operations) {
					return
				}
			}
		}
		others = append(others, "webhook configuration "+cfg.Name)
	}
	bound := map[string]bool{}
	for _, b := range inv.OfKind("ValidatingAdmissionPolicyBinding") {
		bound[b.Typed.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding).Spec.PolicyName] = true
	}
	for _, p := range inv.OfKind("ValidatingAdmissionPolicy") {
		vap := p.Typed.(*admissionregistrationv1.ValidatingAdmissionPolicy)
		if mc := vap.Spec.MatchConstraints; mc != nil && bound[vap.Name] {
			for _, r := range mc.ResourceRules {
				if coversWorkloads(r.Resources, r.Operations) {
					return
				}
			}
		}
		others = append(others, "admission policy "+vap.Name)
	}
	for _, pod := range inv.OfKind("Pod") {
		c := inventory.ComponentOf(pod)
		if c == nil || c.Name != inventory.ComponentAPIServer {
			continue
		}
		if items, _, ok := c.Flags.List("enable-admission-plugins"); ok && slices.Contains(items, "ImagePolicyWebhook") {
			return
		}
	}
	msg := "no validating webhook or bound ValidatingAdmissionPolicy checks the creation of pods or workloads, and the ImagePolicyWebhook plugin is not seen: images and pod settings are not checked at admission beyond Pod Security admission"
	if len(others) > 0 {
		msg += " (present but not covering pods: " + strings.Join(others, ", ") + ")"
	}
	a.Fail("", msg)
}
