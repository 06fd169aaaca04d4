package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s: no certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestPKI(t *testing.T) {
	dir := t.TempDir()
	if err := runPKI([]string{"--dir", dir, "--server", "https://127.0.0.1:6443", "--node", "cp"}); err != nil {
		t.Fatal(err)
	}
	cert := func(rel string) *x509.Certificate { return readCert(t, filepath.Join(dir, rel)) }
	pool := func(rel string) *x509.CertPool {
		p := x509.NewCertPool()
		p.AddCert(cert(rel))
		return p
	}
	clusterCA, etcdCA, proxyCA := pool("pki/ca.crt"), pool("pki/etcd/ca.crt"), pool("pki/front-proxy-ca.crt")

	cases := []struct {
		file  string
		roots *x509.CertPool
		usage x509.ExtKeyUsage
		cn    string
		orgs  []string
	}{
		{"pki/apiserver.crt", clusterCA, x509.ExtKeyUsageServerAuth, "kube-apiserver", nil},
		{"pki/apiserver-kubelet-client.crt", clusterCA, x509.ExtKeyUsageClientAuth, "kube-apiserver-kubelet-client", nil},
		{"pki/front-proxy-client.crt", proxyCA, x509.ExtKeyUsageClientAuth, "front-proxy-client", nil},
		{"pki/apiserver-etcd-client.crt", etcdCA, x509.ExtKeyUsageClientAuth, "kube-apiserver-etcd-client", nil},
		{"pki/etcd/server.crt", etcdCA, x509.ExtKeyUsageServerAuth, "cp", nil},
		{"pki/etcd/peer.crt", etcdCA, x509.ExtKeyUsageClientAuth, "cp", nil},
		{"pki/etcd/healthcheck-client.crt", etcdCA, x509.ExtKeyUsageClientAuth, "kube-etcd-healthcheck-client", nil},
		{"users/admin.crt", clusterCA, x509.ExtKeyUsageClientAuth, "kubernetes-admin", []string{"system:masters"}},
		{"users/viewer.crt", clusterCA, x509.ExtKeyUsageClientAuth, "kubeharden-viewer", nil},
	}
	for _, tc := range cases {
		c := cert(tc.file)
		if _, err := c.Verify(x509.VerifyOptions{Roots: tc.roots, KeyUsages: []x509.ExtKeyUsage{tc.usage}}); err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
		if c.Subject.CommonName != tc.cn || !slices.Equal(c.Subject.Organization, tc.orgs) {
			t.Errorf("%s: subject %v, want CN=%s O=%v", tc.file, c.Subject, tc.cn, tc.orgs)
		}
		if _, err := tls.LoadX509KeyPair(filepath.Join(dir, tc.file), strings.TrimSuffix(filepath.Join(dir, tc.file), ".crt")+".key"); err != nil {
			t.Errorf("%s: key does not match: %v", tc.file, err)
		}
	}

	// The etcd client certificate must not be accepted by the cluster CA:
	// kubeadm keeps the two trust domains apart.
	if _, err := cert("pki/apiserver-etcd-client.crt").Verify(x509.VerifyOptions{Roots: clusterCA, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("apiserver-etcd-client.crt verifies against the cluster CA")
	}

	api := cert("pki/apiserver.crt")
	for _, name := range []string{"localhost", "kubernetes", "kubernetes.default.svc.cluster.local", "cp"} {
		if err := api.VerifyHostname(name); err != nil {
			t.Errorf("apiserver certificate: %v", err)
		}
	}
	for _, ip := range []string{"127.0.0.1", "::1", "10.96.0.1"} {
		if !slices.ContainsFunc(api.IPAddresses, func(a net.IP) bool { return a.Equal(net.ParseIP(ip)) }) {
			t.Errorf("apiserver certificate lacks IP SAN %s", ip)
		}
	}

	for _, key := range []string{"pki/ca.key", "pki/sa.key", "pki/etcd/ca.key", "users/admin.key"} {
		fi, err := os.Stat(filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", key, fi.Mode().Perm())
		}
	}

	kc, err := os.ReadFile(filepath.Join(dir, "admin.kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(kc), `server: "https://127.0.0.1:6443"`) {
		t.Errorf("admin.kubeconfig does not point at the server:\n%s", kc)
	}

	// A second run must not silently replace the credentials of a
	// cluster that may be running.
	if err := runPKI([]string{"--dir", dir, "--server", "https://127.0.0.1:6443"}); err == nil {
		t.Error("second pki run into the same directory succeeded")
	}
}

func TestFirstServiceIP(t *testing.T) {
	for cidr, want := range map[string]string{
		"10.96.0.0/12": "10.96.0.1",
		"10.0.0.0/24":  "10.0.0.1",
		"fd00::/108":   "fd00::1",
	} {
		got, err := firstServiceIP(cidr)
		if err != nil || !got.Equal(net.ParseIP(want)) {
			t.Errorf("firstServiceIP(%s) = %v, %v; want %s", cidr, got, err, want)
		}
	}
	if _, err := firstServiceIP("10.0.0.1/32"); err == nil {
		t.Error("a /32 has no host address and should fail")
	}
}

func TestFreePortsDistinct(t *testing.T) {
	ports, err := freePorts(8)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("bad or repeated port in %v", ports)
		}
		seen[p] = true
	}
}
