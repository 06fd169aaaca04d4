package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// podSecurityPods are Pods on which the API server's own PodSecurity admission and a manifest
// scan could disagree: where the API server changes a Pod before admission judges it (default
// host ports on the host's network, AppArmor annotations copied into fields), and annotations
// the checks read.
var podSecurityPods = []string{`
metadata: {name: host-network-ports}
spec:
  hostNetwork: true
  initContainers:
  - {name: init, image: busybox:1.36, ports: [{containerPort: 9090}]}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 8080}, {containerPort: 8443, hostPort: 8443}]
`, `
metadata:
  name: apparmor-annotations
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: unconfined
    container.apparmor.security.beta.kubernetes.io/b: localhost/custom
    container.apparmor.security.beta.kubernetes.io/c: runtime/default
spec:
  securityContext:
    appArmorProfile: {type: Localhost, localhostProfile: custom}
  containers:
  - {name: a, image: app:1}
  - {name: b, image: app:1}
  - {name: c, image: app:1}
`, `
metadata:
  name: seccomp-annotations
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.seccomp.security.alpha.kubernetes.io/a: runtime/default
spec:
  containers:
  - {name: a, image: app:1}
`, `
metadata: {name: hardened-but-host-network}
spec:
  hostNetwork: true
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: a
    image: app:1
    ports: [{containerPort: 80}]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
`, `
metadata: {name: restricted}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: a
    image: app:1
    ports: [{containerPort: 8080}]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`}

// TestPodSecurityMatchesAdmission: for each Pod, PS-41's findings on its manifest say exactly
// what the API server says when its PodSecurity admission refuses the Pod in a namespace that
// enforces restricted (a dry run, so nothing is stored), in the same words; a Pod the API server
// admits has no PS-41 finding.
func TestPodSecurityMatchesAdmission(t *testing.T) {
	setup(t)
	cs, err := adminClient()
	if err != nil {
		t.Fatal(err)
	}
	var manifest strings.Builder
	admission := map[string]string{} // pod name: what admission forbids, "" when it admits
	for _, text := range podSecurityPods {
		var pod corev1.Pod
		if err := sigsyaml.UnmarshalStrict([]byte(text), &pod); err != nil {
			t.Fatal(err)
		}
		_, err := cs.CoreV1().Pods("hardened").Create(t.Context(), &pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		switch {
		case err == nil:
			admission[pod.Name] = ""
		case apierrors.IsForbidden(err):
			const mark = `violates PodSecurity "restricted:latest": `
			msg := err.Error()
			i := strings.Index(msg, mark)
			if i < 0 {
				t.Fatalf("%s: refused, but not by PodSecurity: %v", pod.Name, err)
			}
			admission[pod.Name] = msg[i+len(mark):]
		default:
			t.Fatalf("%s: %v", pod.Name, err)
		}
		manifest.WriteString("---\napiVersion: v1\nkind: Pod\n")
		manifest.WriteString(strings.TrimPrefix(text, "\n"))
	}
	file := filepath.Join(t.TempDir(), "pods.yaml")
	if err := os.WriteFile(file, []byte(manifest.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, doc, stderr := run(t, "scan", file, "-n", "hardened", "-o", "json", "--no-config")
	if len(doc.Errors) > 0 {
		t.Fatalf("the manifest does not read: %v %s", doc.Errors, stderr)
	}
	scanned := map[string][]string{}
	for _, f := range doc.Findings {
		if f.Control != "PS-41" {
			continue
		}
		// "[checkID] reason: detail" in the admission's words: "reason (detail)".
		_, m, _ := strings.Cut(f.Message, "] ")
		if reason, detail, ok := strings.Cut(m, ": "); ok {
			m = reason + " (" + detail + ")"
		}
		scanned[f.Object.Name] = append(scanned[f.Object.Name], m)
	}
	for name, want := range admission {
		// The report orders findings by line, the API server by check: put each in its place
		// in the API server's message (one it does not hold comes first, and fails).
		got := scanned[name]
		slices.SortStableFunc(got, func(a, b string) int { return strings.Index(want, a) - strings.Index(want, b) })
		if got := strings.Join(got, ", "); got != want {
			t.Errorf("%s:\n scan      %q\n admission %q", name, got, want)
		}
	}
	if admission["host-network-ports"] == "" || admission["restricted"] != "" {
		t.Errorf("the API server judged the test pods otherwise than they were written for: %q", admission)
	}
}
