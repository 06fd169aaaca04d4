package bench

import (
	"fmt"
	"io"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

// BenchmarkClusterShaped assesses, in memory, a set of objects shaped like the one
// scripts/bench-cluster creates in a real cluster (500 namespaces, each with 4 Deployments,
// 4 Pods, a Role, a RoleBinding, a NetworkPolicy and a ServiceAccount) and writes the JSON
// report to io.Discard. It isolates the cost of the checks and the report from the listing,
// which is what `kubeharden cluster` adds on top of the LIST calls.
func BenchmarkClusterShaped(b *testing.B) {
	var objects int
	var findings int
	b.ReportAllocs()
	for b.Loop() {
		inv := clusterShaped(500, 4)
		res, err := engine.Run(inv, engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		write, err := report.Lookup("json")
		if err != nil {
			b.Fatal(err)
		}
		if err := write(io.Discard, res, report.Options{}); err != nil {
			b.Fatal(err)
		}
		objects, findings = len(inv.Objects), len(res.Findings)
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64(findings), "findings")
}

// clusterShaped builds the benchmark's inventory the way the cluster source would: typed
// objects with their metadata, defaults such as the API server applies left out.
func clusterShaped(namespaces, perNamespace int) *inventory.Inventory {
	inv := &inventory.Inventory{Complete: true}
	origin := inventory.Origin{Source: inventory.SourceCluster, Detail: "bench"}
	add := func(apiVersion, kind string, m *metav1.ObjectMeta, obj any) {
		inv.Add(&inventory.Object{APIVersion: apiVersion, Kind: kind, Namespace: m.Namespace, Name: m.Name,
			Typed: obj, Meta: m, Origin: origin})
	}
	labels := map[string]string{"app": "bench"}
	podSpec := func() corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1.0",
			Env: []corev1.EnvVar{{Name: "MODE", Value: "bench"}}}}}
	}
	for i := range namespaces {
		ns := fmt.Sprintf("bench-%03d", i)
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
		add("v1", "Namespace", &n.ObjectMeta, n)
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}}
		add("v1", "ServiceAccount", &sa.ObjectMeta, sa)
		for j := range perNamespace {
			name := fmt.Sprintf("app-%d", j)
			d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec()}}}
			add("apps/v1", "Deployment", &d.ObjectMeta, d)
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Spec: podSpec()}
			add("v1", "Pod", &p.ObjectMeta, p)
		}
		r := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}}
		add("rbac.authorization.k8s.io/v1", "Role", &r.ObjectMeta, r)
		rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "app"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default", Namespace: ns}}}
		add("rbac.authorization.k8s.io/v1", "RoleBinding", &rb.ObjectMeta, rb)
		np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: ns},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
		add("networking.k8s.io/v1", "NetworkPolicy", &np.ObjectMeta, np)
	}
	inv.Stats.Objects = len(inv.Objects)
	return inv
}
