package controlplane

/*
NS-15: the API server serves TLS with its own certificate and verifies client certificates.

Read: kube-apiserver --tls-cert-file, --tls-private-key-file, --client-ca-file.
Fails: any is unset (without a certificate the API server makes a self-signed one; without a
       client CA it cannot authenticate client certificates).

NS-16: the API server authenticates to kubelets and verifies their serving certificates.

Read: kube-apiserver --kubelet-client-certificate, --kubelet-client-key,
      --kubelet-certificate-authority.
Fails: any is unset. kubeadm does not set --kubelet-certificate-authority, because kubelets
       serve self-signed certificates unless serverTLSBootstrap is on (see NS-30).

NS-17: no unauthenticated, unencrypted API port.

Read: kube-apiserver --insecure-port (removed in 1.24; still parsed for older control planes),
      --secure-port.
Fails: --insecure-port is an integer other than 0; --secure-port=0 (which turns HTTPS off).

NS-18: strong TLS settings on the control plane.

Read: --tls-cipher-suites and --tls-min-version of kube-apiserver, kube-controller-manager and
      kube-scheduler; etcd's --cipher-suites and --tls-min-version.
Passes: unset (the Go defaults: TLS 1.2 and later, AEAD suites first), or only the TLS 1.3
        suites and ECDHE suites with AES-GCM or ChaCha20-Poly1305; a minimum of TLS 1.2 or 1.3.
Fails:  any other suite (CBC mode, RSA key exchange, 3DES, RC4), or a minimum of TLS 1.0/1.1.
*/

import (
	"strconv"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-15", Match: Is(inventory.ComponentAPIServer), Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			requireFlags(a, Component(o, inv), "", "tls-cert-file", "tls-private-key-file", "client-ca-file")
		}},
		checks.Check{ID: "NS-16", Match: Is(inventory.ComponentAPIServer), Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			c := Component(o, inv)
			requireFlags(a, c, ": the API server does not authenticate itself to kubelets", "kubelet-client-certificate", "kubelet-client-key")
			requireFlags(a, c, ": the API server does not verify the kubelets' serving certificates, so a man in the middle can answer exec, logs and port-forward", "kubelet-certificate-authority")
		}},
		checks.Check{ID: "NS-17", Match: Is(inventory.ComponentAPIServer), Assess: assessInsecurePort},
		checks.Check{ID: "NS-18", Match: Is(inventory.ComponentAPIServer, inventory.ComponentControllerManager, inventory.ComponentScheduler, inventory.ComponentEtcd), Assess: assessTLSSettings},
	)
}

func assessInsecurePort(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	if f, v, set := value(c, "insecure-port"); set {
		if n, err := strconv.Atoi(v); err != nil || n != 0 {
			a.Failf(f.Path, "--insecure-port=%s serves the API without TLS, authentication or authorization", v)
		}
	}
	if f, v, set := value(c, "secure-port"); set && v == "0" {
		a.Fail(f.Path, "--secure-port=0 turns the HTTPS port off")
	}
}

// StrongCipherSuites are the suites that pass NS-18 and NS-30: TLS 1.3's, and ECDHE key
// exchange with an AEAD cipher.
var StrongCipherSuites = map[string]bool{
	"TLS_AES_128_GCM_SHA256": true, "TLS_AES_256_GCM_SHA384": true, "TLS_CHACHA20_POLY1305_SHA256": true,
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": true, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": true,
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": true, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": true,
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": true, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": true,
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": true, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": true,
}

// WeakTLSVersions are minimum versions that fail, in the spellings of Kubernetes and etcd.
var WeakTLSVersions = map[string]bool{"VersionTLS10": true, "VersionTLS11": true, "TLS1.0": true, "TLS1.1": true}

func assessTLSSettings(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	if reason := configUnread(o, c); reason != "" {
		a.NotAssessed(reason)
		return
	}
	suitesFlag := "tls-cipher-suites"
	if c.Name == inventory.ComponentEtcd {
		suitesFlag = "cipher-suites"
	}
	if suites, path, set := list(c, suitesFlag); set {
		for _, s := range suites {
			if !StrongCipherSuites[s] {
				a.Failf(path, "%s includes %s, which lacks forward secrecy or an AEAD cipher", settingName(c, suitesFlag), s)
			}
		}
	}
	if f, v, set := value(c, "tls-min-version"); set && WeakTLSVersions[v] {
		a.Failf(f.Path, "%s allows TLS versions with known weaknesses; use VersionTLS12 or later", f.Arg())
	}
}
