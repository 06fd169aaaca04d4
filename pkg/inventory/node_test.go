package inventory

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func staticPod(labels map[string]string, ctr corev1.Container) *Object {
	return &Object{APIVersion: "v1", Kind: "Pod", Name: "p", Namespace: "kube-system", Origin: Origin{Source: SourceNode},
		Typed: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{ctr}}}}
}

// renderFlags renders flags as "name=value@path" for comparisons.
func renderFlags(fs Flags) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name+"="+f.Value+"@"+f.Path)
	}
	return strings.Join(out, " ")
}

// TestComponentOfWrapped: a component started by a wrapper (go-runner, a shell) is recognised
// wherever its binary stands in command and args, and its flags are the arguments after it,
// each with its own field path.
func TestComponentOfWrapped(t *testing.T) {
	const c0 = "spec.containers[0]"
	for _, tc := range []struct {
		name   string
		labels map[string]string
		ctr    corev1.Container
		want   string // component name
		flags  string
	}{
		{"plain", nil, corev1.Container{Command: []string{"kube-apiserver", "--profiling=false"}},
			"kube-apiserver", "profiling=false@" + c0 + ".command[1]"},
		{"go-runner", nil, corev1.Container{Command: []string{"/go-runner", "--log-file=/var/log/kube-apiserver.log", "--also-stdout",
			"/usr/local/bin/kube-apiserver", "--profiling=false", "--audit-log-path", "/var/log/audit.log"}},
			"kube-apiserver", "profiling=false@" + c0 + ".command[4] audit-log-path=/var/log/audit.log@" + c0 + ".command[5]"},
		{"go-runner with args", nil, corev1.Container{Command: []string{"/go-runner", "--also-stdout=true"},
			Args: []string{"/usr/local/bin/kube-controller-manager", "--profiling=false"}},
			"kube-controller-manager", "profiling=false@" + c0 + ".args[1]"},
		{"binary in command, flags in args", nil, corev1.Container{Command: []string{"/go-runner", "/usr/local/bin/kube-scheduler"},
			Args: []string{"--bind-address", "127.0.0.1"}},
			"kube-scheduler", "bind-address=127.0.0.1@" + c0 + ".args[0]"},
		{"sh -c exec", nil, corev1.Container{Command: []string{"/bin/sh", "-c",
			"mkdir -p /var/log && exec /usr/local/bin/kube-apiserver --profiling=false --anonymous-auth=\"false\" 1>>/var/log/kube-apiserver.log 2>&1"}},
			"kube-apiserver", "profiling=false@" + c0 + ".command[2] anonymous-auth=false@" + c0 + ".command[2]"},
		{"sh -c in args", nil, corev1.Container{Command: []string{"sh"}, Args: []string{"-c", "exec etcd --cert-file='/etc/etcd/server crt'"}},
			"etcd", "cert-file=/etc/etcd/server crt@" + c0 + ".args[1]"},
		{"k8s-app label, args only", map[string]string{"k8s-app": "kube-apiserver"}, corev1.Container{Name: "apiserver", Args: []string{"--profiling=false"}},
			"kube-apiserver", "profiling=false@" + c0 + ".args[0]"},
		{"component label, args only", map[string]string{"component": "kube-scheduler"}, corev1.Container{Args: []string{"--profiling=false"}},
			"kube-scheduler", "profiling=false@" + c0 + ".args[0]"},
		// A flag's value that happens to be a component's name is not the component.
		{"value named etcd", nil, corev1.Container{Command: []string{"/calico", "--datastore-type", "etcd", "--x=y"}}, "", ""},
		{"value that is a folder", map[string]string{"component": "kube-apiserver"}, corev1.Container{Args: []string{"--cert-dir", "/var/lib/kube-apiserver", "--profiling"}},
			"kube-apiserver", "cert-dir=/var/lib/kube-apiserver@" + c0 + ".args[0] profiling=@" + c0 + ".args[2]"},
		{"shell without component", nil, corev1.Container{Command: []string{"sh", "-c", "echo kube-apiserver"}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := staticPod(tc.labels, tc.ctr)
			if got := ComponentName(o); got != tc.want {
				t.Fatalf("ComponentName = %q, want %q", got, tc.want)
			}
			c := ComponentOf(o)
			if tc.want == "" {
				if c != nil {
					t.Fatalf("ComponentOf = %+v, want nil", c)
				}
				return
			}
			if got := renderFlags(c.Flags); got != tc.flags {
				t.Errorf("flags\n got %s\nwant %s", got, tc.flags)
			}
		})
	}
}

// TestParseFlagsDash: pflag takes a lone "-" (standard output, standard input) as a flag's
// value; other arguments starting with "-" are flags.
func TestParseFlagsDash(t *testing.T) {
	fs := ParseFlags([]string{"--audit-log-path", "-", "--audit-log-maxage", "--profiling"}, func(i int) string { return Index("args", i) }, 0)
	if got := renderFlags(fs); got != "audit-log-path=-@args[0] audit-log-maxage=@args[2] profiling=@args[3]" {
		t.Errorf("flags = %s", got)
	}
}
