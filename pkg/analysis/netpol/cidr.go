package netpol

import (
	"fmt"
	"net/netip"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
)

// ParseCIDR parses an ipBlock CIDR or exception. Host bits are cleared, as the API server's
// validation of older objects tolerated them ("10.0.0.1/8" means 10.0.0.0/8).
func ParseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("ipBlock %q is not a CIDR: %w", s, err)
	}
	return p.Masked(), nil
}

// BlockAllows reports whether the ipBlock matches addr: its CIDR contains addr and none of its
// exceptions does.
func BlockAllows(b *networkingv1.IPBlock, addr netip.Addr) (bool, error) {
	cidr, err := ParseCIDR(b.CIDR)
	if err != nil {
		return false, err
	}
	if !cidr.Contains(addr) {
		return false, nil
	}
	for _, e := range b.Except {
		ex, err := ParseCIDR(e)
		if err != nil {
			return false, err
		}
		if ex.Contains(addr) {
			return false, nil
		}
	}
	return true, nil
}

// WholeFamilyOpen reports whether the ipBlock's CIDR is a whole address family (0.0.0.0/0 or
// ::/0) and its exceptions leave at least one public address in. Exceptions that carve out the
// private ranges, the metadata address or half of the internet do not make the block narrow;
// only exceptions that remove every public address do.
func WholeFamilyOpen(b *networkingv1.IPBlock) (bool, error) {
	cidr, left, err := blockRanges(b)
	if err != nil || cidr.Bits() != 0 {
		return false, err
	}
	public := publicV6
	if cidr.Addr().Is4() {
		public = publicV4
	}
	return overlaps(left, public), nil
}

// blockRanges parses an ipBlock into its CIDR and the addresses it matches: the CIDR less the
// exceptions of its own family.
func blockRanges(b *networkingv1.IPBlock) (netip.Prefix, []addrRange, error) {
	cidr, err := ParseCIDR(b.CIDR)
	if err != nil {
		return netip.Prefix{}, nil, err
	}
	left := []addrRange{prefixRange(cidr)}
	for _, e := range b.Except {
		ex, err := ParseCIDR(e)
		if err != nil {
			return netip.Prefix{}, nil, err
		}
		if ex.Addr().Is4() == cidr.Addr().Is4() {
			left = subtract(left, prefixRange(ex))
		}
	}
	return cidr, left, nil
}

// addrRange is an inclusive range of addresses of one family.
type addrRange struct{ lo, hi netip.Addr }

func prefixRange(p netip.Prefix) addrRange {
	p = p.Masked()
	lo := p.Addr()
	b := lo.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	hi, _ := netip.AddrFromSlice(b)
	return addrRange{lo, hi}
}

// subtract removes r from every range of rs.
func subtract(rs []addrRange, r addrRange) []addrRange {
	var out []addrRange
	for _, x := range rs {
		if r.hi.Less(x.lo) || x.hi.Less(r.lo) {
			out = append(out, x)
			continue
		}
		if x.lo.Less(r.lo) {
			out = append(out, addrRange{x.lo, r.lo.Prev()})
		}
		if r.hi.Less(x.hi) {
			out = append(out, addrRange{r.hi.Next(), x.hi})
		}
	}
	return out
}

func overlaps(a, b []addrRange) bool {
	for _, x := range a {
		for _, y := range b {
			if !(x.hi.Less(y.lo) || y.hi.Less(x.lo)) {
				return true
			}
		}
	}
	return false
}

// Public address space: what a pod reaches "on the internet". IPv4 is every address outside
// the special-purpose ranges of RFC 6890 and its successors; IPv6 is the global unicast block.
var (
	publicV4 = func() []addrRange {
		rs := []addrRange{prefixRange(netip.MustParsePrefix("0.0.0.0/0"))}
		for _, s := range []string{
			"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
			"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
			"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		} {
			rs = subtract(rs, prefixRange(netip.MustParsePrefix(s)))
		}
		return slices.Clip(rs)
	}()
	publicV6 = []addrRange{prefixRange(netip.MustParsePrefix("2000::/3"))}
)
