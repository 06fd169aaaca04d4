package network

/*
NS-08 and NS-41: the rules of each NetworkPolicy.

Fields read (per NetworkPolicy; only the rules of directions the policy isolates in, since the
others are ignored when the policy is enforced):
  spec.ingress[*].from[*] and spec.egress[*].to[*]: podSelector, namespaceSelector,
  ipBlock.cidr, ipBlock.except; spec.ingress[*].ports and spec.egress[*].ports

NS-08 fails on each rule or peer that lets in (or out) far more than a hardened policy needs:
  - a rule with no from / to: every pod and every address (at spec.ingress[i]);
  - an empty peer {} (at ...from[j]): it names no restriction, and the API server rejects it;
  - an ipBlock whose CIDR is a whole address family, 0.0.0.0/0 or ::/0, unless its except list
    removes every public address (at ...ipBlock.cidr); excepting the private ranges or the
    metadata address still leaves the whole internet;
  - ipBlocks of one rule whose CIDRs together hold every public address of a family, such as
    0.0.0.0/1 beside 128.0.0.0/1 (at ...from / ...to, or at ...ipBlock.cidr for a single block
    such as 2000::/3); the blocks are judged as a union, each less its own except list, since
    the network plugin allows whatever any of them allows;
  - namespaceSelector {} with no or an empty podSelector: every pod of every namespace (at
    ...namespaceSelector).
The first four are medium when the rule allows every port and low when it names its ports
(an internet-facing server on 443 is a deliberate choice worth a look, not an open door); the
last is low.

NS-41 fails on each egress rule that lets pods reach a cloud metadata endpoint,
169.254.169.254 (AWS, Azure, GCP and most others) or fd00:ec2::254 (AWS over IPv6):
  - a rule with no to (at spec.egress[i]);
  - an ipBlock that contains the address without an except that does: 169.254.169.254/32, or
    the whole link-local range 169.254.0.0/16, for IPv4; fd00:ec2::254/128 for IPv6. For a
    broad block the path is ...ipBlock.except, where the exception belongs; for a block inside
    the link-local range (an explicit allowance) it is ...ipBlock.cidr.
Only rules whose ports let TCP to a metadata port through count: 80, where every one of these
services answers HTTP (AWS, Azure, GCP, Oracle, OpenStack, DigitalOcean), and 8775, OpenStack
Nova's own metadata port. A rule with no ports, an entry for every TCP port, a range or a named
port (which cannot be resolved for an address outside the cluster) counts; a rule limited to
DNS, to 443 or to UDP cannot fetch credentials, and NS-08 already judges how open it is. Namespaces with no egress policy at all are not
reported here but by NS-06 (per namespace) and NS-07 (per workload).
*/

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/analysis/netpol"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-08", Match: checks.Kinds("NetworkPolicy"), Assess: assessOpenRules},
		checks.Check{ID: "NS-41", Match: checks.Kinds("NetworkPolicy"), Assess: assessMetadataEgress},
	)
}

func compiled(o *inventory.Object) *netpol.Policy {
	np, ok := o.Typed.(*networkingv1.NetworkPolicy)
	if !ok {
		return nil
	}
	return netpol.Compile(np, o.EffectiveNamespace())
}

// wording holds the words that differ between ingress and egress rules.
func wording(d netpol.Direction) (field, verb string) {
	if d == netpol.Egress {
		return "to", "lets the pods connect to"
	}
	return "from", "admits"
}

func assessOpenRules(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	p := compiled(o)
	if p == nil {
		return
	}
	for _, r := range p.Rules() {
		field, verb := wording(r.Direction)
		ports := netpol.DescribePorts(r.Ports)
		sev := catalog.SeverityMedium
		if netpol.PortsRestricted(r.Ports) {
			sev = catalog.SeverityLow
		}
		if len(r.Peers) == 0 {
			a.FailSeverity(sev, r.Path, fmt.Sprintf("%s rule %d has no %q: it %s every pod and every address, on %s", r.Direction, r.Index, field, verb, ports))
			continue
		}
		var wholeFamily []bool // peers that are a whole address family by themselves
		for i := range r.Peers {
			peer := &r.Peers[i]
			scope, err := netpol.PeerScope(peer)
			if err != nil {
				continue // a malformed CIDR is rejected by the API server; nothing is allowed
			}
			switch scope {
			case netpol.ScopeEmpty:
				a.FailSeverity(sev, r.PeerPath(i), fmt.Sprintf("%s rule %d peer %d is empty (no podSelector, namespaceSelector or ipBlock): it names no restriction, and the API server rejects it", r.Direction, r.Index, i))
			case netpol.ScopeInternet:
				if wholeFamily == nil {
					wholeFamily = make([]bool, len(r.Peers))
				}
				wholeFamily[i] = true
				a.FailSeverity(sev, r.PeerPath(i)+".ipBlock.cidr", fmt.Sprintf("ipBlock %s %s every address on the internet, on %s", describeBlock(peer.IPBlock), verb, ports))
			case netpol.ScopeClusterPods:
				a.FailSeverity(catalog.SeverityLow, r.PeerPath(i)+".namespaceSelector", fmt.Sprintf("namespaceSelector {} without a podSelector %s every pod of every namespace, on %s", verb, ports))
			}
		}
		// Blocks that reach the internet only together (0.0.0.0/1 beside 128.0.0.0/1), or one
		// that is smaller than a whole family yet holds all its public addresses (2000::/3).
		// A span with a whole-family block in it has been reported above, at that block.
	spans:
		for _, span := range r.InternetSpans() {
			for _, i := range span {
				if wholeFamily != nil && wholeFamily[i] {
					continue spans
				}
			}
			if len(span) == 1 {
				b := r.Peers[span[0]].IPBlock
				a.FailSeverity(sev, r.PeerPath(span[0])+".ipBlock.cidr", fmt.Sprintf("ipBlock %s %s every address on the internet, on %s", describeBlock(b), verb, ports))
				continue
			}
			blocks := make([]string, len(span))
			for j, i := range span {
				blocks[j] = describeBlock(r.Peers[i].IPBlock)
			}
			a.FailSeverity(sev, r.PeersPath(), fmt.Sprintf("ipBlocks %s together %s every address on the internet, on %s", strings.Join(blocks, ", "), togetherVerb(r.Direction), ports))
		}
	}
}

// describeBlock renders an ipBlock for messages: "0.0.0.0/0" or "0.0.0.0/0 except 10.0.0.0/8".
func describeBlock(b *networkingv1.IPBlock) string {
	if len(b.Except) == 0 {
		return b.CIDR
	}
	return b.CIDR + " except " + strings.Join(b.Except, ", ")
}

// togetherVerb is wording's verb for several blocks: "admit", "let the pods connect to".
func togetherVerb(d netpol.Direction) string {
	if d == netpol.Egress {
		return "let the pods connect to"
	}
	return "admit"
}

// metadataEndpoint is a cloud instance metadata address and the exception that closes it.
type metadataEndpoint struct {
	addr   netip.Addr
	except string
	// explicit is the range inside which an ipBlock is a deliberate allowance of the endpoint
	// rather than a broad block that forgot to except it.
	explicit netip.Prefix
}

var metadataEndpoints = []metadataEndpoint{
	{netip.MustParseAddr("169.254.169.254"), "169.254.169.254/32 (or the whole link-local range 169.254.0.0/16)", netip.MustParsePrefix("169.254.0.0/16")},
	{netip.MustParseAddr("fd00:ec2::254"), "fd00:ec2::254/128", netip.MustParsePrefix("fd00:ec2::/64")},
}

// metadataPorts are the TCP ports the metadata services answer on (see the comment at the top).
var metadataPorts = []int32{80, 8775}

// reachesMetadataPort reports whether a rule's ports let a request to a metadata service's
// port through.
func reachesMetadataPort(ports []networkingv1.NetworkPolicyPort) bool {
	for _, port := range metadataPorts {
		if netpol.PortsAllow(ports, corev1.ProtocolTCP, port) {
			return true
		}
	}
	return false
}

func assessMetadataEgress(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	p := compiled(o)
	if p == nil {
		return
	}
	for _, r := range p.Rules() {
		if r.Direction != netpol.Egress || !reachesMetadataPort(r.Ports) {
			continue
		}
		if len(r.Peers) == 0 {
			a.Failf(r.Path, `egress rule %d has no "to", so the pods may reach the cloud metadata service at 169.254.169.254 (and fd00:ec2::254) and read the node's cloud credentials; list the destinations, or use an ipBlock that excepts the metadata address`, r.Index)
			continue
		}
		for i := range r.Peers {
			b := r.Peers[i].IPBlock
			if b == nil {
				continue
			}
			for _, m := range metadataEndpoints {
				ok, err := netpol.BlockAllows(b, m.addr)
				if err != nil || !ok {
					continue
				}
				cidr, _ := netpol.ParseCIDR(b.CIDR)
				if cidr.Bits() >= m.explicit.Bits() && m.explicit.Contains(cidr.Addr()) {
					a.Failf(r.PeerPath(i)+".ipBlock.cidr", "ipBlock %s explicitly allows egress to the cloud metadata service at %s, which hands out the node's cloud credentials", b.CIDR, m.addr)
					continue
				}
				a.Failf(r.PeerPath(i)+".ipBlock.except", "ipBlock %s lets the pods reach the cloud metadata service at %s, which hands out the node's cloud credentials; add %s to except", b.CIDR, m.addr, m.except)
			}
		}
	}
}
