package controlplane

/*
NS-21: etcd serves clients over TLS and requires client certificates.

Read: etcd --cert-file, --key-file, --client-cert-auth (default false), --auto-tls (default
      false), --listen-client-urls; each also from its ETCD_* variable when the flag is absent.
      With --config-file (or ETCD_CONFIG_FILE) etcd ignores its other flags and variables and
      reads the file: its keys (client-transport-security.cert-file, listen-client-urls, ...)
      are read instead, failures point at the --config-file flag and name the key, and when
      the file cannot be read NS-18, NS-21, NS-22, NS-24 and NS-25 are not assessed.
Passes: certificate and key set, client-cert-auth true, auto-tls not true, no http:// client URL.
Fails:  otherwise; auto-tls makes etcd generate self-signed certificates nobody can verify. An
        unset --listen-client-urls fails too: etcd's default, http://localhost:2379, is
        plaintext (and --listen-peer-urls' default http://localhost:2380 for NS-22).

NS-22: the same for peer traffic: --peer-cert-file, --peer-key-file, --peer-client-cert-auth,
--peer-auto-tls, --listen-peer-urls.

NS-23: the API server talks to etcd over mutual TLS.

Read: kube-apiserver --etcd-certfile, --etcd-keyfile, --etcd-cafile, --etcd-servers.
Fails: any file unset, or an http:// server.

NS-24: etcd trusts its own CA, not the cluster's.

Read: etcd --trusted-ca-file and kube-apiserver --client-ca-file on the same node, compared by
      path and by the SHA-256 of the first certificate in each file.
Passes: both are known and differ. Fails: the same file or the same certificate, so that every
        client certificate of the cluster CA (every kubelet, every user) is accepted by etcd; or
        no trusted CA at all. Not assessed without an API server on the node, or in a live
        cluster where the files cannot be read.

NS-25: etcd listens only where it must (informational: a firewall can make up for it).

Read: etcd --listen-client-urls and --listen-peer-urls.
Passes: loopback addresses only. Fails: 0.0.0.0, :: or a routable address. kubeadm binds both
        to the node's address so that API servers and other members can reach etcd; such nodes
        need a firewall that admits only them, and the finding says so.
*/

import (
	"net/url"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-21", Match: Is(inventory.ComponentEtcd), Assess: etcdCheck(func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			assessEtcdTLS(a, Component(o, inv), "", "client")
		})},
		checks.Check{ID: "NS-22", Match: Is(inventory.ComponentEtcd), Assess: etcdCheck(func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			assessEtcdTLS(a, Component(o, inv), "peer-", "peer")
		})},
		checks.Check{ID: "NS-23", Match: Is(inventory.ComponentAPIServer), Assess: assessAPIServerEtcd},
		checks.Check{ID: "NS-24", Match: Is(inventory.ComponentEtcd), Assess: etcdCheck(assessEtcdCA)},
		checks.Check{ID: "NS-25", Match: Is(inventory.ComponentEtcd), Assess: etcdCheck(assessEtcdListen)},
	)
}

// etcdCheck wraps an etcd check: an etcd that reads its settings from a configuration file
// that is not available cannot be judged from its flags, which it ignores.
func etcdCheck(fn func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory)) func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	return func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
		if reason := configUnread(o, Component(o, inv)); reason != "" {
			a.NotAssessed(reason)
			return
		}
		fn(a, o, inv)
	}
}

func assessEtcdTLS(a *checks.Assessment, c *inventory.Component, prefix, kind string) {
	requireFlags(a, c, ": "+kind+" traffic is not encrypted", prefix+"cert-file", prefix+"key-file")
	switch v, f, set, ok := boolFlag(c, prefix+"client-cert-auth", false); {
	case !set:
		a.Failf(MissingPath(c), "%s is not set (default false): etcd accepts %s connections without a certificate", settingName(c, prefix+"client-cert-auth"), kind)
	case !ok || !v:
		a.Failf(f.Path, "%s: etcd accepts %s connections without a certificate", f.Arg(), kind)
	}
	if v, f, set, ok := boolFlag(c, prefix+"auto-tls", false); set && (!ok || v) {
		a.Failf(f.Path, "%s: etcd uses self-signed certificates that no %s can verify", f.Arg(), kind)
	}
	urlsFlag := "listen-client-urls"
	if prefix != "" {
		urlsFlag = "listen-peer-urls"
	}
	f, v, set := value(c, urlsFlag)
	if !set {
		// etcd's default (embed.DefaultListenClientURLs, DefaultListenPeerURLs) is plain http:
		// the certificates above are then never used.
		def := "http://localhost:2379"
		if prefix != "" {
			def = "http://localhost:2380"
		}
		a.Failf(MissingPath(c), "%s is not set: etcd listens on its default %s, in plaintext, and %s traffic is not encrypted", settingName(c, urlsFlag), def, kind)
		return
	}
	for _, e := range endpoints(v) {
		if e.scheme == "http" {
			a.Failf(f.Path, "%s includes %s: %s traffic on it is not encrypted", settingName(c, urlsFlag), redact.URL(e.raw), kind)
		}
	}
}

func assessAPIServerEtcd(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	requireFlags(a, c, ": the API server cannot authenticate to etcd with a client certificate", "etcd-certfile", "etcd-keyfile")
	requireFlags(a, c, ": the API server does not verify etcd's certificate", "etcd-cafile")
	if f, v, set := value(c, "etcd-servers"); set {
		for _, e := range endpoints(v) {
			if e.scheme == "http" {
				a.Failf(f.Path, "--etcd-servers includes %s: the API server talks to etcd without TLS", redact.URL(e.raw))
			}
		}
	}
}

func assessEtcdCA(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	caFlag, caPath, set := value(c, "trusted-ca-file")
	if !set {
		a.Fail(MissingPath(c), settingName(c, "trusted-ca-file")+" is not set: etcd has no CA of its own to check client certificates against")
		return
	}
	api := apiServerOf(o, c, inv)
	if api == nil {
		a.NotAssessed("no kube-apiserver in the input to compare etcd's CA with")
		return
	}
	_, apiCA, set := value(api, "client-ca-file")
	if !set {
		a.NotAssessed("the kube-apiserver has no --client-ca-file to compare etcd's CA with")
		return
	}
	etcdHost, _ := c.HostPath(caPath)
	apiHost, _ := api.HostPath(apiCA)
	if etcdHost != "" && etcdHost == apiHost {
		a.Failf(caFlag.Path, "etcd trusts %s, the API server's client CA: every certificate of the cluster CA is accepted by etcd", caPath)
		return
	}
	ef, af := fileOf(inv, c, caPath), fileOf(inv, api, apiCA)
	if ef == nil || af == nil {
		a.NotAssessed("the CA files of etcd and the API server are on the node; run `kubeharden node` there to compare them")
		return
	}
	e, ap := ef.Typed.(*inventory.NodeFile), af.Typed.(*inventory.NodeFile)
	if e.Digest == "" || ap.Digest == "" {
		a.NotAssessed("the CA certificate " + pick(e.Digest == "", e.Path, ap.Path) + " could not be read")
		return
	}
	if e.Digest == ap.Digest {
		a.Failf(caFlag.Path, "etcd's CA %s holds the same certificate as the API server's client CA %s: every certificate of the cluster CA is accepted by etcd", e.Path, ap.Path)
	}
}

// apiServerOf finds the API server that uses this etcd: one whose --etcd-servers names a port
// etcd listens on or advertises, else the first API server read from the same source.
func apiServerOf(o *inventory.Object, etcd *inventory.Component, inv *inventory.Inventory) *inventory.Component {
	ports := map[string]bool{}
	for _, name := range []string{"listen-client-urls", "advertise-client-urls"} {
		if _, v, set := value(etcd, name); set {
			for _, e := range endpoints(v) {
				if u, err := url.Parse(e.raw); err == nil && u.Port() != "" {
					ports[u.Port()] = true
				}
			}
		}
	}
	var first *inventory.Component
	for _, kind := range []string{"Pod", inventory.KindProcess} {
		for _, other := range inv.OfKind(kind) {
			if other.Origin.Source != o.Origin.Source || inventory.ComponentName(other) != inventory.ComponentAPIServer {
				continue
			}
			api := Component(other, inv)
			if first == nil {
				first = api
			}
			if _, v, set := value(api, "etcd-servers"); set {
				for _, e := range endpoints(v) {
					if u, err := url.Parse(e.raw); err == nil && ports[u.Port()] {
						return api
					}
				}
			}
		}
	}
	return first
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func assessEtcdListen(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	for _, name := range []string{"listen-client-urls", "listen-peer-urls"} {
		f, v, set := value(c, name)
		if !set {
			continue // etcd's defaults are http://localhost:2379 and :2380
		}
		var exposed []string
		for _, e := range endpoints(v) {
			if !isLoopback(e.host) {
				exposed = append(exposed, redact.URL(e.raw))
			}
		}
		if len(exposed) > 0 {
			a.Failf(f.Path, "etcd listens on %s: make sure a firewall admits only the API servers (and, for peer URLs, the other members)", strings.Join(exposed, ", "))
		}
	}
}
