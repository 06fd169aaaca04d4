package network

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
)

// nsFailure is one expected failure; sev 0 means the control's own severity.
type nsFailure struct {
	path, msg string
	sev       catalog.Severity
}

// expectFailures compares an object's failures with want, in order. A want message ending in
// "..." only has to be a prefix of the actual one.
func expectFailures(t *testing.T, outs map[string]checktest.Outcome, name string, want ...nsFailure) {
	t.Helper()
	o, ok := outs[name]
	if !ok {
		t.Errorf("%s: no outcome", name)
		return
	}
	got := o.Failures
	if len(got) != len(want) {
		t.Errorf("%s: got %d failures, want %d:\n%s", name, len(got), len(want), dump(got))
		return
	}
	for i, w := range want {
		msgOK := got[i].Message == w.msg
		if prefix, ok := strings.CutSuffix(w.msg, "..."); ok {
			msgOK = strings.HasPrefix(got[i].Message, prefix)
		}
		if got[i].Path != w.path || !msgOK || got[i].Severity != w.sev {
			t.Errorf("%s failure %d:\n got  %q (%v): %q\n want %q (%v): %q", name, i, got[i].Path, got[i].Severity, got[i].Message, w.path, w.sev, w.msg)
		}
	}
}

func dump(fs []checks.Failure) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Path + ": " + f.Message + "\n")
	}
	return b.String()
}

// expectComplete runs a fixture as a complete scan (a live cluster, or scan --complete): what a
// partial scan could not assess ("na-*") must now fail, and the other verdicts must not change.
func expectComplete(t *testing.T, id, path string) map[string]checktest.Outcome {
	t.Helper()
	inv := checktest.Load(t, path)
	inv.Complete = true
	outs := checktest.ByName(checktest.Run(t, id, inv))
	seen := 0
	for name, o := range outs {
		switch {
		case strings.HasPrefix(name, "na-"):
			seen++
			if o.NotAssessed != "" || len(o.Failures) == 0 {
				t.Errorf("%s with Complete: %s should fail; got notAssessed=%q failures=%v", id, name, o.NotAssessed, o.Failures)
			}
		case strings.HasPrefix(name, "pass-"):
			if o.NotAssessed != "" || len(o.Failures) > 0 {
				t.Errorf("%s with Complete: %s should still pass; got notAssessed=%q failures=%v", id, name, o.NotAssessed, o.Failures)
			}
		case strings.HasPrefix(name, "fail-"):
			if len(o.Failures) == 0 {
				t.Errorf("%s with Complete: %s should still fail", id, name)
			}
		}
	}
	if seen == 0 {
		t.Fatalf("%s: no na-* object to turn into a failure", path)
	}
	return outs
}

func TestNS01SystemNamespaces(t *testing.T) {
	outs := checktest.Expect(t, "NS-01", "testdata/NS-01.yaml")
	expectFailures(t, outs, "fail-user-app", nsFailure{"metadata.namespace", notControlPlane, 0})
	for _, name := range []string{"kube-apiserver", "etcd-node-1"} {
		if o, ok := outs[name]; !ok || len(o.Failures) > 0 || o.NotAssessed != "" {
			t.Errorf("%s: matched=%v failures=%v, want a pass", name, ok, o.Failures)
		}
	}
	for _, name := range []string{"fail-kube-proxy", "fail-cluster-critical-only", "fail-miner", "fail-labels-without-priority", "fail-other-component", "fail-misnamed"} {
		expectFailures(t, outs, name, nsFailure{"metadata.namespace", notControlPlane, 0})
	}
	expectFailures(t, outs, "fail-in-kube-public", nsFailure{"metadata.namespace", `runs in "kube-public", which holds cluster-wide readable data, not workloads; move it to a namespace of its own`, 0})
	expectFailures(t, outs, "fail-in-kube-node-lease", nsFailure{"metadata.namespace", `runs in "kube-node-lease", which holds node heartbeat Leases, not workloads; move it to a namespace of its own`, 0})
}

const notControlPlane = `runs in "kube-system", the namespace of the cluster's own components, but is not a control-plane component (a static or mirror pod of kube-apiserver, kube-controller-manager, kube-scheduler or etcd, named after it, labelled tier: control-plane and component, with priorityClassName system-node-critical); move it to a namespace of its own, or record an exception for an add-on that must run there`

// kubeadm's static pod manifests, as a node keeps them, are the control plane NS-01 must let
// through.
func TestNS01KubeadmStaticPods(t *testing.T) {
	files, err := filepath.Glob("../../source/node/testdata/kubeadm-*/etc/kubernetes/manifests/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("kubeadm manifests: %v %v", files, err)
	}
	for _, f := range files {
		outs := checktest.Run(t, "NS-01", checktest.Load(t, f))
		if len(outs) != 1 || len(outs[0].Failures) > 0 || outs[0].NotAssessed != "" {
			t.Errorf("%s: %+v, want one pass", f, outs)
		}
	}
}

func TestNS02DefaultNamespace(t *testing.T) {
	outs := checktest.Expect(t, "NS-02", "testdata/NS-02.yaml")
	expectFailures(t, outs, "fail-no-namespace", nsFailure{"metadata.namespace", `names no namespace, so it is created in "default"; give it a namespace of its own`, 0})
	expectFailures(t, outs, "fail-explicit-default", nsFailure{"metadata.namespace", `runs in the "default" namespace, where it shares policies, quotas and access rules with anything else created there; give it a namespace of its own`, 0})

	// With scan --namespace shop (or a Helm release namespace) the same object lands in shop.
	inv := checktest.Load(t, "testdata/NS-02.yaml")
	for _, o := range inv.Objects {
		o.DefaultNamespace = "shop"
	}
	if got := checktest.ByName(checktest.Run(t, "NS-02", inv)); len(got) != 1 || got["fail-explicit-default"].Object == nil {
		t.Errorf("with a default namespace, NS-02 matched %v; want only the explicit one", got)
	}
}

func TestNS03KubePrefix(t *testing.T) {
	outs := checktest.ByName(checktest.Run(t, "NS-03", checktest.Load(t, "testdata/NS-03.yaml")))
	for name, fails := range map[string]bool{
		"kube-monitoring": true, "kube-tools": true,
		"kube-system": false, "kube-public": false, "monitoring": false, "kubeflow": false,
	} {
		o, ok := outs[name]
		if !ok || (len(o.Failures) > 0) != fails || o.NotAssessed != "" {
			t.Errorf("NS-03 %s: matched=%v failures=%v, want fail=%v", name, ok, o.Failures, fails)
		}
	}
	expectFailures(t, outs, "kube-tools", nsFailure{"metadata.name", `namespace "kube-tools" uses the "kube-" prefix, which Kubernetes reserves for its own namespaces`, 0})
}

func TestNS05NetworkPolicyPresence(t *testing.T) {
	outs := checktest.Expect(t, "NS-05", "testdata/NS-05.yaml")
	expectFailures(t, outs, "fail-no-policy", nsFailure{"", `namespace "fail-no-policy" has 2 workloads and no NetworkPolicy: its pods accept connections from every pod in the cluster and may connect anywhere`, 0})
	expectFailures(t, outs, "fail-policy-in-other-namespace", nsFailure{"", `namespace "fail-policy-in-other-namespace" has 1 workload and no NetworkPolicy...`, 0})
	if got, want := outs["na-implied"].NotAssessed, `namespace "na-implied" is not declared in the scanned input, so its NetworkPolicies may live elsewhere; scan it with its Namespace object or pass --complete`; got != want {
		t.Errorf("not-assessed reason:\n got  %q\n want %q", got, want)
	}
	if !outs["kube-system"].Skipped {
		t.Errorf("kube-system: %+v, want skipped", outs["kube-system"])
	}
	complete := expectComplete(t, "NS-05", "testdata/NS-05.yaml")
	expectFailures(t, complete, "na-implied", nsFailure{"", `namespace "na-implied" has 1 workload and no NetworkPolicy...`, 0})
}

const (
	noDenyIngress = "no default-deny ingress policy (podSelector: {}, policyTypes: [Ingress], no ingress rules): pods that no other policy selects for Ingress accept connections from anywhere"
	noDenyEgress  = "no default-deny egress policy (podSelector: {}, policyTypes: [Egress], no egress rules): pods that no other policy selects for Egress may connect anywhere, the cloud metadata service included"
)

func TestNS06DefaultDeny(t *testing.T) {
	outs := checktest.Expect(t, "NS-06", "testdata/NS-06.yaml")
	expectFailures(t, outs, "fail-none", nsFailure{"", noDenyIngress, 0}, nsFailure{"", noDenyEgress, 0})
	expectFailures(t, outs, "fail-ingress-only", nsFailure{"", noDenyEgress, 0})
	expectFailures(t, outs, "fail-labelled-selector", nsFailure{"", noDenyIngress, 0}, nsFailure{"", noDenyEgress, 0})
	expectFailures(t, outs, "fail-egress-with-dns", nsFailure{"", noDenyEgress + `; policy "egress-dns-only" selects every pod for egress but also allows traffic, so it is not a default deny: keep it and add a policy without egress rules`, 0})
	expectFailures(t, outs, "fail-defaulted-egress-rules", nsFailure{"", noDenyEgress + `; policy "deny-in-allow-web-out" selects every pod for egress...`, 0})
	if !strings.HasPrefix(outs["na-implied"].NotAssessed, `namespace "na-implied" is not declared in the scanned input`) {
		t.Errorf("na-implied: %q", outs["na-implied"].NotAssessed)
	}
	for _, name := range []string{"kube-system", "skip-no-objects", "skip-services-only", "skip-implied-service"} {
		if !outs[name].Skipped {
			t.Errorf("%s: %+v, want skipped", name, outs[name])
		}
	}
	complete := expectComplete(t, "NS-06", "testdata/NS-06.yaml")
	if !complete["skip-implied-service"].Skipped {
		t.Errorf("skip-implied-service with Complete: %+v, want skipped", complete["skip-implied-service"])
	}
	expectFailures(t, complete, "na-implied", nsFailure{"", noDenyEgress, 0})
}

func TestNS07WorkloadIsolation(t *testing.T) {
	outs := checktest.Expect(t, "NS-07", "testdata/NS-07.yaml")
	expectFailures(t, outs, "fail-web-legacy", nsFailure{"spec.template.metadata.labels",
		`egress is open: no NetworkPolicy in namespace "app" selects these pods (app=web,legacy=true) for Egress, so they may connect to any pod, the internet and the cloud metadata service (selected by "web-ingress" for ingress only)`, 0})
	expectFailures(t, outs, "fail-api", nsFailure{"spec.template.metadata.labels",
		`ingress is open: no NetworkPolicy in namespace "app" selects these pods (app=api) for Ingress, so any pod in the cluster, and any address that can route to them, may connect (selected by "not-legacy-egress" for egress only)`, 0})
	expectFailures(t, outs, "fail-batch-prod", nsFailure{"spec.template.metadata.labels", `ingress is open: no NetworkPolicy in namespace "app" selects these pods (env=prod,tier=batch) for Ingress...`, 0})
	expectFailures(t, outs, "fail-unlabelled-pod", nsFailure{"metadata.labels", `ingress is open: no NetworkPolicy in namespace "app" selects these pods (no labels) for Ingress...`, 0})
	expectFailures(t, outs, "fail-only-broken-selects", nsFailure{"spec.template.metadata.labels", `ingress is open...`, 0})
	if got := outs["na-implied-web"].NotAssessed; got != `namespace "implied" is not declared in the scanned input, so its NetworkPolicies may live elsewhere; scan it with its Namespace object or pass --complete` {
		t.Errorf("na-implied-web: %q", got)
	}
	complete := expectComplete(t, "NS-07", "testdata/NS-07.yaml")
	expectFailures(t, complete, "na-implied-web",
		nsFailure{"spec.template.metadata.labels", `ingress is open: no NetworkPolicy in namespace "implied" selects these pods (app=web) for Ingress, so any pod in the cluster, and any address that can route to them, may connect`, 0},
		nsFailure{"spec.template.metadata.labels", `egress is open: no NetworkPolicy in namespace "implied" selects these pods (app=web) for Egress, so they may connect to any pod, the internet and the cloud metadata service`, 0})
}

func TestNS08OpenRules(t *testing.T) {
	outs := checktest.Expect(t, "NS-08", "testdata/NS-08.yaml")
	low := catalog.SeverityLow
	med := catalog.SeverityMedium
	expectFailures(t, outs, "fail-allow-all-ingress", nsFailure{"spec.ingress[0]", `ingress rule 0 has no "from": it admits every pod and every address, on every port`, med})
	expectFailures(t, outs, "fail-empty-peer", nsFailure{"spec.ingress[0].from[1]", `ingress rule 0 peer 1 is empty (no podSelector, namespaceSelector or ipBlock): it names no restriction, and the API server rejects it`, med})
	expectFailures(t, outs, "fail-internet-ingress-https", nsFailure{"spec.ingress[0].from[1].ipBlock.cidr", `ipBlock 0.0.0.0/0 admits every address on the internet, on 443/TCP`, low})
	expectFailures(t, outs, "fail-internet-egress-private-excepted", nsFailure{"spec.egress[0].to[0].ipBlock.cidr", `ipBlock 0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 lets the pods connect to every address on the internet, on every port`, med})
	expectFailures(t, outs, "fail-ipv6-everything", nsFailure{"spec.egress[0].to[0].ipBlock.cidr", `ipBlock ::/0 lets the pods connect to every address on the internet, on all UDP ports`, med})
	expectFailures(t, outs, "fail-all-namespaces", nsFailure{"spec.ingress[0].from[0].namespaceSelector", `namespaceSelector {} without a podSelector admits every pod of every namespace, on 9090/TCP`, low})
	expectFailures(t, outs, "fail-internet-split-egress", nsFailure{"spec.egress[0].to", `ipBlocks 0.0.0.0/1, 128.0.0.0/1 together let the pods connect to every address on the internet, on every port`, med})
	expectFailures(t, outs, "fail-internet-split-ingress", nsFailure{"spec.ingress[0].from", `ipBlocks 0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/1 except 192.168.0.0/16 together admit every address on the internet, on 443/TCP`, low})
	expectFailures(t, outs, "fail-ipv6-global-unicast", nsFailure{"spec.egress[0].to[0].ipBlock.cidr", `ipBlock 2000::/3 lets the pods connect to every address on the internet, on every port`, med})
	expectFailures(t, outs, "fail-egress-everything-defaulted-types", nsFailure{"spec.egress[0]", `egress rule 0 has no "to": it lets the pods connect to every pod and every address, on every port`, med})
}

const imdsExcept = "169.254.169.254/32 (or the whole link-local range 169.254.0.0/16)"

func TestNS41MetadataEgress(t *testing.T) {
	outs := checktest.Expect(t, "NS-41", "testdata/NS-41.yaml")
	expectFailures(t, outs, "fail-internet-no-except", nsFailure{"spec.egress[0].to[0].ipBlock.except", "ipBlock 0.0.0.0/0 lets the pods reach the cloud metadata service at 169.254.169.254, which hands out the node's cloud credentials; add " + imdsExcept + " to except", 0})
	expectFailures(t, outs, "fail-only-private-excepted", nsFailure{"spec.egress[0].to[0].ipBlock.except", "ipBlock 0.0.0.0/0 lets the pods reach the cloud metadata service at 169.254.169.254...", 0})
	expectFailures(t, outs, "fail-no-to", nsFailure{"spec.egress[0]", `egress rule 0 has no "to", so the pods may reach the cloud metadata service at 169.254.169.254 (and fd00:ec2::254) and read the node's cloud credentials; list the destinations, or use an ipBlock that excepts the metadata address`, 0})
	expectFailures(t, outs, "fail-explicit", nsFailure{"spec.egress[0].to[0].ipBlock.cidr", "ipBlock 169.254.169.254/32 explicitly allows egress to the cloud metadata service at 169.254.169.254, which hands out the node's cloud credentials", 0})
	expectFailures(t, outs, "fail-ipv6", nsFailure{"spec.egress[0].to[1].ipBlock.except", "ipBlock ::/0 lets the pods reach the cloud metadata service at fd00:ec2::254, which hands out the node's cloud credentials; add fd00:ec2::254/128 to except", 0})
	expectFailures(t, outs, "fail-all-tcp-ports", nsFailure{"spec.egress[0].to[0].ipBlock.except", "ipBlock 0.0.0.0/0 lets the pods reach the cloud metadata service at 169.254.169.254...", 0})
	expectFailures(t, outs, "fail-port-range", nsFailure{"spec.egress[0]", `egress rule 0 has no "to", so the pods may reach the cloud metadata service...`, 0})
	expectFailures(t, outs, "fail-named-port", nsFailure{"spec.egress[0].to[0].ipBlock.except", "ipBlock 0.0.0.0/0 lets the pods reach the cloud metadata service at 169.254.169.254...", 0})
	expectFailures(t, outs, "fail-openstack-port", nsFailure{"spec.egress[0].to[0].ipBlock.cidr", "ipBlock 169.254.169.254/32 explicitly allows egress to the cloud metadata service at 169.254.169.254...", 0})
	expectFailures(t, outs, "fail-second-rule", nsFailure{"spec.egress[1].to[0].ipBlock.except", "ipBlock 0.0.0.0/0 lets the pods reach the cloud metadata service at 169.254.169.254...", 0})
}

func TestNS09ServiceExposure(t *testing.T) {
	outs := checktest.Expect(t, "NS-09", "testdata/NS-09.yaml")
	expectFailures(t, outs, "fail-node-port", nsFailure{"spec.type", "type NodePort opens port 80/TCP (node port 30080) on every node's addresses, bypassing any load balancer or Ingress in front of the cluster", 0})
	expectFailures(t, outs, "fail-load-balancer", nsFailure{"spec.type", "type LoadBalancer exposes ports 80/TCP, 53/UDP to every address that can reach the load balancer, and on every node's addresses; put it behind an Ingress with TLS or limit loadBalancerSourceRanges", 0})
	expectFailures(t, outs, "fail-internal-load-balancer", nsFailure{"spec.type", "type LoadBalancer exposes port 443/TCP through an internal load balancer (service.beta.kubernetes.io/aws-load-balancer-scheme: internal) and on every node's addresses", catalog.SeverityLow})
	expectFailures(t, outs, "fail-source-ranges", nsFailure{"spec.type", "type LoadBalancer exposes port 443/TCP outside the cluster, to 203.0.113.0/24 only, and on every node's addresses", catalog.SeverityLow})
	expectFailures(t, outs, "fail-source-ranges-open", nsFailure{"spec.type", "type LoadBalancer exposes port 443/TCP to every address...", 0})
	expectFailures(t, outs, "fail-external-ips", nsFailure{"spec.externalIPs", "externalIPs 198.51.100.7: every node forwards traffic for these addresses to this Service; unless the API server runs the DenyServiceExternalIPs admission plugin, anyone who may create Services can intercept any address this way (CVE-2020-8554)", catalog.SeverityHigh})
}

func TestNS33IngressTLS(t *testing.T) {
	outs := checktest.Expect(t, "NS-33", "testdata/NS-33.yaml")
	expectFailures(t, outs, "fail-no-tls", nsFailure{"spec.tls", "no spec.tls: shop.example.com, api.example.com is served over plain HTTP, so credentials and session cookies cross the network unencrypted", 0})
	expectFailures(t, outs, "fail-no-tls-default-backend", nsFailure{"spec.tls", "no spec.tls: every host is served over plain HTTP...", 0})
	expectFailures(t, outs, "fail-host-not-covered", nsFailure{"spec.rules[1].host", `host "admin.example.com" is in no spec.tls[].hosts, so it is served without TLS`, 0})
	expectFailures(t, outs, "fail-wildcard-one-label-only", nsFailure{"spec.rules[0].host", `host "eu.shop.example.com" is in no spec.tls[].hosts, so it is served without TLS`, 0})
}

func TestNS10LimitRange(t *testing.T) {
	outs := checktest.Expect(t, "NS-10", "testdata/NS-10.yaml")
	expectFailures(t, outs, "fail-none", nsFailure{"", `namespace "fail-none" has no LimitRange: a container that sets no CPU or memory limit runs unbounded, and one that sets no request is scheduled as if it needed nothing`, 0})
	expectFailures(t, outs, "fail-pod-type-only", nsFailure{"", `LimitRange "pod-max" sets no default CPU limit, CPU request, memory limit or memory request for containers; add default and defaultRequest to an item of type Container`, 0})
	expectFailures(t, outs, "fail-memory-limit-missing", nsFailure{"", `LimitRange "partial" sets no default memory limit for containers; add default and defaultRequest to an item of type Container`, 0})
	if got := outs["na-implied"].NotAssessed; got != `namespace "na-implied" is not declared in the scanned input, so its LimitRanges may live elsewhere; scan it with its Namespace object or pass --complete` {
		t.Errorf("na-implied: %q", got)
	}
	complete := expectComplete(t, "NS-10", "testdata/NS-10.yaml")
	expectFailures(t, complete, "na-implied", nsFailure{"", `namespace "na-implied" has no LimitRange...`, 0})
}

func TestNS11ResourceQuota(t *testing.T) {
	outs := checktest.Expect(t, "NS-11", "testdata/NS-11.yaml")
	expectFailures(t, outs, "fail-none", nsFailure{"", `namespace "fail-none" has no ResourceQuota: nothing caps the CPU and memory its pods request and use together, so one namespace can exhaust the cluster`, 0})
	expectFailures(t, outs, "fail-requests-only", nsFailure{"", `no unscoped ResourceQuota of namespace "fail-requests-only" sets limits.cpu or limits.memory in spec.hard`, 0})
	expectFailures(t, outs, "fail-scoped-only", nsFailure{"", `no unscoped ResourceQuota of namespace "fail-scoped-only" sets requests.cpu, requests.memory, limits.cpu or limits.memory in spec.hard; ResourceQuota "not-best-effort" is scoped and caps only the pods its scopes select`, 0})
	if got := outs["na-implied"].NotAssessed; got != `namespace "na-implied" is not declared in the scanned input, so its ResourceQuotas may live elsewhere; scan it with its Namespace object or pass --complete` {
		t.Errorf("na-implied: %q", got)
	}
	expectComplete(t, "NS-11", "testdata/NS-11.yaml")
}

func TestPS12PodSecurityLabel(t *testing.T) {
	outs := checktest.Expect(t, "PS-12", "testdata/PS-12.yaml")
	path := `metadata.labels["pod-security.kubernetes.io/enforce"]`
	expectFailures(t, outs, "fail-missing", nsFailure{path, "no pod-security.kubernetes.io/enforce label: pods are admitted under the cluster's default level, which is privileged unless the API server's admission configuration says otherwise; set it to restricted, or baseline", 0})
	expectFailures(t, outs, "fail-privileged", nsFailure{path, "pod-security.kubernetes.io/enforce: privileged admits privileged containers, host namespaces and hostPath volumes; set it to restricted, or baseline", 0})
	expectFailures(t, outs, "fail-not-a-level", nsFailure{path, `pod-security.kubernetes.io/enforce: "strict" is not a Pod Security level (privileged, baseline or restricted); set it to restricted, or baseline`, 0})
	if got := outs["na-implied"].NotAssessed; got != `namespace "na-implied" is not declared in the scanned input, so its Pod Security labels are unknown; scan it with its Namespace object or pass --complete` {
		t.Errorf("na-implied: %q", got)
	}
	if !outs["kube-system"].Skipped {
		t.Errorf("kube-system: %+v, want skipped", outs["kube-system"])
	}
	complete := expectComplete(t, "PS-12", "testdata/PS-12.yaml")
	expectFailures(t, complete, "na-implied", nsFailure{path, "no pod-security.kubernetes.io/enforce label...", 0})
}

// Every control this package registers for section 2 (and PS-12) is in the catalog with the
// section its check reports under.
func TestControlsAreCatalogued(t *testing.T) {
	cat := catalog.Default()
	for id, sec := range map[string]catalog.Section{
		"NS-01": catalog.SectionNetwork, "NS-02": catalog.SectionNetwork, "NS-03": catalog.SectionNetwork,
		"NS-05": catalog.SectionNetwork, "NS-06": catalog.SectionNetwork, "NS-07": catalog.SectionNetwork,
		"NS-08": catalog.SectionNetwork, "NS-09": catalog.SectionNetwork, "NS-10": catalog.SectionNetwork,
		"NS-11": catalog.SectionNetwork, "NS-33": catalog.SectionNetwork, "NS-41": catalog.SectionNetwork,
		"PS-12": catalog.SectionPodSecurity,
	} {
		ctl := cat.Get(id)
		if ctl == nil {
			t.Errorf("%s is not in the catalog", id)
			continue
		}
		if ctl.Section != sec {
			t.Errorf("%s is in section %v, want %v", id, ctl.Section, sec)
		}
		if _, ok := checks.Lookup(id); !ok {
			t.Errorf("%s has no check", id)
		}
	}
	// The controls that follow the completeness rule say so in their catalog text.
	for _, id := range []string{"NS-05", "NS-06", "NS-07", "NS-10", "NS-11", "PS-12"} {
		if c := cat.Get(id); c != nil && !strings.Contains(c.Checked, "--complete") {
			t.Errorf("%s: catalog text does not explain the completeness rule", id)
		}
	}
}

// The namespace index is built once per inventory however many objects ask for it, and checks
// that read it agree when run concurrently (go test -race).
func TestIndexIsSharedAndConcurrent(t *testing.T) {
	inv := checktest.Load(t, "testdata/NS-07.yaml")
	inv.ImplyNamespaces()
	first := indexOf(inv)
	c, _ := checks.Lookup("NS-07")
	done := make(chan int)
	for range 8 {
		go func() {
			fails := 0
			for _, o := range inv.Objects {
				if c.Match(o) {
					var a checks.Assessment
					c.Assess(&a, o, inv)
					fails += len(a.Failures)
				}
			}
			done <- fails
		}()
	}
	want := -1
	for range 8 {
		got := <-done
		if want >= 0 && got != want {
			t.Errorf("concurrent runs disagree: %d vs %d failures", got, want)
		}
		want = got
	}
	if indexOf(inv) != first {
		t.Error("the index was rebuilt")
	}
	if indexOf(nil) == nil {
		t.Error("indexOf(nil) must give an empty index")
	}
}
