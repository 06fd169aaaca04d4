// Package e2e runs `kubeharden cluster` end to end against a real kube-apiserver and etcd
// started by scripts/testcluster (see test/cluster/README.md): objects are created through the
// API, the command runs as it would for a user, and the JSON report is checked.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubeharden/kubeharden/internal/cli"
	"github.com/kubeharden/kubeharden/internal/testcluster"
	"github.com/kubeharden/kubeharden/pkg/report"
)

// One cluster serves every test of the package: starting one takes several seconds, and the
// tests only read what setup created (the viewer's RBAC included).
var (
	cluster   *testcluster.Cluster
	setupOnce sync.Once
	setupErr  error
)

func TestMain(m *testing.M) {
	c, err := testcluster.Launch(testcluster.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "test cluster:", err)
		os.Exit(1)
	}
	cluster = c
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the test cluster:", err)
	}
	os.Exit(code)
}

// setup creates the objects every test reads, once.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() { setupErr = createObjects(t.Context()) })
	if setupErr != nil {
		t.Fatalf("creating the test objects: %v", setupErr)
	}
}

func adminClient() (*kubernetes.Clientset, error) {
	cfg, err := cluster.AdminConfig()
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

func ptr[T any](v T) *T { return &v }

// createObjects builds an insecure namespace, a hardened one, an API server mirror-like pod and
// the viewer's read-only RBAC.
func createObjects(ctx context.Context) error {
	cs, err := adminClient()
	if err != nil {
		return err
	}
	var errs []error
	must := func(_ any, err error) { errs = append(errs, err) }

	// Namespaces. No controller manager runs, so each gets its default service account here
	// (the ServiceAccount admission plugin rejects pods without one).
	must(cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "insecure"}}, metav1.CreateOptions{}))
	must(cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "hardened", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}}}, metav1.CreateOptions{}))
	for _, ns := range []string{"insecure", "kube-system"} {
		must(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}))
	}
	must(cs.CoreV1().ServiceAccounts("hardened").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		AutomountServiceAccountToken: ptr(false)}, metav1.CreateOptions{}))
	if err := join(errs); err != nil {
		return err
	}

	// The insecure namespace: a privileged pod sharing the host's PIDs and network (accepted
	// because the API server runs with --allow-privileged=true), its default service account
	// bound to cluster-admin, a legacy token Secret, Tiller, and no NetworkPolicy.
	must(cs.CoreV1().Pods("insecure").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "root-shell"},
		Spec: corev1.PodSpec{HostPID: true, HostNetwork: true, Containers: []corev1.Container{{
			Name: "shell", Image: "busybox:1.36", Command: []string{"sleep", "infinity"},
			SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)},
		}}},
	}, metav1.CreateOptions{}))
	must(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "insecure-default-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default", Namespace: "insecure"}},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets("insecure").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "default-token", Annotations: map[string]string{corev1.ServiceAccountNameKey: "default"}},
		Type:       corev1.SecretTypeServiceAccountToken,
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets("insecure").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "app-password"},
		StringData: map[string]string{"password": "e2e-secret-value-must-not-leak"},
	}, metav1.CreateOptions{}))
	must(cs.AppsV1().Deployments("insecure").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "tiller-deploy"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "helm"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "helm"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "tiller", Image: "gcr.io/kubernetes-helm/tiller:v2.16.12"}}}},
		},
	}, metav1.CreateOptions{}))

	// The hardened namespace: restricted Pod Security (enforced by the API server on this very
	// pod), default-deny policies, a LimitRange, a ResourceQuota, and a pod that passes the
	// pod-security controls.
	limits := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
	must(cs.NetworkingV1().NetworkPolicies("hardened").Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "default-deny"},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().LimitRanges("hardened").Create(ctx, &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
			Max:     corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")},
			Min:     corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
			Default: limits, DefaultRequest: limits}}},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().ResourceQuotas("hardened").Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			"requests.cpu": resource.MustParse("2"), "requests.memory": resource.MustParse("2Gi"),
			"limits.cpu": resource.MustParse("4"), "limits.memory": resource.MustParse("4Gi")}},
	}, metav1.CreateOptions{}))
	must(cs.CoreV1().Pods("hardened").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr(false),
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(20001)), RunAsGroup: ptr(int64(20001)),
				FSGroup: ptr(int64(20001)), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "web", Image: "registry.example.com/web:1.4.2",
				Resources: corev1.ResourceRequirements{Limits: limits, Requests: limits},
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), ReadOnlyRootFilesystem: ptr(true),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			}},
		},
	}, metav1.CreateOptions{}))

	// A pod in kube-system that looks like kube-apiserver's mirror pod, carrying the real
	// server's command line, so the control-plane flag checks run on a live scan as they would
	// on a kubeadm cluster.
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cluster.APIServerPID))
	if err != nil {
		return fmt.Errorf("reading the API server's command line: %w", err)
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	args[0] = "kube-apiserver"
	must(cs.CoreV1().Pods("kube-system").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver-control-plane",
			Labels: map[string]string{"component": "kube-apiserver", "tier": "control-plane"}},
		Spec: corev1.PodSpec{HostNetwork: true, PriorityClassName: "system-node-critical", Containers: []corev1.Container{{
			Name: "kube-apiserver", Image: "registry.k8s.io/kube-apiserver:" + cluster.Version, Command: args}}},
	}, metav1.CreateOptions{}))

	// The viewer may read most things, but not Secrets, RBAC objects or admission
	// configurations: a typical least-privileged auditor. (The built-in "view" role would do,
	// but it is aggregated by the controller manager, which the harness does not run.)
	must(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeharden-e2e-reader"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Verbs: []string{"get", "list"}, Resources: []string{"namespaces", "nodes", "pods", "services",
				"configmaps", "serviceaccounts", "replicationcontrollers", "limitranges", "resourcequotas"}},
			{APIGroups: []string{"apps", "batch"}, Verbs: []string{"get", "list"}, Resources: []string{"*"}},
			{APIGroups: []string{"networking.k8s.io"}, Verbs: []string{"get", "list"}, Resources: []string{"networkpolicies", "ingresses"}},
			{APIGroups: []string{"node.k8s.io"}, Verbs: []string{"get", "list"}, Resources: []string{"runtimeclasses"}},
		},
	}, metav1.CreateOptions{}))
	must(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeharden-e2e-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "kubeharden-e2e-reader"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "kubeharden-viewer"}},
	}, metav1.CreateOptions{}))
	return join(errs)
}

func join(errs []error) error {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// run runs kubeharden with args and returns its exit code, report and standard error.
func run(t *testing.T, args ...string) (int, *report.Document, string) {
	t.Helper()
	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Main(args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	t.Logf("kubeharden %s: exit %d in %v", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	if strings.Contains(out.String(), "e2e-secret-value-must-not-leak") || strings.Contains(errb.String(), "e2e-secret-value-must-not-leak") {
		t.Error("a Secret's value appears in the output")
	}
	doc := &report.Document{}
	if err := json.Unmarshal(out.Bytes(), doc); err != nil {
		t.Fatalf("report is not JSON (%v); stderr:\n%s\nstdout:\n%.2000s", err, errb.String(), out.String())
	}
	return code, doc, errb.String()
}

// finding returns the findings of a control on an object (kind, namespace, name).
func findings(doc *report.Document, control, kind, ns, name string) []report.Finding {
	var out []report.Finding
	for _, f := range doc.Findings {
		if f.Control == control && f.Object.Kind == kind && f.Object.Namespace == ns && f.Object.Name == name {
			out = append(out, f)
		}
	}
	return out
}

func expectStatus(t *testing.T, doc *report.Document, status, control, kind, ns, name string) report.Finding {
	t.Helper()
	fs := findings(doc, control, kind, ns, name)
	for _, f := range fs {
		if f.Status.String() == status {
			return f
		}
	}
	t.Errorf("%s on %s %s/%s: want %s, got %v", control, kind, ns, name, status, statuses(fs))
	return report.Finding{}
}

func statuses(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Status.String()+": "+f.Message)
	}
	return out
}

func TestClusterAdmin(t *testing.T) {
	setup(t)
	code, doc, stderr := run(t, "cluster", "--kubeconfig", cluster.Kubeconfig, "-o", "json", "--no-config", "--show-passed")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr: %s; errors: %v", code, stderr, doc.Errors)
	}
	if !doc.Summary.Complete || len(doc.Summary.Unavailable) != 0 || len(doc.Errors) != 0 {
		t.Errorf("complete %v, unavailable %v, errors %v", doc.Summary.Complete, doc.Summary.Unavailable, doc.Errors)
	}
	for _, f := range doc.Findings {
		if f.Source == "" || !strings.HasPrefix(f.Source, "cluster ") {
			t.Fatalf("finding without the cluster as its source: %+v", f)
		}
	}

	// The insecure namespace.
	for _, c := range []string{"PS-14", "PS-15", "PS-17", "PS-21"} {
		expectStatus(t, doc, "fail", c, "Pod", "insecure", "root-shell")
	}
	expectStatus(t, doc, "fail", "AA-13", "ClusterRoleBinding", "", "insecure-default-admin")
	expectStatus(t, doc, "fail", "AA-22", "ClusterRoleBinding", "", "insecure-default-admin")
	for _, c := range []string{"NS-05", "NS-06", "PS-12"} {
		expectStatus(t, doc, "fail", c, "Namespace", "", "insecure")
	}
	expectStatus(t, doc, "fail", "PS-30", "Secret", "insecure", "default-token")
	if len(findings(doc, "PS-30", "Secret", "insecure", "app-password")) != 0 {
		t.Error("an ordinary Secret was judged by PS-30 (only token Secrets are listed)")
	}
	expectStatus(t, doc, "fail", "UP-05", "Deployment", "insecure", "tiller-deploy")

	// The hardened namespace.
	for _, c := range []string{"PS-14", "PS-15", "PS-17", "PS-21", "PS-01", "PS-06", "PS-23", "PS-28", "PS-40", "PS-41"} {
		expectStatus(t, doc, "pass", c, "Pod", "hardened", "web")
	}
	for _, c := range []string{"NS-05", "NS-06", "NS-10", "NS-11", "PS-12"} {
		expectStatus(t, doc, "pass", c, "Namespace", "", "hardened")
	}

	// The API server's flags, read from its mirror pod: kubeadm's defaults leave anonymous
	// authentication and profiling on and set no audit log or encryption at rest.
	for _, c := range []string{"AA-01", "NS-19", "AL-01", "NS-37"} {
		expectStatus(t, doc, "fail", c, "Pod", "kube-system", "kube-apiserver-control-plane")
	}
	for _, c := range []string{"AA-11", "AA-12", "NS-15", "NS-23"} {
		expectStatus(t, doc, "pass", c, "Pod", "kube-system", "kube-apiserver-control-plane")
	}
	// No controller manager or scheduler pod is visible: their checks say so.
	f := expectStatus(t, doc, "not-assessed", "NS-19", "Process", "", "kube-controller-manager")
	if !strings.Contains(f.Message, "mirror pod") {
		t.Errorf("NS-19 on the controller manager: %q", f.Message)
	}
	if fs := findings(doc, "AA-01", "Process", "", "kube-apiserver"); len(fs) != 0 {
		t.Errorf("the API server's pod is visible, yet: %v", statuses(fs))
	}

	// What only a live cluster answers.
	f = expectStatus(t, doc, "fail", "AA-23", "ClusterInfo", "", "cluster")
	if !strings.Contains(f.Message, "/version 200") || !strings.Contains(f.Message, "/api 403") {
		t.Errorf("AA-23: %q", f.Message)
	}
	// Whether v1.37 is still supported depends on the day the test runs; that it is judged
	// does not.
	if fs := findings(doc, "UP-01", "ClusterInfo", "", "cluster"); len(fs) != 1 || fs[0].Status.String() == "not-assessed" ||
		fs[0].Status.String() == "fail" && !strings.Contains(fs[0].Message, "end of life") {
		t.Errorf("UP-01 on the API server: %v", statuses(fs))
	}
	expectStatus(t, doc, "pass", "UP-08", "ClusterInfo", "", "cluster")
	expectStatus(t, doc, "fail", "PS-10", "ClusterInfo", "", "cluster")
	expectStatus(t, doc, "fail", "AL-11", "ClusterInfo", "", "cluster")
	expectStatus(t, doc, "not-assessed", "NS-04", "ClusterInfo", "", "cluster")
}

func TestClusterSameReportsAsScan(t *testing.T) {
	setup(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".kubeharden.yaml")
	os.WriteFile(cfg, []byte("exceptions:\n- controls: [PS-14]\n  namespace: insecure\n  name: root-shell\n  kind: Pod\n  reason: e2e\n"), 0o644)
	for _, format := range []string{"table", "yaml", "sarif", "junit"} {
		var out, errb bytes.Buffer
		code := cli.Main([]string{"cluster", "--kubeconfig", cluster.Kubeconfig, "-o", format, "--config", cfg, "--fail-on", "critical"},
			cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		// The API server's anonymous access and the cluster-admin binding stay critical
		// failures: exit 1.
		if code != 1 {
			t.Errorf("-o %s: exit %d, want 1 (stderr %s)", format, code, errb.String())
		}
		if out.Len() == 0 || strings.Contains(errb.String(), "\x1b[") {
			t.Errorf("-o %s: empty report or escape codes on a non-terminal stderr", format)
		}
	}
	_, doc, _ := run(t, "cluster", "--kubeconfig", cluster.Kubeconfig, "-o", "json", "--config", cfg, "--show-exempt")
	expectStatus(t, doc, "exempt", "PS-14", "Pod", "insecure", "root-shell")
}

func TestClusterNamespace(t *testing.T) {
	setup(t)
	code, doc, stderr := run(t, "cluster", "--kubeconfig", cluster.Kubeconfig, "-n", "hardened", "-o", "json", "--no-config", "--show-passed")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range doc.Findings {
		if ns := f.Object.Namespace; ns != "" && ns != "hardened" {
			t.Fatalf("-n hardened reported an object in %s: %+v", ns, f)
		}
	}
	expectStatus(t, doc, "pass", "NS-05", "Namespace", "", "hardened")
	f := expectStatus(t, doc, "not-assessed", "AL-11", "ClusterInfo", "", "cluster")
	if !strings.Contains(f.Message, "limited to namespace hardened") {
		t.Errorf("AL-11: %q", f.Message)
	}
}

func TestClusterLeastPrivilege(t *testing.T) {
	setup(t)
	code, doc, stderr := run(t, "cluster", "--kubeconfig", cluster.ViewerKubeconfig, "-o", "json", "--no-config", "--show-passed")
	// Forbidden kinds are reported, not input errors: a least-privileged scan exits 0.
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr %s; errors %v", code, stderr, doc.Errors)
	}
	for _, kind := range []string{"Secret", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration"} {
		if why := doc.Summary.Unavailable[kind]; !strings.Contains(why, "forbidden") {
			t.Errorf("unavailable[%s] = %q, want a forbidden reason", kind, why)
		}
	}
	// Nothing that reads the forbidden kinds may pass or fail; each is not assessed with the
	// reason.
	rbac := map[string]bool{"AA-05": true, "AA-06": true, "AA-09": true, "AA-13": true, "AA-14": true, "AA-15": true,
		"AA-16": true, "AA-17": true, "AA-18": true, "AA-19": true, "AA-21": true, "AA-22": true, "NS-40": true, "PS-30": true, "PS-10": true}
	notAssessed := map[string]bool{}
	for _, f := range doc.Findings {
		if !rbac[f.Control] {
			continue
		}
		if f.Status.String() != "not-assessed" {
			t.Errorf("%s %s on %s as the viewer: %s", f.Control, f.Status, f.Object.Kind+" "+f.Object.Name, f.Message)
			continue
		}
		if !strings.Contains(f.Message, "forbidden") {
			t.Errorf("%s not assessed without the reason: %q", f.Control, f.Message)
		}
		notAssessed[f.Control] = true
	}
	for c := range rbac {
		if !notAssessed[c] {
			t.Errorf("%s is not reported not assessed", c)
		}
	}
	expectStatus(t, doc, "not-assessed", "AA-13", "ClusterRoleBinding", "", "*")
	expectStatus(t, doc, "not-assessed", "PS-30", "Secret", "*", "*")
	// What the viewer may read is still judged.
	expectStatus(t, doc, "fail", "PS-14", "Pod", "insecure", "root-shell")
	expectStatus(t, doc, "pass", "NS-05", "Namespace", "", "hardened")

	// The table says which kinds could not be read.
	var out, errb bytes.Buffer
	cli.Main([]string{"cluster", "--kubeconfig", cluster.ViewerKubeconfig, "--no-config"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if !strings.Contains(out.String(), "Could not be read") || !strings.Contains(out.String(), "RoleBinding") {
		t.Errorf("the table does not list the kinds that could not be read:\n%s", out.String())
	}
}

// stallingProxy forwards requests to the API server with the admin's credentials until `after`
// LIST requests have been answered, then stops answering anything: an API server that stops
// responding in the middle of a scan.
func stallingProxy(t *testing.T, after int32) string {
	t.Helper()
	cfg, err := cluster.AdminConfig()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(cfg.Host)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = tr
	var lists atomic.Int32
	stop := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" && lists.Add(1) > after {
			select {
			case <-r.Context().Done():
			case <-stop:
			}
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { close(stop); srv.Close() })
	return writeKubeconfig(t, "http://"+ln.Addr().String())
}

func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	data := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, server)
	if err := os.WriteFile(kc, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

func TestClusterStopsAnsweringMidScan(t *testing.T) {
	setup(t)
	kc := stallingProxy(t, 6)
	start := time.Now()
	code, doc, stderr := run(t, "cluster", "--kubeconfig", kc, "--request-timeout", "2s", "-o", "json", "--no-config")
	elapsed := time.Since(start)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	// One request timeout for the requests in flight, plus slack for a loaded machine; without
	// giving up on the remaining kinds this would take a timeout per kind.
	if elapsed > 15*time.Second {
		t.Errorf("took %v after the server stopped answering", elapsed)
	}
	if len(doc.Errors) == 0 || !strings.Contains(stderr, "results are incomplete") {
		t.Errorf("no input errors reported: %v / %s", doc.Errors, stderr)
	}
	var timedOut, gaveUp bool
	for _, e := range doc.Errors {
		timedOut = timedOut || strings.Contains(e.Message, "timed out") || strings.Contains(e.Message, "deadline")
		gaveUp = gaveUp || strings.Contains(e.Message, "stopped answering")
	}
	if !timedOut || !gaveUp {
		t.Errorf("errors should show a timeout and the kinds given up: %v", doc.Errors)
	}
	// Partial results: what was listed before the stall is still assessed.
	if doc.Summary.Inputs.Objects == 0 || doc.Summary.Pass+doc.Summary.Fail == 0 {
		t.Errorf("no partial results: %+v", doc.Summary)
	}
}

func TestClusterUnreachable(t *testing.T) {
	// A listener that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			go io.Copy(io.Discard, c)
		}
	}()
	kc := writeKubeconfig(t, "https://"+ln.Addr().String())
	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Main([]string{"cluster", "--kubeconfig", kc, "--request-timeout", "1s"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 2 || time.Since(start) > 10*time.Second || !strings.Contains(errb.String(), "cannot reach the API server") {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), errb.String())
	}
}
