package node

/*
NS-29: the kubelet's unauthenticated read-only port must be off.

Read: readOnlyPort, flag --read-only-port.
Passes: 0. Fails: any other port, including unset without a configuration file (the binary's
        default is 10255; the v1beta1 default is 0).

NS-30: the kubelet serves TLS with a proper certificate and rotates its certificates.

Read: tlsCertFile and tlsPrivateKeyFile (--tls-cert-file, --tls-private-key-file),
      serverTLSBootstrap (--rotate-server-certificates), rotateCertificates
      (--rotate-certificates, default false), featureGates.RotateKubeletServerCertificate
      (default true), tlsCipherSuites (--tls-cipher-suites, whose repeated occurrences add up),
      tlsMinVersion (--tls-min-version).
Passes: a certificate and key, or serverTLSBootstrap: true; rotateCertificates: true; the
        feature gate not turned off; only strong cipher suites (see NS-18); TLS 1.2 or later.
Fails:  neither a certificate nor bootstrapping (the kubelet then serves a self-signed
        certificate that the API server cannot verify, which is why kubeadm leaves
        --kubelet-certificate-authority unset); rotation off; the gate false; weak suites; an
        older minimum version.

NS-32: lesser kubelet and kube-proxy exposure settings.

Read: makeIPTablesUtilChains (--make-iptables-util-chains, default true);
      streamingConnectionIdleTimeout (--streaming-connection-idle-timeout, default 4h; 0s in
      the file is defaulted to 4h, a flag of 0 means no timeout); kube-proxy
      --metrics-bind-address (default 127.0.0.1:10249) when it is on kube-proxy's command line.
Fails: makeIPTablesUtilChains false; an idle timeout of 0; kube-proxy metrics bound to a
       non-loopback address. kube-proxy's configuration file lives in its pod (a ConfigMap),
       so a kube-proxy that only has --config is not assessed here.
*/

import (
	"net"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		KubeletCheck("NS-29", func(j *Judge) {
			s := j.Get("readOnlyPort", "read-only-port")
			def := int64(10255)
			if j.K.HasConfig {
				def = 0
			}
			switch port, ok := s.Int(def); {
			case !ok:
				j.Fail(s, "%s is not a port number", s.Describe())
			case port != 0 && s.Set:
				j.Fail(s, "%s: the kubelet serves pod and node data without authentication on that port", s.Describe())
			case port != 0:
				j.Fail(s, "the read-only port is %s: the kubelet serves pod and node data without authentication on it", j.unsetDefault("10255"))
			}
		}),
		KubeletCheck("NS-30", assessKubeletServing),
		checks.Check{ID: "NS-32", Match: controlplane.Either(IsKubelet, controlplane.Is(inventory.ComponentKubeProxy)), Assess: assessExposure},
	)
}

func assessKubeletServing(j *Judge) {
	cert := j.Get("tlsCertFile", "tls-cert-file")
	key := j.Get("tlsPrivateKeyFile", "tls-private-key-file")
	boot := j.Get("serverTLSBootstrap", "rotate-server-certificates")
	bootOn, ok := boot.Bool(false)
	if !ok {
		j.Fail(boot, "%s is not a boolean", boot.Describe())
	} else if !bootOn && (cert.String("") == "" || key.String("") == "") {
		j.Fail(boot, "the kubelet has no serving certificate (tlsCertFile and tlsPrivateKeyFile) and serverTLSBootstrap is off: it serves a self-signed certificate that clients cannot verify")
	}
	rot := j.Get("rotateCertificates", "rotate-certificates")
	if v, ok := rot.Bool(false); !ok || !v {
		if rot.Set {
			j.Fail(rot, "%s: the kubelet's client certificate is not renewed before it expires", rot.Describe())
		} else {
			j.Fail(rot, "rotateCertificates is not set (default false): the kubelet's client certificate is not renewed before it expires")
		}
	}
	if g := j.Gate("RotateKubeletServerCertificate"); g.Set {
		if v, ok := g.Bool(true); !ok || !v {
			j.Fail(g, "the RotateKubeletServerCertificate feature gate is turned off")
		}
	}
	// Each occurrence of a repeated --tls-cipher-suites adds its suites; each weak one is
	// reported where it was added.
	for _, suites := range j.GetAll("tlsCipherSuites", "tls-cipher-suites") {
		for _, s := range suites.List() {
			if !controlplane.StrongCipherSuites[s] {
				j.Fail(suites, "cipher suite %s lacks forward secrecy or an AEAD cipher", s)
			}
		}
	}
	minV := j.Get("tlsMinVersion", "tls-min-version")
	if v := minV.String(""); controlplane.WeakTLSVersions[v] {
		j.Fail(minV, "%s allows TLS versions with known weaknesses; use VersionTLS12 or later", minV.Describe())
	}
}

func assessExposure(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if inventory.ComponentName(o) == inventory.ComponentKubeProxy {
		c := controlplane.Component(o, inv)
		f, ok := c.Setting("metrics-bind-address")
		if !ok {
			if _, hasConfig := c.Setting("config"); hasConfig {
				a.Skip() // set in kube-proxy's configuration file, which is not on the node
			}
			return
		}
		host := f.Value
		if h, _, err := net.SplitHostPort(f.Value); err == nil {
			host = h
		}
		if ip := net.ParseIP(strings.Trim(host, "[]")); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			a.Failf(f.Path, "%s: kube-proxy's metrics endpoint is reachable from the network", f.Arg())
		}
		return
	}
	KubeletCheck("NS-32", func(j *Judge) {
		ipt := j.Get("makeIPTablesUtilChains", "make-iptables-util-chains")
		if v, ok := ipt.Bool(true); !ok || !v {
			j.Fail(ipt, "%s: the kubelet does not maintain its iptables chains that drop martian and invalid traffic", ipt.Describe())
		}
		idle := j.Get("streamingConnectionIdleTimeout", "streaming-connection-idle-timeout")
		d, ok := idle.Duration(0)
		switch {
		case !ok:
			j.Fail(idle, "%s is not a duration", idle.Describe())
		case idle.Set && idle.Flag != nil && d == 0:
			j.Fail(idle, "%s: exec, attach and port-forward sessions never time out", idle.Describe())
		}
	}).Assess(a, o, inv)
}
