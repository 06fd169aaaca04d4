package pod

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
)

func TestParseImage(t *testing.T) {
	const d = "sha256:4f1c0a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170e9a0b1c"
	cases := []struct {
		in                string
		name, tag, digest string
		pinned            bool
	}{
		{"nginx", "nginx", "", "", false},
		{"nginx:1.25", "nginx", "1.25", "", false},
		{"localhost:5000/app", "localhost:5000/app", "", "", false},
		{"localhost:5000/app:v2", "localhost:5000/app", "v2", "", false},
		{"registry.example.com:443/team/app@" + d, "registry.example.com:443/team/app", "", d, true},
		{"app:1.0@" + d, "app", "1.0", d, true},
		{"localhost:5000/app:latest@" + d, "localhost:5000/app", "latest", d, true},
		{"app@sha256:abc", "app", "", "sha256:abc", false},
		{"app@md5:4f1c0a9b8e7d6c5b4a39281706f5e4d3", "app", "", "md5:4f1c0a9b8e7d6c5b4a39281706f5e4d3", false},
		{"[::1]:5000/app:1", "[::1]:5000/app", "1", "", false},
	}
	for _, c := range cases {
		r := checks.ParseImage(c.in)
		if r.Name != c.name || r.Tag != c.tag || r.Digest != c.digest || validDigest(r.Digest) != c.pinned {
			t.Errorf("ParseImage(%q) = %+v pinned=%v, want %s %s %s pinned=%v", c.in, r, validDigest(r.Digest), c.name, c.tag, c.digest, c.pinned)
		}
	}
}

func TestHostPathRisk(t *testing.T) {
	cases := map[string]string{
		"/var/run/docker.sock":                "container runtime socket",
		"/run/containerd/containerd.sock":     "container runtime socket",
		"/var/run/crio/crio.sock":             "container runtime socket",
		"/run/k3s/containerd/containerd.sock": "container runtime socket",
		"/run/containerd":                     "container runtime socket directory",
		"/":                                   "sensitive host path",
		"/etc/":                               "sensitive host path",
		"/proc/1/root":                        "sensitive host path",
		"/var/lib/kubelet/pki":                "sensitive host path",
		"/etc/kubernetes/pki":                 "sensitive host path",
		"/usr/../etc":                         "sensitive host path",
		"/etc/ssl/certs":                      "",
		"/var/log":                            "",
		"/data":                               "",
		"/sys/fs/cgroup":                      "",
		"":                                    "",
	}
	for in, want := range cases {
		if got := hostPathRisk(in); got != want {
			t.Errorf("hostPathRisk(%q) = %q, want %q", in, got, want)
		}
	}
}
