package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// The validity periods follow kubeadm: ten years for the authorities, one
// year for everything they sign. A scanner that checks certificate lifetimes
// therefore sees what it would see on a freshly initialised kubeadm node.
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 365 * 24 * time.Hour
	// rsaBits matches kubeadm's default encryption algorithm (RSA-2048).
	rsaBits = 2048
)

// Names of the identities the harness hands out. The admin is a member of
// system:masters so it is authorised by the built-in superuser group without
// any RBAC objects; the viewer has no group at all and only gets what
// system:authenticated gets.
const (
	adminUser  = "kubernetes-admin"
	adminGroup = "system:masters"
	viewerUser = "kubeharden-viewer"
	// clusterName is the name kubeadm gives the cluster in its kubeconfigs.
	clusterName = "kubernetes"
)

// keyPair is a certificate together with its private key.
type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *rsa.PrivateKey
}

// certSpec describes one certificate to issue.
type certSpec struct {
	cn     string
	orgs   []string
	dns    []string
	ips    []net.IP
	usages []x509.ExtKeyUsage
}

func runPKI(args []string) error {
	fs := flag.NewFlagSet("pki", flag.ContinueOnError)
	dir := fs.String("dir", "", "state directory to write pki/, users/ and the kubeconfigs into")
	server := fs.String("server", "", "https URL of the kube-apiserver, written into the kubeconfigs")
	node := fs.String("node", "control-plane", "node name, used for the etcd member and certificate SANs")
	serviceCIDR := fs.String("service-cidr", "10.96.0.0/12", "service cluster IP range; its first address goes into the apiserver certificate")
	dnsDomain := fs.String("dns-domain", "cluster.local", "cluster DNS domain")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *server == "" {
		return errors.New("--dir and --server are required")
	}
	u, err := url.Parse(*server)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("--server %q is not an https URL", *server)
	}
	serviceIP, err := firstServiceIP(*serviceCIDR)
	if err != nil {
		return err
	}
	return writePKI(pkiConfig{
		dir:       *dir,
		server:    *server,
		node:      *node,
		serviceIP: serviceIP,
		dnsDomain: *dnsDomain,
	})
}

type pkiConfig struct {
	dir       string
	server    string
	node      string
	serviceIP net.IP
	dnsDomain string
}

// firstServiceIP returns the address the apiserver allocates to the
// "kubernetes" Service: the first host address of the service range.
func firstServiceIP(cidr string) (net.IP, error) {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return nil, fmt.Errorf("--service-cidr: %w", err)
	}
	ip := make(net.IP, len(n.IP))
	copy(ip, n.IP)
	for i := len(ip) - 1; i >= 0; i-- {
		ip[i]++
		if ip[i] != 0 {
			break
		}
	}
	if !n.Contains(ip) {
		return nil, fmt.Errorf("--service-cidr %s has no host addresses", cidr)
	}
	return ip, nil
}

// writePKI creates the same set of authorities and certificates that
// "kubeadm init" creates for a stacked control plane, plus two user
// credentials, and the kubeconfigs for those users.
func writePKI(c pkiConfig) error {
	pkiDir := filepath.Join(c.dir, "pki")
	usersDir := filepath.Join(c.dir, "users")
	for _, d := range []string{pkiDir, filepath.Join(pkiDir, "etcd"), usersDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}

	// RSA key generation dominates the run time, so make every key up
	// front on all cores: 3 authorities, 9 issued certificates and the
	// service-account key.
	const nKeys = 13
	keys, err := generateKeys(nKeys)
	if err != nil {
		return err
	}
	next := func() *rsa.PrivateKey {
		k := keys[0]
		keys = keys[1:]
		return k
	}

	now := time.Now().UTC().Truncate(time.Second)
	loopbackIPs := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}

	ca, err := newCA("kubernetes", next(), now)
	if err != nil {
		return err
	}
	frontProxyCA, err := newCA("front-proxy-ca", next(), now)
	if err != nil {
		return err
	}
	etcdCA, err := newCA("etcd-ca", next(), now)
	if err != nil {
		return err
	}

	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	etcdDNS := []string{"localhost", c.node}

	type out struct {
		ca   *keyPair
		spec certSpec
		path string // without extension
	}
	leaves := []out{
		{ca, certSpec{
			cn: "kube-apiserver",
			dns: []string{
				c.node, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
				"kubernetes.default.svc." + c.dnsDomain, "localhost",
			},
			ips:    append([]net.IP{c.serviceIP}, loopbackIPs...),
			usages: server,
		}, filepath.Join(pkiDir, "apiserver")},
		{ca, certSpec{cn: "kube-apiserver-kubelet-client", usages: client}, filepath.Join(pkiDir, "apiserver-kubelet-client")},
		{frontProxyCA, certSpec{cn: "front-proxy-client", usages: client}, filepath.Join(pkiDir, "front-proxy-client")},
		{etcdCA, certSpec{cn: c.node, dns: etcdDNS, ips: loopbackIPs, usages: both}, filepath.Join(pkiDir, "etcd", "server")},
		{etcdCA, certSpec{cn: c.node, dns: etcdDNS, ips: loopbackIPs, usages: both}, filepath.Join(pkiDir, "etcd", "peer")},
		{etcdCA, certSpec{cn: "kube-etcd-healthcheck-client", usages: client}, filepath.Join(pkiDir, "etcd", "healthcheck-client")},
		{etcdCA, certSpec{cn: "kube-apiserver-etcd-client", usages: client}, filepath.Join(pkiDir, "apiserver-etcd-client")},
		{ca, certSpec{cn: adminUser, orgs: []string{adminGroup}, usages: client}, filepath.Join(usersDir, "admin")},
		{ca, certSpec{cn: viewerUser, usages: client}, filepath.Join(usersDir, "viewer")},
	}

	for _, pair := range []struct {
		kp   *keyPair
		path string
	}{
		{ca, filepath.Join(pkiDir, "ca")},
		{frontProxyCA, filepath.Join(pkiDir, "front-proxy-ca")},
		{etcdCA, filepath.Join(pkiDir, "etcd", "ca")},
	} {
		if err := writeKeyPair(pair.path, pair.kp); err != nil {
			return err
		}
	}

	issued := map[string]*keyPair{}
	for _, l := range leaves {
		kp, err := l.ca.issue(l.spec, next(), now)
		if err != nil {
			return fmt.Errorf("issuing %s: %w", l.spec.cn, err)
		}
		if err := writeKeyPair(l.path, kp); err != nil {
			return err
		}
		issued[l.path] = kp
	}

	// The service-account key pair is a bare key pair, not a certificate:
	// the apiserver signs tokens with sa.key and verifies them with sa.pub.
	saKey := next()
	if err := writeFile(filepath.Join(pkiDir, "sa.key"), pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)), 0o600); err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(pkiDir, "sa.pub"), pemBlock("PUBLIC KEY", saPub), 0o644); err != nil {
		return err
	}

	if err := writeKubeconfig(filepath.Join(c.dir, "admin.kubeconfig"), c.server, ca, adminUser, issued[filepath.Join(usersDir, "admin")]); err != nil {
		return err
	}
	return writeKubeconfig(filepath.Join(c.dir, "viewer.kubeconfig"), c.server, ca, viewerUser, issued[filepath.Join(usersDir, "viewer")])
}

// generateKeys makes n RSA keys using every CPU.
func generateKeys(n int) ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				keys[i], errs[i] = rsa.GenerateKey(rand.Reader, rsaBits)
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	return keys, errors.Join(errs...)
}

func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func newCA(cn string, key *rsa.PrivateKey, now time.Time) (*keyPair, error) {
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now,
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// SubjectKeyId is left empty: crypto/x509 derives it from the
		// public key for CA templates, and copies it into the
		// AuthorityKeyId of every certificate this CA signs.
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, der: der, key: key}, nil
}

func (ca *keyPair) issue(s certSpec, key *rsa.PrivateKey, now time.Time) (*keyPair, error) {
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: s.cn, Organization: s.orgs},
		DNSNames:              s.dns,
		IPAddresses:           s.ips,
		NotBefore:             now,
		NotAfter:              now.Add(leafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           s.usages,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, der: der, key: key}, nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func (kp *keyPair) certPEM() []byte { return pemBlock("CERTIFICATE", kp.der) }

// keyPEM uses PKCS#1, the encoding kubeadm writes for RSA keys.
func (kp *keyPair) keyPEM() []byte {
	return pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(kp.key))
}

func writeKeyPair(base string, kp *keyPair) error {
	if err := writeFile(base+".crt", kp.certPEM(), 0o644); err != nil {
		return err
	}
	return writeFile(base+".key", kp.keyPEM(), 0o600)
}

// writeFile refuses to overwrite: a state directory is written once, and a
// second run against the same directory is a caller bug that would leave a
// running cluster with credentials that no longer match.
func writeFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
