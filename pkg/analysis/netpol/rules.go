package netpol

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Rule is one ingress or egress rule of a policy, with its field path.
type Rule struct {
	Direction Direction
	Index     int
	// Path is the rule's field path: spec.ingress[0] or spec.egress[2].
	Path  string
	Peers []networkingv1.NetworkPolicyPeer
	Ports []networkingv1.NetworkPolicyPort
}

// Rules returns the rules that take effect: those of the directions the policy isolates in.
// Rules of other directions are ignored by every network plugin, so no finding should rest on
// them.
func (p *Policy) Rules() []Rule {
	var out []Rule
	if p.Types.Has(Ingress) {
		for i, r := range p.Spec.Ingress {
			out = append(out, Rule{Ingress, i, "spec.ingress[" + strconv.Itoa(i) + "]", r.From, r.Ports})
		}
	}
	if p.Types.Has(Egress) {
		for i, r := range p.Spec.Egress {
			out = append(out, Rule{Egress, i, "spec.egress[" + strconv.Itoa(i) + "]", r.To, r.Ports})
		}
	}
	return out
}

// PeersPath is the path of the rule's peer list: spec.ingress[0].from or spec.egress[0].to.
func (r Rule) PeersPath() string {
	if r.Direction == Egress {
		return r.Path + ".to"
	}
	return r.Path + ".from"
}

// PeerPath is the path of peer i.
func (r Rule) PeerPath(i int) string { return r.PeersPath() + "[" + strconv.Itoa(i) + "]" }

// Scope says how much of the network one peer (or a rule without peers) matches.
type Scope uint8

const (
	// ScopeNarrow peers name specific pods, namespaces or address ranges.
	ScopeNarrow Scope = iota
	// ScopeClusterPods is every pod of every namespace: namespaceSelector {} with no or an
	// empty podSelector. It excludes addresses outside the cluster.
	ScopeClusterPods
	// ScopeInternet is an ipBlock whose CIDR is a whole address family (0.0.0.0/0, ::/0) and
	// whose exceptions leave public addresses in.
	ScopeInternet
	// ScopeEmpty is a peer with no selector and no ipBlock. The API server rejects it; it names
	// no restriction at all.
	ScopeEmpty
	// ScopeAny is a rule without peers: every pod and every address.
	ScopeAny
)

// PeerScope classifies a peer. An ipBlock that does not parse is an error (and ScopeNarrow).
func PeerScope(peer *networkingv1.NetworkPolicyPeer) (Scope, error) {
	switch {
	case peer.IPBlock != nil:
		open, err := WholeFamilyOpen(peer.IPBlock)
		if err != nil || !open {
			return ScopeNarrow, err
		}
		return ScopeInternet, nil
	case peer.NamespaceSelector != nil:
		if isEmptySelector(peer.NamespaceSelector) && (peer.PodSelector == nil || isEmptySelector(peer.PodSelector)) {
			return ScopeClusterPods, nil
		}
		return ScopeNarrow, nil
	case peer.PodSelector != nil:
		return ScopeNarrow, nil
	}
	return ScopeEmpty, nil
}

// PortsRestricted reports whether the rule limits the ports it allows: it lists ports and every
// entry names a port (an entry with only a protocol allows all ports of that protocol).
func PortsRestricted(ports []networkingv1.NetworkPolicyPort) bool {
	if len(ports) == 0 {
		return false
	}
	for _, p := range ports {
		if p.Port == nil {
			return false
		}
	}
	return true
}

// PortsAllow reports whether a rule with these ports lets traffic to port over proto through.
// No ports means every port; an entry without a port means every port of its protocol (TCP when
// unset); a range counts when it holds the port. A named port counts too: it is resolved
// against the ports the destination pod declares, which the policy alone does not show, so it
// may be the port asked about.
func PortsAllow(ports []networkingv1.NetworkPolicyPort, proto corev1.Protocol, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil && *p.Protocol != "" {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		switch {
		case p.Port == nil, p.Port.Type == intstr.String:
			return true
		case p.EndPort != nil:
			if p.Port.IntVal <= port && port <= *p.EndPort {
				return true
			}
		case p.Port.IntVal == port:
			return true
		}
	}
	return false
}

// DescribePorts renders the ports of a rule for messages: "8080/TCP, 53/UDP", "all TCP ports",
// "every port".
func DescribePorts(ports []networkingv1.NetworkPolicyPort) string {
	if len(ports) == 0 {
		return "every port"
	}
	parts := make([]string, 0, len(ports))
	for _, p := range ports {
		proto := "TCP"
		if p.Protocol != nil && *p.Protocol != "" {
			proto = string(*p.Protocol)
		}
		switch {
		case p.Port == nil:
			parts = append(parts, "all "+proto+" ports")
		case p.EndPort != nil:
			parts = append(parts, fmt.Sprintf("%s-%d/%s", p.Port.String(), *p.EndPort, proto))
		default:
			parts = append(parts, p.Port.String()+"/"+proto)
		}
	}
	return strings.Join(parts, ", ")
}

// AllowsAddress reports whether the rule lets traffic to or from addr through, on some port, and
// which peer does (-1 when the rule has no peers and so allows everything). Only ipBlock peers
// match addresses: pod and namespace selectors match pods, and peers that are empty are
// reported by PeerScope instead. Peers whose ipBlock does not parse are skipped.
func (r Rule) AllowsAddress(addr netip.Addr) (bool, int) {
	if len(r.Peers) == 0 {
		return true, -1
	}
	for i := range r.Peers {
		if b := r.Peers[i].IPBlock; b != nil {
			if ok, err := BlockAllows(b, addr); err == nil && ok {
				return true, i
			}
		}
	}
	return false, 0
}

// InternetSpans returns the groups of the rule's ipBlock peers that together reach the whole
// internet, one group per address family (IPv4 first), each as indexes into Peers. A group is
// the family's blocks that let at least one public address through once their own exceptions
// are taken out; it spans the internet when their CIDRs together contain every public address
// of the family. For a single block this is WholeFamilyOpen: 0.0.0.0/0 is one such group, and
// so are 0.0.0.0/1 and 128.0.0.0/1 side by side, which a peer-by-peer reading would miss.
//
// Exceptions are judged as WholeFamilyOpen judges them: carving the private ranges or the
// metadata address out of blocks that span the internet leaves the internet open. A block
// whose exceptions remove every public address reaches none, so its CIDR does not count.
// Blocks that do not parse are skipped (the API server rejects them).
func (r Rule) InternetSpans() [][]int {
	var spans [][]int
	for _, v4 := range []bool{true, false} {
		public := publicV6
		if v4 {
			public = publicV4
		}
		var group []int
		uncovered := public
		for i := range r.Peers {
			b := r.Peers[i].IPBlock
			if b == nil {
				continue
			}
			cidr, left, err := blockRanges(b)
			if err != nil || cidr.Addr().Is4() != v4 || !overlaps(left, public) {
				continue
			}
			group = append(group, i)
			uncovered = subtract(uncovered, prefixRange(cidr))
		}
		if group != nil && len(uncovered) == 0 {
			spans = append(spans, group)
		}
	}
	return spans
}
