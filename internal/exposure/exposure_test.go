package exposure

import (
	"net/netip"
	"testing"
)

func measure(t *testing.T, ss ...string) Space {
	t.Helper()
	var ps []netip.Prefix
	for _, s := range ss {
		p, ok := ParseSource(s)
		if !ok {
			t.Fatalf("cannot parse %q", s)
		}
		ps = append(ps, p)
	}
	return Measure(ps)
}

// TestTheInternetInAnySplit: the whole internet is too broad however it is
// written, and specific networks are not.
func TestTheInternetInAnySplit(t *testing.T) {
	broad := [][]string{
		{"0.0.0.0/0"},
		{"0.0.0.0/1", "128.0.0.0/1"},
		{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"},
		{"1.0.0.0/8", "2.0.0.0/8"},  // two public /8s
		{"12.0.0.0/6"},              // four public /8s in one prefix
		{"0.0.0.0/4", "16.0.0.0/4"}, // half of 0/3, private parts excluded
		{"::/0"},                    // all of IPv6
		{"::/1", "8000::/1"},        // IPv6 in halves
		{"2000::/3"},                // all of global unicast
		{"2001::/16", "2002::/16"},  // two /16s
		{"::ffff:0.0.0.0/96"},       // IPv4-mapped IPv6 for all of IPv4
		{"203.0.113.0/24", "0.0.0.0/1", "128.0.0.0/1"},
	}
	for _, ss := range broad {
		if s := measure(t, ss...); !s.TooBroad() {
			t.Errorf("%v: %v is not too broad", ss, s)
		}
	}
	narrow := [][]string{
		{"203.0.113.0/24"},
		{"198.51.100.7"},
		{"1.0.0.0/8"},               // exactly the bound
		{"1.0.0.0/8", "1.2.0.0/16"}, // overlap counted once
		{"1.0.0.0/8", "1.0.0.0/8"},  // duplicates counted once
		{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"}, // private space
		{"224.0.0.0/3"},   // multicast and reserved
		{"2001:db8::/32"}, // one /32
		{"fc00::/7"},      // unique local IPv6
	}
	for _, ss := range narrow {
		if s := measure(t, ss...); s.TooBroad() {
			t.Errorf("%v: %v is too broad", ss, s)
		}
	}
}

func TestMeasureCounts(t *testing.T) {
	if s := measure(t, "0.0.0.0/0"); s.IPv4 != 3702258688 {
		t.Errorf("public IPv4 = %d, want 3702258688 (2^32 minus the special-purpose blocks)", s.IPv4)
	}
	if s := measure(t, "0.0.0.0/1", "128.0.0.0/1"); s != measure(t, "0.0.0.0/0") {
		t.Errorf("halves %v differ from the whole %v", s, measure(t, "0.0.0.0/0"))
	}
	if s := measure(t, "8.8.8.0/24", "8.8.8.8"); s.IPv4 != 256 {
		t.Errorf("a /24 with an address inside = %d, want 256", s.IPv4)
	}
	if s := measure(t, "2001:db8::/64", "2001:db8::1"); s.IPv6 != 1 {
		t.Errorf("a /64 with an address inside = %d /64s, want 1", s.IPv6)
	}
	if s := measure(t, "::/0"); s.IPv6 != 1<<61 {
		t.Errorf("all of IPv6 = %d /64s, want 2^61 (global unicast)", s.IPv6)
	}
}

func TestParseSource(t *testing.T) {
	for _, s := range []string{"VirtualNetwork", "Internet", "*", "${var.x}", ""} {
		if _, ok := ParseSource(s); ok {
			t.Errorf("%q parsed as a network", s)
		}
	}
	if p, ok := ParseSource("192.0.2.1"); !ok || p.Bits() != 32 {
		t.Errorf("a bare address: %v %v", p, ok)
	}
}

// TestBoundsAgree: the prefixes the messages name are the bounds applied.
func TestBoundsAgree(t *testing.T) {
	if MaxIPv4Prefix != "/8" || MaxIPv4 != 1<<24 || MaxIPv6Prefix != "/32" || MaxIPv6 != 1<<32 {
		t.Errorf("bounds %s = %d addresses, %s = %d /64 networks", MaxIPv4Prefix, MaxIPv4, MaxIPv6Prefix, MaxIPv6)
	}
}
