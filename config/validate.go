package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/exposure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsondoc"
)

// Validate applies the rules that JSON Schema cannot express: relations
// between fields, what production forbids, and the lengths of derived names.
// The configuration must already be valid against the schema.
func (c *Config) Validate() []Problem {
	v := &validator{cfg: c}
	v.nodePool()
	v.network()
	v.production()
	v.consistency()
	v.tags()
	v.emails()
	v.guardrails()
	v.names()
	return v.problems
}

type validator struct {
	cfg      *Config
	problems []Problem
}

func (v *validator) add(path string, value any, format string, args ...any) {
	p := Problem{File: v.cfg.File, Path: path, Message: fmt.Sprintf(format, args...)}
	if value != nil {
		b, _ := json.Marshal(value)
		p.Value = string(b)
	}
	v.problems = append(v.problems, p)
}

func (v *validator) nodePool() {
	size, ok := LookupVMSize(v.cfg.VMSize)
	switch {
	case !ok:
		v.add("/vmSize", v.cfg.VMSize,
			"unknown VM size; this project knows (and can price) the sizes AKS accepts for a system pool: %s", systemPoolSizes())
	case size.VCPU < MinSystemPoolVCPU || size.MemoryGiB < MinSystemPoolMemoryGiB:
		v.add("/vmSize", v.cfg.VMSize,
			"%s has %d vCPU and %g GiB of memory; AKS rejects system node pools with less than %d vCPU and %d GiB; use one of: %s",
			size.Name, size.VCPU, size.MemoryGiB, MinSystemPoolVCPU, MinSystemPoolMemoryGiB, systemPoolSizes())
	case size.Burstable() && v.cfg.Production:
		v.add("/vmSize", v.cfg.VMSize,
			"production forbids it: Microsoft does not support B-series (burstable) VMs for system node pools; use one of: %s", systemPoolSizes())
	case size.Burstable() && !v.cfg.BurstableSystemPool:
		v.add("/vmSize", v.cfg.VMSize,
			"Microsoft does not support B-series (burstable) VMs for system node pools; use one of: %s, or set \"burstableSystemPool\": true to accept an unsupported size in development", systemPoolSizes())
	}
}

func (v *validator) network() {
	n := v.cfg.Network
	vnet := netip.MustParsePrefix(n.VNetCIDR)
	subnet := netip.MustParsePrefix(n.NodeSubnetCIDR)
	pods := netip.MustParsePrefix(n.PodCIDR)
	services := netip.MustParsePrefix(n.ServiceCIDR)
	dns := netip.MustParseAddr(n.DNSServiceIP)

	if !contains(vnet, subnet) {
		v.add("/network/nodeSubnetCidr", n.NodeSubnetCIDR, "the node subnet must lie inside network.vnetCidr %s", n.VNetCIDR)
	}
	if subnet.Bits() > 28 {
		v.add("/network/nodeSubnetCidr", n.NodeSubnetCIDR, "the node subnet is too small for AKS nodes and upgrades; use /28 or larger (such as /24)")
	}
	if vnet.Overlaps(services) {
		v.add("/network/serviceCidr", n.ServiceCIDR, "overlaps network.vnetCidr %s; AKS refuses a service CIDR inside the virtual network (use for example 10.96.0.0/16)", n.VNetCIDR)
	}
	if vnet.Overlaps(pods) {
		v.add("/network/podCidr", n.PodCIDR, "overlaps network.vnetCidr %s; the Azure CNI overlay pod CIDR must be outside the virtual network (use for example 10.244.0.0/16)", n.VNetCIDR)
	}
	if pods.Overlaps(services) {
		v.add("/network/podCidr", n.PodCIDR, "overlaps network.serviceCidr %s; pods and services need separate ranges", n.ServiceCIDR)
	}
	if !services.Contains(dns) || dns == services.Addr() {
		v.add("/network/dnsServiceIp", n.DNSServiceIP, "must be an address inside network.serviceCidr %s other than its first (such as the .10 address)", n.ServiceCIDR)
	}
	for _, f := range []struct {
		path, value string
		prefix      netip.Prefix
	}{
		{"/network/vnetCidr", n.VNetCIDR, vnet},
		{"/network/podCidr", n.PodCIDR, pods},
		{"/network/serviceCidr", n.ServiceCIDR, services},
	} {
		for _, r := range AKSReservedRanges {
			if f.prefix.Overlaps(r) {
				v.add(f.path, f.value, "overlaps %s, which AKS reserves: the virtual network, pod and service ranges may not use %s", r, reservedList())
			}
		}
	}
	if v.cfg.Production {
		v.adminCIDRs()
	}
}

// AKSReservedRanges may not hold the cluster's virtual network, pod or
// service addresses: AKS uses them itself (Microsoft's AKS networking
// documentation: "AKS clusters may not use 169.254.0.0/16, 172.30.0.0/16,
// 172.31.0.0/16, or 192.0.2.0/24 for the Kubernetes service address range,
// pod address range, or cluster virtual network address range").
var AKSReservedRanges = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.30.0.0/16"),
	netip.MustParsePrefix("172.31.0.0/16"),
	netip.MustParsePrefix("192.0.2.0/24"),
}

func reservedList() string {
	s := make([]string, len(AKSReservedRanges))
	for i, r := range AKSReservedRanges {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// adminCIDRs refuses production admin networks that admit the internet,
// however it is split: each network and all of them together must stay
// within the bound of package exposure (the guardrail NET-001 applies the
// same bound to the NSG rules).
func (v *validator) adminCIDRs() {
	const opens = "would open SSH (22), the IPFS RPC API (5001, full control of the node), the Kubernetes API and the Key Vault and storage firewalls to a large part of the internet"
	advice := fmt.Sprintf("production must list specific networks, such as your office's public range, covering at most %d public IPv4 addresses (a %s) in total",
		exposure.MaxIPv4, exposure.MaxIPv4Prefix)
	var all []netip.Prefix
	single := false
	for i, cidr := range v.cfg.Network.AdminCIDRs {
		p := netip.MustParsePrefix(cidr)
		all = append(all, p)
		if space := exposure.Measure([]netip.Prefix{p}); space.TooBroad() {
			single = true
			v.add(fmt.Sprintf("/network/adminCidrs/%d", i), cidr,
				"covers %s: it %s; %s", space, opens, advice)
		}
	}
	if space := exposure.Measure(all); !single && space.TooBroad() {
		v.add("/network/adminCidrs", nil,
			"together these networks cover %s: they %s; %s", space, opens, advice)
	}
}

// production enforces what a production environment must not relax.
func (v *validator) production() {
	c := v.cfg
	if !c.Production {
		return
	}
	const why = "production forbids it"
	if c.Kubernetes.LocalAccountsEnabled {
		v.add("/kubernetes/localAccountsEnabled", true, "%s: local accounts bypass Microsoft Entra ID and cannot be revoked per person; set false", why)
	}
	if len(c.Network.AdminCIDRs) == 0 {
		v.add("/network/adminCidrs", nil, "production needs at least one admin CIDR: it restricts the Kubernetes API server's authorized IP ranges and the Key Vault and storage firewalls")
	}
	if c.KeyVault.NetworkDefaultAction != "Deny" {
		v.add("/keyVault/networkDefaultAction", c.KeyVault.NetworkDefaultAction, "%s: the vault holds the node's secrets; set \"Deny\" (admin CIDRs, the deployer's addresses and trusted Azure services stay allowed)", why)
	}
	if !c.KeyVault.PurgeProtection {
		v.add("/keyVault/purgeProtection", false, "%s: without purge protection a deleted vault's secrets can be destroyed at once; set true", why)
	}
	if c.StorageAccount.NetworkDefaultAction != "Deny" {
		v.add("/storageAccount/networkDefaultAction", c.StorageAccount.NetworkDefaultAction, "%s: logs and backups stay behind the firewall; set \"Deny\"", why)
	}
	if c.Workload.DevSecrets {
		v.add("/workload/devSecrets", true, "%s: production reads its secrets from Key Vault through workload identity, not from a Kubernetes Secret written by Terraform; set false", why)
	}
	if len(c.Alerts.Emails) == 0 {
		v.add("/alerts/emails", nil, "production needs at least one alert receiver, or a failing node goes unnoticed")
	}
	if c.Backend.Type != BackendAzureRM {
		v.add("/backend/type", c.Backend.Type, "production state must live in the shared azurerm backend (Azure Storage with Microsoft Entra ID auth), not on one machine; set \"azurerm\" with resourceGroupName and storageAccountName")
	}
}

// consistency checks fields that only make sense together.
func (v *validator) consistency() {
	c := v.cfg
	if c.Kubernetes.ProviderAuth == AuthAdminCertificate && !c.Kubernetes.LocalAccountsEnabled {
		v.add("/kubernetes/providerAuth", c.Kubernetes.ProviderAuth, "the admin certificate exists only with kubernetes.localAccountsEnabled; use \"kubelogin\" or enable local accounts")
	}
	if c.Kubernetes.AutomaticUpgradeChannel == "node-image" && c.Kubernetes.NodeOSUpgradeChannel != "NodeImage" {
		v.add("/kubernetes/nodeOsUpgradeChannel", c.Kubernetes.NodeOSUpgradeChannel, "must be \"NodeImage\" when kubernetes.automaticUpgradeChannel is \"node-image\" (AKS and the azurerm provider refuse anything else)")
	}
	if (c.Policy.NoPrivilegedContainers || c.Policy.NoPrivilegeEscalation) && !c.Policy.AzurePolicyAddon {
		v.add("/policy/azurePolicyAddon", false, "the Kubernetes policies (noPrivilegedContainers, noPrivilegeEscalation) need the Azure Policy add-on to act; set true or turn those policies off")
	}
	if len(c.Policy.AllowedLocations) > 0 && !slices.Contains(c.Policy.AllowedLocations, c.Location) {
		v.add("/policy/allowedLocations", c.Policy.AllowedLocations, "must include the environment's location %q, or every resource would be denied", c.Location)
	}
	if durationMinutes(c.Alerts.WindowSize) < durationMinutes(c.Alerts.Frequency) {
		v.add("/alerts/windowSize", c.Alerts.WindowSize, "must be at least alerts.frequency %s", c.Alerts.Frequency)
	}
	if c.Backend.Type == BackendAzureRM {
		if c.Backend.ResourceGroupName == "" {
			v.add("/backend/resourceGroupName", "", "the azurerm backend needs the resource group of the state storage account")
		}
		if c.Backend.StorageAccountName == "" {
			v.add("/backend/storageAccountName", "", "the azurerm backend needs the state storage account name (3 to 24 lower-case letters or digits)")
		}
	}
	for _, f := range []struct{ path, name string }{
		{"/storageAccount/logsContainer", c.StorageAccount.LogsContainer},
		{"/backend/containerName", c.Backend.ContainerName},
	} {
		if strings.Contains(f.name, "--") {
			v.add(f.path, f.name, "storage container names cannot contain two hyphens in a row")
		}
	}
}

// MaxTags is how many tags Azure allows on one resource.
const MaxTags = 50

// tags checks the tags as Azure will see them: with the automatic ones
// added, names compared without regard to case.
func (v *validator) tags() {
	c := v.cfg
	keys := slices.Sorted(maps.Keys(c.Tags))
	auto := slices.Sorted(maps.Keys(c.automaticTags()))
	first := map[string]string{} // lower-case name -> the first name seen
	for _, k := range keys {
		path := jsondoc.Pointer([]string{"tags", k})
		if i := slices.IndexFunc(auto, func(a string) bool { return strings.EqualFold(a, k) }); i >= 0 {
			v.add(path, c.Tags[k], "the tag %q is set on every resource automatically (%s); Azure tag names ignore case, so this one would replace it or be replaced: remove it", auto[i], strings.Join(auto, ", "))
			continue
		}
		if prev, ok := first[strings.ToLower(k)]; ok {
			v.add(path, c.Tags[k], "differs from the tag %q only in case; Azure tag names ignore case, so one would overwrite the other: keep one", prev)
			continue
		}
		first[strings.ToLower(k)] = k
	}
	if n := len(c.AllTags()); n > MaxTags {
		v.add("/tags", nil, "%d tags with the %d added automatically (%s); Azure allows at most %d on a resource: remove %d", n, len(auto), strings.Join(auto, ", "), MaxTags, n-MaxTags)
	}
}

// emails refuses an address listed twice in one list with different case:
// mail systems treat them as one receiver.
func (v *validator) emails() {
	for _, list := range []struct {
		path   string
		emails []string
	}{
		{"/alerts/emails", v.cfg.Alerts.Emails},
		{"/budget/emails", v.cfg.Budget.Emails},
	} {
		seen := map[string]string{}
		for i, e := range list.emails {
			key := strings.ToLower(e)
			if prev, ok := seen[key]; ok {
				v.add(fmt.Sprintf("%s/%d", list.path, i), e, "repeats %q (addresses are compared without regard to case); list each receiver once", prev)
				continue
			}
			seen[key] = e
		}
	}
}

// MinWaiverReason is the least number of characters of a waiver's reason,
// blanks at either end and repeated blanks inside not counted.
const MinWaiverReason = 20

// guardrails checks the waivers and the required tags.
func (v *validator) guardrails() {
	c := v.cfg
	seen := map[string]bool{}
	for i, w := range c.Guardrails.Waivers {
		path := fmt.Sprintf("/guardrails/waivers/%d/rule", i)
		if _, ok := guardrails.Lookup(w.Rule); !ok {
			hint := ""
			if best := jsondoc.Closest(w.Rule, guardrails.IDs()); best != "" {
				hint = fmt.Sprintf("did you mean %q? ", best)
			}
			v.add(path, w.Rule, "unknown guardrail rule; %sknown rules: %s", hint, strings.Join(guardrails.IDs(), ", "))
		}
		if seen[w.Rule] {
			v.add(path, w.Rule, "waived twice; keep one waiver per rule")
		}
		seen[w.Rule] = true
		if n := utf8.RuneCountInString(strings.Join(strings.Fields(w.Reason), " ")); n < MinWaiverReason {
			v.add(fmt.Sprintf("/guardrails/waivers/%d/reason", i), w.Reason,
				"has %d characters besides blanks; a waiver needs a written reason of at least %d", n, MinWaiverReason)
		}
	}
	if len(c.Guardrails.RequiredTags) == 0 && !seen["TAG-001"] {
		v.add("/guardrails/requiredTags", nil,
			"an empty list switches the guardrail TAG-001 off; list the tags every resource must carry (the default is project, environment, managed-by), or waive TAG-001 in guardrails.waivers with the reason")
	}
}

// names checks the lengths and shapes Azure imposes on derived names.
func (v *validator) names() {
	n := v.cfg.Names()
	if l := len(n.StorageAccount); l < 3 || l > 24 {
		v.add("/uniqueSuffix", v.cfg.UniqueSuffix, "the derived storage account name %q has %d characters; Azure allows 3 to 24: shorten namePrefix, the environment name or uniqueSuffix", n.StorageAccount, l)
	}
	if l := len(n.KeyVault); l < 3 || l > 24 {
		v.add("/uniqueSuffix", v.cfg.UniqueSuffix, "the derived Key Vault name %q has %d characters; Azure allows 3 to 24: shorten namePrefix, the environment name or uniqueSuffix", n.KeyVault, l)
	}
	if l := len(n.DNSLabel); l < 3 || l > 63 {
		v.add("/network/dnsLabel", n.DNSLabel, "a DNS label has 3 to 63 characters")
	}
}

func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// durationMinutes converts the ISO 8601 durations the schema allows.
func durationMinutes(d string) int {
	switch d {
	case "PT1M":
		return 1
	case "PT5M":
		return 5
	case "PT15M":
		return 15
	case "PT30M":
		return 30
	case "PT1H":
		return 60
	case "PT6H":
		return 360
	case "PT12H":
		return 720
	case "P1D":
		return 1440
	}
	return 0
}
