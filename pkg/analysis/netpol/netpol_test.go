package netpol

import (
	"net/netip"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

func policy(t *testing.T, doc string) *Policy {
	t.Helper()
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict([]byte(doc), &np); err != nil {
		t.Fatal(err)
	}
	return Compile(&np, "shop")
}

func TestSelectorEdgeCases(t *testing.T) {
	cases := []struct {
		name     string
		selector string
		labels   map[string]string
		want     bool
	}{
		{"empty selects everything", "{}", map[string]string{"app": "web"}, true},
		{"empty selects unlabelled pods", "{}", nil, true},
		{"matchLabels", "{matchLabels: {app: web}}", map[string]string{"app": "web", "tier": "fe"}, true},
		{"matchLabels other value", "{matchLabels: {app: web}}", map[string]string{"app": "api"}, false},
		{"NotIn matches a pod without the key", "{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", map[string]string{"app": "web"}, true},
		{"NotIn excludes the listed value", "{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", map[string]string{"env": "prod"}, false},
		{"DoesNotExist", "{matchExpressions: [{key: legacy, operator: DoesNotExist}]}", map[string]string{"app": "web"}, true},
		{"DoesNotExist excludes", "{matchExpressions: [{key: legacy, operator: DoesNotExist}]}", map[string]string{"legacy": ""}, false},
		{"Exists", "{matchExpressions: [{key: app, operator: Exists}]}", nil, false},
		{"labels and expressions are ANDed", "{matchLabels: {app: web}, matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}", map[string]string{"app": "web", "env": "dev"}, false},
		{"invalid operator selects nothing", "{matchExpressions: [{key: app, operator: Like, values: [web]}]}", map[string]string{"app": "web"}, false},
		{"In without values selects nothing", "{matchExpressions: [{key: app, operator: In}]}", map[string]string{"app": "web"}, false},
	}
	for _, c := range cases {
		p := policy(t, "metadata: {name: p}\nspec:\n  podSelector: "+c.selector)
		if got := p.Selects(labels.Set(c.labels)); got != c.want {
			t.Errorf("%s: Selects(%v) = %v, want %v (err %v)", c.name, c.labels, got, c.want, p.SelectorErr)
		}
	}
}

func TestEffectiveTypes(t *testing.T) {
	cases := map[string]Direction{
		"podSelector: {}":                                           Ingress,
		"podSelector: {}\n  egress: [{}]":                           Both,
		"podSelector: {}\n  policyTypes: [Egress]":                  Egress,
		"podSelector: {}\n  policyTypes: [Ingress, Egress]":         Both,
		"podSelector: {}\n  policyTypes: [Ingress]\n  egress: [{}]": Ingress,
	}
	for spec, want := range cases {
		if got := policy(t, "spec:\n  "+spec).Types; got != want {
			t.Errorf("%q: types %v, want %v", spec, got, want)
		}
	}
}

func TestDefaultDenyLayouts(t *testing.T) {
	both := policy(t, "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}")
	ingress := policy(t, "spec: {podSelector: {}, policyTypes: [Ingress]}")
	implicitIngress := policy(t, "spec: {podSelector: {}}")
	egress := policy(t, "spec: {podSelector: {}, policyTypes: [Egress]}")
	dnsOnly := policy(t, "spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}")
	someLabels := policy(t, "spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress, Egress]}")
	for name, c := range map[string]struct {
		set  Set
		want Direction
	}{
		"one policy for both":          {Set{both}, Both},
		"two policies":                 {Set{ingress, egress}, Both},
		"ingress by default types":     {Set{implicitIngress}, Ingress},
		"egress only":                  {Set{egress}, Egress},
		"egress with rules is no deny": {Set{ingress, dnsOnly}, Ingress},
		"selector is no deny":          {Set{someLabels}, None},
		"nothing":                      {nil, None},
	} {
		if got := c.set.DefaultDeny(); got != c.want {
			t.Errorf("%s: DefaultDeny = %v, want %v", name, got, c.want)
		}
	}
	if !dnsOnly.IsolatesAllWithRules(Egress) || both.IsolatesAllWithRules(Egress) {
		t.Error("IsolatesAllWithRules")
	}
}

func TestIsolation(t *testing.T) {
	set := Set{
		policy(t, "metadata: {name: web-in}\nspec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {}}]}]}"),
		policy(t, "metadata: {name: not-legacy-out}\nspec: {podSelector: {matchExpressions: [{key: legacy, operator: DoesNotExist}]}, policyTypes: [Egress]}"),
	}
	web := labels.Set{"app": "web"}
	d, by := set.Isolation(web), set.Selecting(web)
	if d != Both || len(by) != 2 {
		t.Errorf("web: %v by %d", d, len(by))
	}
	legacy := labels.Set{"app": "web", "legacy": "yes"}
	d, by = set.Isolation(legacy), set.Selecting(legacy)
	if d != Ingress || len(by) != 1 || by[0].Name != "web-in" {
		t.Errorf("legacy web: %v by %v", d, by)
	}
	if d := set.Isolation(labels.Set{"legacy": "1"}); d != None {
		t.Errorf("legacy api: %v", d)
	}
}

func TestWholeFamilyOpen(t *testing.T) {
	cases := []struct {
		cidr   string
		except []string
		want   bool
	}{
		{"0.0.0.0/0", nil, true},
		{"::/0", nil, true},
		{"10.0.0.0/8", nil, false},
		{"0.0.0.0/1", nil, false},
		{"0.0.0.0/0", []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, true},
		{"0.0.0.0/0", []string{"169.254.169.254/32"}, true},
		{"0.0.0.0/0", []string{"0.0.0.0/1"}, true},
		{"0.0.0.0/0", []string{"0.0.0.0/1", "128.0.0.0/1"}, false},
		{"0.0.0.0/0", []string{"0.0.0.0/0"}, false},
		{"::/0", []string{"2000::/3"}, false},
		{"::/0", []string{"0.0.0.0/0"}, true}, // an IPv4 exception removes nothing from IPv6
	}
	for _, c := range cases {
		got, err := WholeFamilyOpen(&networkingv1.IPBlock{CIDR: c.cidr, Except: c.except})
		if err != nil || got != c.want {
			t.Errorf("%s except %v: %v (%v), want %v", c.cidr, c.except, got, err, c.want)
		}
	}
	if _, err := WholeFamilyOpen(&networkingv1.IPBlock{CIDR: "everything"}); err == nil {
		t.Error("a malformed CIDR was accepted")
	}
}

// A rule's ipBlocks are judged together: the internet split into several CIDRs is still the
// whole internet, whichever peers carry the pieces.
func TestInternetSpans(t *testing.T) {
	block := func(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
		return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
	}
	pods := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}
	cases := []struct {
		name  string
		peers []networkingv1.NetworkPolicyPeer
		want  [][]int
	}{
		{"no peers", nil, nil},
		{"one whole family", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/0")}, [][]int{{0}}},
		{"two halves", []networkingv1.NetworkPolicyPeer{pods, block("0.0.0.0/1"), block("128.0.0.0/1")}, [][]int{{1, 2}}},
		{"halves with private excepts", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/1", "10.0.0.0/8"), block("128.0.0.0/1", "169.254.169.254/32")}, [][]int{{0, 1}}},
		{"three quarters", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/1"), block("128.0.0.0/2")}, nil},
		{"public space piece by piece", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/2"), block("64.0.0.0/2"), block("128.0.0.0/2"), block("192.0.0.0/3")}, [][]int{{0, 1, 2, 3}}},
		{"private ranges only", []networkingv1.NetworkPolicyPeer{block("10.0.0.0/8"), block("172.16.0.0/12"), block("192.168.0.0/16")}, nil},
		{"private range beside the halves is left out", []networkingv1.NetworkPolicyPeer{block("10.0.0.0/8"), block("0.0.0.0/1"), block("128.0.0.0/1")}, [][]int{{1, 2}}},
		// A block whose excepts remove every public address reaches no internet address, so its
		// CIDR does not count towards covering the internet.
		{"excepted whole family beside one range", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"), block("8.0.0.0/8")}, nil},
		// ::/1 alone holds the whole global unicast block; the other half adds no public address.
		{"ipv6 halves", []networkingv1.NetworkPolicyPeer{block("::/1"), block("8000::/1")}, [][]int{{0}}},
		{"ipv6 global unicast", []networkingv1.NetworkPolicyPeer{block("2000::/3")}, [][]int{{0}}},
		{"ipv6 global unicast in two", []networkingv1.NetworkPolicyPeer{block("2000::/4"), block("3000::/4")}, [][]int{{0, 1}}},
		{"both families", []networkingv1.NetworkPolicyPeer{block("::/0"), block("0.0.0.0/1"), block("128.0.0.0/1")}, [][]int{{1, 2}, {0}}},
		{"families do not mix", []networkingv1.NetworkPolicyPeer{block("0.0.0.0/1"), block("8000::/1")}, nil},
		{"malformed block skipped", []networkingv1.NetworkPolicyPeer{block("bad"), block("0.0.0.0/1"), block("128.0.0.0/1")}, [][]int{{1, 2}}},
	}
	for _, c := range cases {
		r := Rule{Direction: Egress, Peers: c.peers}
		if got := r.InternetSpans(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: InternetSpans = %v, want %v", c.name, got, c.want)
		}
	}
}

// The public IPv4 space must exclude exactly the special ranges: spot-check both sides of
// their edges.
func TestPublicV4Edges(t *testing.T) {
	in := func(s string) bool {
		a := netip.MustParseAddr(s)
		return overlaps([]addrRange{{a, a}}, publicV4)
	}
	for s, want := range map[string]bool{
		"8.8.8.8": true, "9.255.255.255": true, "10.0.0.0": false, "10.255.255.255": false,
		"11.0.0.0": true, "169.254.169.254": false, "172.15.255.255": true, "172.16.0.0": false,
		"172.31.255.255": false, "172.32.0.0": true, "223.255.255.255": true, "224.0.0.1": false,
		"255.255.255.255": false, "0.0.0.1": false, "1.0.0.0": true,
	} {
		if got := in(s); got != want {
			t.Errorf("public(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestBlockAllowsAndRuleAddress(t *testing.T) {
	imds := netip.MustParseAddr("169.254.169.254")
	imds6 := netip.MustParseAddr("fd00:ec2::254")
	cases := []struct {
		block      networkingv1.IPBlock
		addr       netip.Addr
		want       bool
		wantErrNil bool
	}{
		{networkingv1.IPBlock{CIDR: "0.0.0.0/0"}, imds, true, true},
		{networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"169.254.169.254/32"}}, imds, false, true},
		{networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"169.254.0.0/16"}}, imds, false, true},
		{networkingv1.IPBlock{CIDR: "169.254.169.254/32"}, imds, true, true},
		{networkingv1.IPBlock{CIDR: "10.0.0.0/8"}, imds, false, true},
		{networkingv1.IPBlock{CIDR: "::/0"}, imds, false, true},
		{networkingv1.IPBlock{CIDR: "::/0"}, imds6, true, true},
		{networkingv1.IPBlock{CIDR: "::/0", Except: []string{"fd00:ec2::254/128"}}, imds6, false, true},
		{networkingv1.IPBlock{CIDR: "169.254.1.1/16"}, imds, true, true}, // host bits are cleared
		{networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"bad"}}, imds, false, false},
	}
	for _, c := range cases {
		got, err := BlockAllows(&c.block, c.addr)
		if got != c.want || (err == nil) != c.wantErrNil {
			t.Errorf("%v allows %v = %v (%v), want %v", c.block, c.addr, got, err, c.want)
		}
	}
	open := Rule{Direction: Egress}
	if ok, i := open.AllowsAddress(imds); !ok || i != -1 {
		t.Errorf("rule without peers: %v %d", ok, i)
	}
	r := Rule{Direction: Egress, Peers: []networkingv1.NetworkPolicyPeer{
		{PodSelector: &metav1.LabelSelector{}},
		{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8"}}},
	}}
	if ok, i := r.AllowsAddress(imds); !ok || i != 1 {
		t.Errorf("rule with ipBlock: %v %d", ok, i)
	}
	if ok, _ := r.AllowsAddress(netip.MustParseAddr("10.1.2.3")); ok {
		t.Error("excepted address allowed")
	}
}

func TestPeerScope(t *testing.T) {
	empty := &metav1.LabelSelector{}
	app := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	cases := []struct {
		name string
		peer networkingv1.NetworkPolicyPeer
		want Scope
	}{
		{"empty peer", networkingv1.NetworkPolicyPeer{}, ScopeEmpty},
		{"same-namespace pods", networkingv1.NetworkPolicyPeer{PodSelector: empty}, ScopeNarrow},
		{"all namespaces", networkingv1.NetworkPolicyPeer{NamespaceSelector: empty}, ScopeClusterPods},
		{"all pods of all namespaces", networkingv1.NetworkPolicyPeer{NamespaceSelector: empty, PodSelector: empty}, ScopeClusterPods},
		{"labelled pods in any namespace", networkingv1.NetworkPolicyPeer{NamespaceSelector: empty, PodSelector: app}, ScopeNarrow},
		{"internet", networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}, ScopeInternet},
		{"private range", networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8"}}, ScopeNarrow},
	}
	for _, c := range cases {
		if got, err := PeerScope(&c.peer); got != c.want || err != nil {
			t.Errorf("%s: %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}

func TestDescribePorts(t *testing.T) {
	udp, sctp := corev1.ProtocolUDP, corev1.ProtocolSCTP
	p443, p53, named := intstr.FromInt32(443), intstr.FromInt32(53), intstr.FromString("https")
	end := int32(9000)
	p8000 := intstr.FromInt32(8000)
	ports := []networkingv1.NetworkPolicyPort{{Port: &p443}, {Port: &p53, Protocol: &udp}, {Port: &named}, {Port: &p8000, EndPort: &end}}
	if got := DescribePorts(ports); got != "443/TCP, 53/UDP, https/TCP, 8000-9000/TCP" {
		t.Errorf("DescribePorts = %q", got)
	}
	if !PortsRestricted(ports) {
		t.Error("named ports are restricted")
	}
	protoOnly := []networkingv1.NetworkPolicyPort{{Protocol: &sctp}}
	if PortsRestricted(protoOnly) || DescribePorts(protoOnly) != "all SCTP ports" {
		t.Errorf("protocol-only: %q", DescribePorts(protoOnly))
	}
	if PortsRestricted(nil) || DescribePorts(nil) != "every port" {
		t.Error("no ports")
	}
}

func TestPortsAllow(t *testing.T) {
	tcp, udp, sctp := corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP
	port := func(p int32) *intstr.IntOrString { v := intstr.FromInt32(p); return &v }
	named := intstr.FromString("http")
	end := func(p int32) *int32 { return &p }
	cases := []struct {
		name  string
		ports []networkingv1.NetworkPolicyPort
		want  bool
	}{
		{"no ports is every port", nil, true},
		{"the port", []networkingv1.NetworkPolicyPort{{Port: port(80)}}, true},
		{"the port, TCP named", []networkingv1.NetworkPolicyPort{{Port: port(80), Protocol: &tcp}}, true},
		{"another port", []networkingv1.NetworkPolicyPort{{Port: port(443)}}, false},
		{"the port over UDP", []networkingv1.NetworkPolicyPort{{Port: port(80), Protocol: &udp}}, false},
		{"DNS", []networkingv1.NetworkPolicyPort{{Port: port(53), Protocol: &udp}, {Port: port(53), Protocol: &tcp}}, false},
		{"every TCP port", []networkingv1.NetworkPolicyPort{{Protocol: &tcp}}, true},
		{"every port, protocol defaulted", []networkingv1.NetworkPolicyPort{{}}, true},
		{"every SCTP port", []networkingv1.NetworkPolicyPort{{Protocol: &sctp}}, false},
		{"range holding it", []networkingv1.NetworkPolicyPort{{Port: port(1), EndPort: end(1024)}}, true},
		{"range ending on it", []networkingv1.NetworkPolicyPort{{Port: port(53), EndPort: end(80)}}, true},
		{"range above it", []networkingv1.NetworkPolicyPort{{Port: port(81), EndPort: end(1024)}}, false},
		// A named port is resolved against the destination pod's ports, which are not known here.
		{"named port", []networkingv1.NetworkPolicyPort{{Port: &named}}, true},
		{"second entry", []networkingv1.NetworkPolicyPort{{Port: port(443)}, {Port: port(80)}}, true},
	}
	for _, c := range cases {
		if got := PortsAllow(c.ports, corev1.ProtocolTCP, 80); got != c.want {
			t.Errorf("%s: PortsAllow(%s, TCP, 80) = %v, want %v", c.name, DescribePorts(c.ports), got, c.want)
		}
	}
}

func TestRulesSkipIgnoredDirections(t *testing.T) {
	p := policy(t, "spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{}], egress: [{}]}")
	rules := p.Rules()
	if len(rules) != 1 || rules[0].Path != "spec.ingress[0]" || rules[0].PeerPath(1) != "spec.ingress[0].from[1]" {
		t.Fatalf("rules = %+v", rules)
	}
	e := policy(t, "spec: {podSelector: {}, egress: [{}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}").Rules()
	if len(e) != 2 || e[1].PeersPath() != "spec.egress[1].to" {
		t.Fatalf("egress rules = %+v", e)
	}
}
