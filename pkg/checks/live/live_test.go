package live

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func assess(t *testing.T, id string, o *inventory.Object, inv *inventory.Inventory) checks.Assessment {
	t.Helper()
	c, ok := checks.Lookup(id)
	if !ok || !c.Match(o) {
		t.Fatalf("%s does not match %s", id, o.Ref())
	}
	var a checks.Assessment
	c.Assess(&a, o, inv)
	return a
}

func info(ci *inventory.ClusterInfo) *inventory.Object {
	return &inventory.Object{Kind: inventory.KindClusterInfo, Name: "cluster", Typed: ci, Origin: inventory.Origin{Source: inventory.SourceCluster}}
}

func obj(kind, ns, name string, typed any, meta *metav1.ObjectMeta) *inventory.Object {
	meta.Name, meta.Namespace = name, ns
	return &inventory.Object{Kind: kind, Namespace: ns, Name: name, Typed: typed, Meta: meta, Origin: inventory.Origin{Source: inventory.SourceCluster}}
}

func TestAnonymous(t *testing.T) {
	probe := func(v, api int) []inventory.AnonymousProbe {
		return []inventory.AnonymousProbe{{Path: "/version", Status: v}, {Path: "/api", Status: api}}
	}
	cases := []struct {
		name   string
		ci     inventory.ClusterInfo
		sev    catalog.Severity // 0: pass
		notAss bool
	}{
		{"disabled", inventory.ClusterInfo{Anonymous: probe(401, 401)}, 0, false},
		{"kubeadm default", inventory.ClusterInfo{Anonymous: probe(200, 403)}, catalog.SeverityMedium, false},
		{"enabled, nothing allowed", inventory.ClusterInfo{Anonymous: probe(403, 403)}, catalog.SeverityMedium, false},
		{"api open", inventory.ClusterInfo{Anonymous: probe(200, 200)}, catalog.SeverityCritical, false},
		{"no answer", inventory.ClusterInfo{Anonymous: []inventory.AnonymousProbe{{Path: "/version", Error: "timeout"}}}, 0, true},
		{"not probed", inventory.ClusterInfo{AnonymousError: "disabled"}, 0, true},
		{"odd", inventory.ClusterInfo{Anonymous: probe(404, 500)}, 0, true},
	}
	for _, c := range cases {
		a := assess(t, "AA-23", info(&c.ci), &inventory.Inventory{})
		switch {
		case c.notAss:
			if a.NotAssessedReason == "" {
				t.Errorf("%s: want not assessed, got %+v", c.name, a)
			}
		case c.sev == 0:
			if len(a.Failures) != 0 || a.NotAssessedReason != "" {
				t.Errorf("%s: want pass, got %+v", c.name, a)
			}
		default:
			if len(a.Failures) != 1 || a.Failures[0].Severity != c.sev {
				t.Errorf("%s: want one %v failure, got %+v", c.name, c.sev, a)
			}
		}
	}
}

func TestAdmission(t *testing.T) {
	webhook := func(resources []string, ops ...admissionregistrationv1.OperationType) *inventory.Object {
		v := &admissionregistrationv1.ValidatingWebhookConfiguration{Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "w.example.com",
			Rules: []admissionregistrationv1.RuleWithOperations{{Operations: ops, Rule: admissionregistrationv1.Rule{Resources: resources}}}}}}
		return obj("ValidatingWebhookConfiguration", "", "policy", v, &v.ObjectMeta)
	}
	vap := func(name string, resources []string) *inventory.Object {
		p := &admissionregistrationv1.ValidatingAdmissionPolicy{Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule: admissionregistrationv1.Rule{Resources: resources}}}}}}}
		return obj("ValidatingAdmissionPolicy", "", name, p, &p.ObjectMeta)
	}
	binding := func(policy string) *inventory.Object {
		b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: policy}}
		return obj("ValidatingAdmissionPolicyBinding", "", policy+"-binding", b, &b.ObjectMeta)
	}
	cases := []struct {
		name string
		objs []*inventory.Object
		pass bool
	}{
		{"nothing", nil, false},
		{"webhook on pods", []*inventory.Object{webhook([]string{"pods"}, admissionregistrationv1.Create)}, true},
		{"webhook on everything", []*inventory.Object{webhook([]string{"*"}, admissionregistrationv1.OperationAll)}, true},
		{"webhook on deletes only", []*inventory.Object{webhook([]string{"pods"}, admissionregistrationv1.Delete)}, false},
		{"webhook on configmaps", []*inventory.Object{webhook([]string{"configmaps"}, admissionregistrationv1.Create)}, false},
		{"bound policy on deployments", []*inventory.Object{vap("p", []string{"deployments"}), binding("p")}, true},
		{"unbound policy", []*inventory.Object{vap("p", []string{"pods"})}, false},
	}
	for _, c := range cases {
		inv := &inventory.Inventory{}
		inv.Add(c.objs...)
		a := assess(t, "PS-10", info(&inventory.ClusterInfo{}), inv)
		if pass := len(a.Failures) == 0; pass != c.pass {
			t.Errorf("%s: pass %v, want %v (%+v)", c.name, pass, c.pass, a.Failures)
		}
	}
}

func daemonSet(ns, name, image string, tolerations ...corev1.Toleration) *inventory.Object {
	d := &appsv1.DaemonSet{}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: image}}
	d.Spec.Template.Spec.Tolerations = tolerations
	return obj("DaemonSet", ns, name, d, &d.ObjectMeta)
}

func TestLogForwarderAndCNI(t *testing.T) {
	all := corev1.Toleration{Operator: corev1.TolerationOpExists}
	cp := corev1.Toleration{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	cases := []struct {
		name      string
		ds        []*inventory.Object
		logSev    catalog.Severity // 0 pass
		cni       string           // pass, fail, na
		namespace string
	}{
		{"empty", nil, catalog.SeverityMedium, "na", ""},
		{"fluent-bit everywhere, calico", []*inventory.Object{daemonSet("logging", "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.1", all),
			daemonSet("kube-system", "calico-node", "docker.io/calico/node:v3.28.0")}, 0, "pass", ""},
		{"vector not on tainted nodes, flannel", []*inventory.Object{daemonSet("logging", "agent", "timberio/vector:0.40.0-debian", cp),
			daemonSet("kube-flannel", "kube-flannel-ds", "docker.io/flannel/flannel:v0.25.5")}, catalog.SeverityLow, "fail", ""},
		{"cilium", []*inventory.Object{daemonSet("kube-system", "cilium", "quay.io/cilium/cilium:v1.16.0")}, catalog.SeverityMedium, "pass", ""},
	}
	for _, c := range cases {
		inv := &inventory.Inventory{}
		inv.Add(c.ds...)
		ci := info(&inventory.ClusterInfo{Namespace: c.namespace})
		a := assess(t, "AL-11", ci, inv)
		switch {
		case c.logSev == 0 && len(a.Failures) != 0:
			t.Errorf("%s: AL-11 %+v", c.name, a.Failures)
		case c.logSev != 0 && (len(a.Failures) != 1 || a.Failures[0].Severity != c.logSev && !(c.logSev == catalog.SeverityMedium && a.Failures[0].Severity == 0)):
			t.Errorf("%s: AL-11 want %v, got %+v", c.name, c.logSev, a.Failures)
		}
		a = assess(t, "NS-04", ci, inv)
		got := "pass"
		if a.NotAssessedReason != "" {
			got = "na"
		} else if len(a.Failures) > 0 {
			got = "fail"
		}
		if got != c.cni {
			t.Errorf("%s: NS-04 %s, want %s (%+v)", c.name, got, c.cni, a)
		}
	}
	a := assess(t, "AL-11", info(&inventory.ClusterInfo{Namespace: "shop"}), &inventory.Inventory{})
	if !strings.Contains(a.NotAssessedReason, "limited to namespace shop") {
		t.Errorf("namespace-limited AL-11: %+v", a)
	}
}

func TestLegacyTokens(t *testing.T) {
	secret := func(typ corev1.SecretType, labels map[string]string) *inventory.Object {
		s := &corev1.Secret{Type: typ}
		s.Labels = labels
		s.Annotations = map[string]string{corev1.ServiceAccountNameKey: "ci"}
		return obj("Secret", "build", "ci-token", s, &s.ObjectMeta)
	}
	if a := assess(t, "PS-30", secret(corev1.SecretTypeOpaque, nil), nil); !a.Skipped {
		t.Errorf("an Opaque Secret was judged: %+v", a)
	}
	a := assess(t, "PS-30", secret(corev1.SecretTypeServiceAccountToken, map[string]string{lastUsedLabel: "2026-11-01"}), nil)
	if len(a.Failures) != 1 || !strings.Contains(a.Failures[0].Message, "service account ci") || !strings.Contains(a.Failures[0].Message, "last used 2026-11-01") {
		t.Errorf("token Secret: %+v", a.Failures)
	}
	a = assess(t, "PS-30", secret(corev1.SecretTypeServiceAccountToken, map[string]string{invalidSinceLabel: "2026-10-01"}), nil)
	if len(a.Failures) != 1 || a.Failures[0].Severity != catalog.SeverityLow {
		t.Errorf("invalidated token Secret: %+v", a.Failures)
	}
}
