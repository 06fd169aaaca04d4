package testcluster

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// pinnedVersion reads the Kubernetes release the harness builds, so the
// test checks that the stamped version is the pinned one without repeating
// the number here.
func pinnedVersion(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "test", "cluster", "apiserver", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "k8s.io/kubernetes" {
			return fields[1]
		}
		if len(fields) >= 3 && fields[0] == "require" && fields[1] == "k8s.io/kubernetes" {
			return fields[2]
		}
	}
	t.Fatal("k8s.io/kubernetes not found in test/cluster/apiserver/go.mod")
	return ""
}

// cmdline returns the argument vector of a running process.
func cmdline(t *testing.T, pid int) []string {
	t.Helper()
	if pid == 0 {
		t.Fatal("the cluster has no recorded pid; it was not started by scripts/testcluster")
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		t.Fatalf("reading cmdline of pid %d: %v", pid, err)
	}
	return strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
}

// flagValue returns the value of the last --name=value in args, the one
// that wins for scalar flags.
func flagValue(args []string, name string) (string, bool) {
	val, found := "", false
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			val, found = v, true
		} else if a == "--"+name {
			val, found = "true", true
		}
	}
	return val, found
}

func newClient(t *testing.T, cfg *rest.Config, err error) kubernetes.Interface {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// privilegedPod is the kind of workload a hardening scanner must flag: host
// namespaces and a privileged container.
func privilegedPod(ns string) *corev1.Pod {
	privileged := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "privileged", Namespace: ns},
		Spec: corev1.PodSpec{
			HostPID:     true,
			HostNetwork: true,
			Containers: []corev1.Container{{
				Name:            "main",
				Image:           "pause:3.10",
				SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
			}},
		},
	}
}

// createNamespace creates a uniquely named namespace (a reused cluster may
// already hold one from an earlier run) and its default ServiceAccount. The
// harness runs no controller-manager, so nothing else would create the
// ServiceAccount that the ServiceAccount admission plugin requires.
func createNamespace(t *testing.T, cs kubernetes.Interface, prefix string) string {
	t.Helper()
	ctx := t.Context()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("admin creating namespace: %v", err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns.Name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("admin creating default service account: %v", err)
	}
	return ns.Name
}

// checkAnonymous asserts that an unauthenticated request is treated the way
// the apiserver's --anonymous-auth flag says it should be.
func checkAnonymous(t *testing.T, c *Cluster, apiArgs []string) {
	t.Helper()
	anonymousAllowed := true // the kube-apiserver default, which kubeadm keeps
	if v, ok := flagValue(apiArgs, "anonymous-auth"); ok {
		anonymousAllowed = v == "true"
	}

	cfg, err := c.AnonymousConfig()
	anon := newClient(t, cfg, err)

	_, err = anon.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{})
	if anonymousAllowed {
		// Authenticated as system:anonymous, then denied by RBAC.
		if !apierrors.IsForbidden(err) {
			t.Errorf("anonymous namespace list with anonymous auth on: want 403 Forbidden, got %v", err)
		} else if !strings.Contains(err.Error(), "system:anonymous") {
			t.Errorf("anonymous namespace list: want a denial of system:anonymous, got %v", err)
		}
		// The built-in system:public-info-viewer binding lets
		// unauthenticated callers read /version.
		if _, err := anon.Discovery().ServerVersion(); err != nil {
			t.Errorf("anonymous GET /version with anonymous auth on: %v", err)
		}
	} else {
		if !apierrors.IsUnauthorized(err) {
			t.Errorf("anonymous namespace list with --anonymous-auth=false: want 401 Unauthorized, got %v", err)
		}
		rc, err := rest.HTTPClientFor(cfg)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rc.Get(c.Server + "/version")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous GET /version with --anonymous-auth=false: want 401, got %d", resp.StatusCode)
		}
	}
}

// TestKubeadmLikeCluster starts the default cluster and checks that it
// behaves like a kubeadm control plane.
func TestKubeadmLikeCluster(t *testing.T) {
	c := Start(t, Options{})
	ctx := t.Context()

	want := pinnedVersion(t)
	if c.Version != want {
		t.Errorf("/version reports %q, want the pinned release %q", c.Version, want)
	}
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).MatchString(c.Version) {
		t.Errorf("/version %q is not a plain release version", c.Version)
	}
	if !strings.HasPrefix(c.Server, "https://127.0.0.1:") {
		t.Errorf("server %q is not on loopback", c.Server)
	}

	apiArgs := cmdline(t, c.APIServerPID)
	if filepath.Base(apiArgs[0]) != "kube-apiserver" {
		t.Errorf("apiserver pid %d runs %q", c.APIServerPID, apiArgs[0])
	}
	for name, want := range map[string]string{
		"allow-privileged":         "true",
		"authorization-mode":       "Node,RBAC",
		"enable-admission-plugins": "NodeRestriction",
		"bind-address":             "127.0.0.1",
	} {
		if got, _ := flagValue(apiArgs, name); got != want {
			t.Errorf("kube-apiserver --%s=%q, want %q", name, got, want)
		}
	}
	etcdArgs := cmdline(t, c.EtcdPID)
	if filepath.Base(etcdArgs[0]) != "etcd" {
		t.Errorf("etcd pid %d runs %q", c.EtcdPID, etcdArgs[0])
	}
	if got, _ := flagValue(etcdArgs, "client-cert-auth"); got != "true" {
		t.Errorf("etcd --client-cert-auth=%q, want true", got)
	}
	// The apiserver must talk to etcd with a client certificate from
	// the separate etcd CA, as kubeadm sets it up.
	etcdCA, _ := flagValue(apiArgs, "etcd-cafile")
	clientCA, _ := flagValue(apiArgs, "client-ca-file")
	if etcdCA == "" || etcdCA == clientCA {
		t.Errorf("etcd CA %q must exist and differ from the cluster CA %q", etcdCA, clientCA)
	}

	admin := c.AdminClient(t)
	ns := createNamespace(t, admin, "harness-check")
	created, err := admin.CoreV1().Pods(ns).Create(ctx, privilegedPod(ns), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("admin creating a privileged pod with --allow-privileged=true: %v", err)
	}
	if !created.Spec.HostPID || !created.Spec.HostNetwork ||
		created.Spec.Containers[0].SecurityContext == nil ||
		created.Spec.Containers[0].SecurityContext.Privileged == nil ||
		!*created.Spec.Containers[0].SecurityContext.Privileged {
		t.Errorf("stored pod lost its privileged settings: %+v", created.Spec)
	}

	viewer := c.ViewerClient(t)
	review, err := viewer.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("viewer self-subject review: %v", err)
	}
	if u := review.Status.UserInfo; u.Username != "kubeharden-viewer" || !slices.Equal(u.Groups, []string{"system:authenticated"}) {
		t.Errorf("viewer identity = %q %v, want kubeharden-viewer [system:authenticated]", u.Username, u.Groups)
	}
	if _, err := viewer.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("viewer listing secrets: want Forbidden, got %v", err)
	}
	if _, err := viewer.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("viewer listing clusterrolebindings: want Forbidden, got %v", err)
	}
	// The same calls succeed for the admin, so the denials above are
	// authorization decisions and not broken endpoints.
	if _, err := admin.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("admin listing secrets: %v", err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("admin listing clusterrolebindings: %v", err)
	}

	checkAnonymous(t, c, apiArgs)
}

// TestExtraFlags checks that extra flags reach the servers, replacing the
// defaults they name, and change the cluster's behaviour.
func TestExtraFlags(t *testing.T) {
	c := Start(t, Options{
		APIServerFlags: []string{"--anonymous-auth=false", "--allow-privileged=false"},
		EtcdFlags:      []string{"--snapshot-count=5000"},
	})
	ctx := t.Context()

	apiArgs := cmdline(t, c.APIServerPID)
	var allowPrivileged []string
	for _, a := range apiArgs {
		if strings.HasPrefix(a, "--allow-privileged=") {
			allowPrivileged = append(allowPrivileged, a)
		}
	}
	if !slices.Equal(allowPrivileged, []string{"--allow-privileged=false"}) {
		t.Errorf("--allow-privileged should be replaced, got %v", allowPrivileged)
	}
	if got, _ := flagValue(cmdline(t, c.EtcdPID), "snapshot-count"); got != "5000" {
		t.Errorf("etcd --snapshot-count=%q, want 5000", got)
	}

	admin := c.AdminClient(t)
	ns := createNamespace(t, admin, "harness-flags")
	_, err := admin.CoreV1().Pods(ns).Create(ctx, privilegedPod(ns), metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err) {
		t.Errorf("privileged pod with --allow-privileged=false: want rejection, got %v", err)
	}

	checkAnonymous(t, c, apiArgs)
}
