// Package exposure measures how much of the public internet a set of source
// networks admits, so that "open to the internet" is decided by address
// space, not spelling: 0.0.0.0/1 with 128.0.0.0/1 is 0.0.0.0/0. The
// configuration validator (admin CIDRs) and guardrail NET-001 (NSG rules)
// both use [Measure] and [Space.TooBroad], so they cannot disagree.
package exposure

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The bounds: a set of networks is "the internet" when it covers more public
// addresses than one IPv4 /8 (16.7 million addresses, what single
// organizations hold) or one IPv6 /32 (a whole provider's allocation);
// specific networks (an office, a VPN) are far smaller.
const (
	maxIPv4Bits = 8
	maxIPv6Bits = 32

	// MaxIPv4 is the most public IPv4 addresses allowed: one /8.
	MaxIPv4 uint64 = 1 << (32 - maxIPv4Bits)
	// MaxIPv6 is the most public IPv6 /64 networks allowed: one /32.
	MaxIPv6 uint64 = 1 << (64 - maxIPv6Bits)
)

// MaxIPv4Prefix and MaxIPv6Prefix name the bounds for messages ("/8").
var (
	MaxIPv4Prefix = fmt.Sprintf("/%d", maxIPv4Bits)
	MaxIPv6Prefix = fmt.Sprintf("/%d", maxIPv6Bits)
)

// nonPublicIPv4 are the disjoint IPv4 special-purpose blocks not reachable
// from the internet (RFC 6890, IANA registry), which do not count.
var nonPublicIPv4 = Prefixes(
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/3",     // multicast and reserved, up to 255.255.255.255
)

// publicIPv6 is the global unicast space, the only public part of IPv6.
var publicIPv6 = netip.MustParsePrefix("2000::/3")

// Prefixes parses networks written in the code; it panics on a typo.
func Prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Space is the public address space a set of networks covers, overlaps
// counted once.
type Space struct {
	IPv4 uint64 // public IPv4 addresses
	IPv6 uint64 // public IPv6 /64 networks (a longer prefix counts as one)
}

// TooBroad reports whether the space exceeds MaxIPv4 or MaxIPv6: whether
// the networks together admit the internet rather than specific networks.
func (s Space) TooBroad() bool { return s.IPv4 > MaxIPv4 || s.IPv6 > MaxIPv6 }

// String describes the space for messages.
func (s Space) String() string {
	switch {
	case s.IPv4 > 0 && s.IPv6 > 0:
		return fmt.Sprintf("%d public IPv4 addresses and %d public IPv6 /64 networks", s.IPv4, s.IPv6)
	case s.IPv6 > 0:
		return fmt.Sprintf("%d public IPv6 /64 networks", s.IPv6)
	default:
		return fmt.Sprintf("%d public IPv4 addresses", s.IPv4)
	}
}

// Measure returns the public address space the prefixes cover together.
// Two prefixes are disjoint or nested, so the union is the sum of those no
// other contains, each counted less the non-public blocks inside it.
func Measure(ps []netip.Prefix) Space {
	var valid []netip.Prefix
	for _, p := range ps {
		p = p.Masked()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		if p.IsValid() {
			valid = append(valid, p)
		}
	}
	// Widest first, each counted unless a counted one holds it.
	slices.SortStableFunc(valid, func(a, b netip.Prefix) int { return a.Bits() - b.Bits() })
	var maximal []netip.Prefix
	var s Space
	for _, p := range valid {
		if slices.ContainsFunc(maximal, func(q netip.Prefix) bool { return Within(p, q) }) {
			continue
		}
		maximal = append(maximal, p)
		if p.Addr().Is4() {
			s.IPv4 += publicIPv4(p)
		} else {
			s.IPv6 += publicIPv6Nets(p)
		}
	}
	return s
}

// Within reports whether the network inner lies inside outer.
func Within(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// List names networks for messages: "10.0.0.0/8, 192.0.2.0/24".
func List(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func publicIPv4(p netip.Prefix) uint64 {
	size := uint64(1) << (32 - p.Bits())
	for _, np := range nonPublicIPv4 {
		switch {
		case Within(p, np):
			return 0
		case Within(np, p):
			size -= uint64(1) << (32 - np.Bits())
		}
	}
	return size
}

func publicIPv6Nets(p netip.Prefix) uint64 {
	switch {
	case Within(p, publicIPv6):
	case Within(publicIPv6, p):
		p = publicIPv6
	default:
		return 0
	}
	if p.Bits() >= 64 {
		return 1
	}
	return uint64(1) << (64 - p.Bits())
}

// ParseSource parses an NSG source that is a CIDR or a single address; it
// reports false for service tags ("VirtualNetwork") and references.
func ParseSource(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
