package config

import (
	"slices"
	"strings"
)

// VMSize describes an Azure VM size that this project knows how to validate
// (and, in tools/cost, to price).
type VMSize struct {
	Name      string
	VCPU      int
	MemoryGiB float64
}

// System node pools need at least this much, or AKS rejects the pool.
const (
	MinSystemPoolVCPU      = 2
	MinSystemPoolMemoryGiB = 4
)

// vmSizes lists the sizes a small single-node cluster might use, from the
// Azure documentation of each series (B-series v1 and v2, Dv5, Dasv5).
var vmSizes = []VMSize{
	{"Standard_B1s", 1, 1},
	{"Standard_B1ms", 1, 2},
	{"Standard_B2s", 2, 4},
	{"Standard_B2ms", 2, 8},
	{"Standard_B4ms", 4, 16},
	{"Standard_B2ats_v2", 2, 1},
	{"Standard_B2als_v2", 2, 4},
	{"Standard_B2as_v2", 2, 8},
	{"Standard_B4als_v2", 4, 8},
	{"Standard_B2ts_v2", 2, 1},
	{"Standard_B2ls_v2", 2, 4},
	{"Standard_B2s_v2", 2, 8},
	{"Standard_B4ls_v2", 4, 8},
	{"Standard_B4s_v2", 4, 16},
	// The B2p sizes are Arm64: the node needs arm64 images.
	{"Standard_B2pts_v2", 2, 1},
	{"Standard_B2pls_v2", 2, 4},
	{"Standard_B2ps_v2", 2, 8},
	{"Standard_D2s_v5", 2, 8},
	{"Standard_D4s_v5", 4, 16},
	{"Standard_D2as_v5", 2, 8},
	{"Standard_D4as_v5", 4, 16},
}

// Burstable reports whether the size is of the B-series, which Microsoft
// does not support for system node pools.
func (s VMSize) Burstable() bool { return strings.HasPrefix(s.Name, "Standard_B") }

// LookupVMSize returns the known size with that name.
func LookupVMSize(name string) (VMSize, bool) {
	i := slices.IndexFunc(vmSizes, func(s VMSize) bool { return s.Name == name })
	if i < 0 {
		return VMSize{}, false
	}
	return vmSizes[i], true
}

// systemPoolSizes lists the known sizes that AKS accepts and Microsoft
// supports for a system pool.
func systemPoolSizes() string {
	var names []string
	for _, s := range vmSizes {
		if s.VCPU >= MinSystemPoolVCPU && s.MemoryGiB >= MinSystemPoolMemoryGiB && !s.Burstable() {
			names = append(names, s.Name)
		}
	}
	return strings.Join(names, ", ")
}
