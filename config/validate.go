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

// Validate applies the rules JSON Schema cannot express (see the package
// documentation) to a configuration valid against the schema. (Parse
// applies them to any file, skipping those that read an invalid value.)
func (c *Config) Validate() []Problem {
	raw, _ := json.Marshal(c)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	return c.validate(nil, findCredentials(doc))
}

// validate applies the rules, skipping those that read a value at a
// pointer in invalid (the file's invalid values, now defaults).
// credentials maps the pointers of strings that look like credentials to
// what they look like.
func (c *Config) validate(invalid []string, credentials map[string]string) []Problem {
	v := &validator{cfg: c, invalid: invalid}
	v.nodePool()
	v.network()
	v.adminExposure()
	v.production()
	v.consistency()
	v.tags()
	v.emails()
	v.waivers()
	v.requiredTags()
	v.credentials(credentials)
	v.names()
	return v.problems
}

type validator struct {
	cfg      *Config
	invalid  []string
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

// ok reports whether the values at the pointers, and everything in them,
// are the file's and valid, so that a rule may read them.
func (v *validator) ok(paths ...string) bool {
	return !slices.ContainsFunc(paths, func(p string) bool {
		return !v.given(p) || slices.ContainsFunc(v.invalid, func(bad string) bool { return strings.HasPrefix(bad, p+"/") })
	})
}

// given reports whether the value at the pointer is the file's own (or its
// default): neither it nor what holds it was replaced. Its contents may be
// invalid.
func (v *validator) given(path string) bool {
	return !slices.ContainsFunc(v.invalid, func(bad string) bool { return bad == path || strings.HasPrefix(path, bad+"/") })
}

// enforced reports whether the guardrail rule is known not to be waived.
func (v *validator) enforced(rule string) bool {
	if !v.given("/guardrails/waivers") {
		return false
	}
	for i := range v.cfg.Guardrails.Waivers {
		if !v.ok(fmt.Sprintf("/guardrails/waivers/%d/rule", i)) {
			return false
		}
	}
	return !slices.ContainsFunc(v.cfg.Guardrails.Waivers, func(w Waiver) bool { return w.Rule == rule })
}

func (v *validator) nodePool() {
	c := v.cfg
	if !v.ok("/vmSize") {
		return
	}
	size, known := LookupVMSize(c.VMSize)
	switch {
	case !known:
		v.add("/vmSize", c.VMSize,
			"unknown VM size; this project knows (and can price) the sizes AKS accepts for a system pool: %s", systemPoolSizes())
	case size.VCPU < MinSystemPoolVCPU || size.MemoryGiB < MinSystemPoolMemoryGiB:
		v.add("/vmSize", c.VMSize,
			"%s has %d vCPU and %g GiB of memory; AKS rejects system node pools with less than %d vCPU and %d GiB; use one of: %s",
			size.Name, size.VCPU, size.MemoryGiB, MinSystemPoolVCPU, MinSystemPoolMemoryGiB, systemPoolSizes())
	case !size.Burstable() || !v.ok("/production"):
		// Nothing more to check, or production is unknown.
	case c.Production:
		v.add("/vmSize", c.VMSize,
			"production forbids it: Microsoft does not support B-series (burstable) VMs for system node pools; use one of: %s", systemPoolSizes())
	case !c.BurstableSystemPool && v.ok("/burstableSystemPool"):
		v.add("/vmSize", c.VMSize,
			"Microsoft does not support B-series (burstable) VMs for system node pools; use one of: %s, or set \"burstableSystemPool\": true to accept an unsupported size in development", systemPoolSizes())
	}
}

// network checks the cluster's networks against each other and against
// what AKS reserves. An invalid network parses as the zero prefix, and the
// checks that read it are skipped.
func (v *validator) network() {
	n := v.cfg.Network
	vnet, _ := netip.ParsePrefix(n.VNetCIDR)
	subnet, _ := netip.ParsePrefix(n.NodeSubnetCIDR)
	pods, _ := netip.ParsePrefix(n.PodCIDR)
	services, _ := netip.ParsePrefix(n.ServiceCIDR)
	dns, _ := netip.ParseAddr(n.DNSServiceIP)
	v.apply([]check{
		{"/network/nodeSubnetCidr", n.NodeSubnetCIDR, !exposure.Within(subnet, vnet), []string{"/network/vnetCidr"},
			"the node subnet must lie inside network.vnetCidr " + n.VNetCIDR},
		{"/network/nodeSubnetCidr", n.NodeSubnetCIDR, subnet.Bits() > 28, nil,
			"the node subnet is too small for AKS nodes and upgrades; use /28 or larger (such as /24)"},
		{"/network/serviceCidr", n.ServiceCIDR, vnet.Overlaps(services), []string{"/network/vnetCidr"},
			"overlaps network.vnetCidr " + n.VNetCIDR + "; AKS refuses a service CIDR inside the virtual network (use for example 10.96.0.0/16)"},
		{"/network/podCidr", n.PodCIDR, vnet.Overlaps(pods), []string{"/network/vnetCidr"},
			"overlaps network.vnetCidr " + n.VNetCIDR + "; the Azure CNI overlay pod CIDR must be outside the virtual network (use for example 10.244.0.0/16)"},
		{"/network/podCidr", n.PodCIDR, pods.Overlaps(services), []string{"/network/serviceCidr"},
			"overlaps network.serviceCidr " + n.ServiceCIDR + "; pods and services need separate ranges"},
		{"/network/dnsServiceIp", n.DNSServiceIP, !services.Contains(dns) || dns == services.Addr(), []string{"/network/serviceCidr"},
			"must be an address inside network.serviceCidr " + n.ServiceCIDR + " other than its first (such as the .10 address)"},
	})
	for _, f := range []struct {
		path, value string
		prefix      netip.Prefix
	}{
		{"/network/vnetCidr", n.VNetCIDR, vnet},
		{"/network/podCidr", n.PodCIDR, pods},
		{"/network/serviceCidr", n.ServiceCIDR, services},
	} {
		for _, r := range AKSReservedRanges {
			if f.prefix.Overlaps(r) && v.ok(f.path) {
				v.add(f.path, f.value, "overlaps %s, which AKS reserves: the virtual network, pod and service ranges may not use %s", r, exposure.List(AKSReservedRanges))
			}
		}
	}
}

// AKSReservedRanges are used by AKS itself, so Microsoft's AKS networking
// documentation forbids them for the service, pod and virtual network
// address ranges.
var AKSReservedRanges = exposure.Prefixes("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24")

// adminExposure refuses networks that admit the internet to the node's
// admin ports, as guardrail NET-001 would at synthesis (package exposure):
// the node subnet's security group admits network.adminCidrs to SSH (22)
// and the IPFS RPC API (5001), and network.podCidr to every port, alone
// and together. Production refuses broad admin networks whatever the
// waivers: they also open the Kubernetes API and the vault and storage
// firewalls.
func (v *validator) adminExposure() {
	c := v.cfg
	if !v.ok("/production") {
		return
	}
	net001 := v.enforced("NET-001")
	if !c.Production && !net001 {
		return
	}
	const opens = "would open SSH (22), the IPFS RPC API (5001, full control of the node), the Kubernetes API and the Key Vault and storage firewalls to a large part of the internet (guardrail NET-001)"
	specific := fmt.Sprintf("list specific networks, such as your office's public range, covering at most %d public IPv4 addresses (a %s) in total",
		exposure.MaxIPv4, exposure.MaxIPv4Prefix)
	advice := specific + ", or waive NET-001 in guardrails.waivers with the reason"
	if c.Production {
		advice = "production must " + specific
	}
	var admins []netip.Prefix
	allValid := v.given("/network/adminCidrs")
	single := false
	for i, cidr := range c.Network.AdminCIDRs {
		path := fmt.Sprintf("/network/adminCidrs/%d", i)
		if !v.ok(path) {
			allValid = false
			continue
		}
		p := netip.MustParsePrefix(cidr)
		admins = append(admins, p)
		if space := exposure.Measure([]netip.Prefix{p}); space.TooBroad() {
			single = true
			v.add(path, cidr, "covers %s: it %s; %s", space, opens, advice)
		}
	}
	together := exposure.Measure(admins)
	if allValid && !single && together.TooBroad() {
		v.add("/network/adminCidrs", nil, "together these networks cover %s: they %s; %s", together, opens, advice)
	}

	if !net001 || !v.ok("/network/podCidr") {
		return
	}
	pod := netip.MustParsePrefix(c.Network.PodCIDR)
	const private = "use a private range such as 10.244.0.0/16"
	if space := exposure.Measure([]netip.Prefix{pod}); space.TooBroad() {
		v.add("/network/podCidr", c.Network.PodCIDR, "covers %s, a large part of the internet, which the node subnet's security group admits to every port (guardrail NET-001); %s", space, private)
	} else if space := exposure.Measure(append(admins, pod)); allValid && !single && !together.TooBroad() && space.TooBroad() {
		v.add("/network/podCidr", c.Network.PodCIDR, "with network.adminCidrs, the networks admitted to SSH (22) and the IPFS RPC API (5001) cover %s, a large part of the internet (guardrail NET-001): the node subnet's security group admits the pod range to every port; %s", space, private)
	}
}

// check is one rule for [validator.apply]: the value at path is reported
// with msg when broken, unless it or a value in reads is invalid.
type check struct {
	path   string
	value  any
	broken bool
	reads  []string
	msg    string
}

func (v *validator) apply(checks []check) {
	for _, c := range checks {
		if c.broken && v.ok(c.path) && v.ok(c.reads...) {
			v.add(c.path, c.value, "%s", c.msg)
		}
	}
}

// production enforces what a production environment must not relax.
func (v *validator) production() {
	c := v.cfg
	if !c.Production || !v.ok("/production") {
		return
	}
	const why = "production forbids it"
	v.apply([]check{
		{"/kubernetes/localAccountsEnabled", true, c.Kubernetes.LocalAccountsEnabled, nil, why + ": local accounts bypass Microsoft Entra ID and cannot be revoked per person; set false"},
		{"/network/adminCidrs", nil, len(c.Network.AdminCIDRs) == 0, nil, "production needs at least one admin CIDR: it restricts the Kubernetes API server's authorized IP ranges and the Key Vault and storage firewalls"},
		{"/keyVault/networkDefaultAction", c.KeyVault.NetworkDefaultAction, c.KeyVault.NetworkDefaultAction != "Deny", nil, why + " (guardrail KV-002): the vault holds the node's secrets; set \"Deny\" (admin CIDRs, the deployer's addresses and trusted Azure services stay allowed)"},
		{"/keyVault/purgeProtection", false, !c.KeyVault.PurgeProtection, nil, why + " (guardrail KV-001): without purge protection a deleted vault's secrets can be destroyed at once; set true"},
		{"/storageAccount/networkDefaultAction", c.StorageAccount.NetworkDefaultAction, c.StorageAccount.NetworkDefaultAction != "Deny", nil, why + ": logs and backups stay behind the firewall; set \"Deny\""},
		{"/workload/devSecrets", true, c.Workload.DevSecrets, nil, why + ": production reads its secrets from Key Vault through workload identity, not from a Kubernetes Secret written by Terraform; set false"},
		{"/alerts/emails", nil, len(c.Alerts.Emails) == 0, nil, "production needs at least one alert receiver, or a failing node goes unnoticed"},
		{"/backend/type", c.Backend.Type, c.Backend.Type != BackendAzureRM, nil, "production state must live in the shared azurerm backend (Azure Storage with Microsoft Entra ID auth), not on one machine; set \"azurerm\" with resourceGroupName and storageAccountName"},
	})
}

// consistency checks fields that only make sense together.
func (v *validator) consistency() {
	c := v.cfg
	k, azurerm := c.Kubernetes, c.Backend.Type == BackendAzureRM
	const twoHyphens = "storage container names cannot contain two hyphens in a row"
	v.apply([]check{
		{"/kubernetes/providerAuth", k.ProviderAuth, k.ProviderAuth == AuthAdminCertificate && !k.LocalAccountsEnabled, []string{"/kubernetes/localAccountsEnabled"},
			"the admin certificate exists only with kubernetes.localAccountsEnabled; use \"kubelogin\" or enable local accounts"},
		{"/kubernetes/nodeOsUpgradeChannel", k.NodeOSUpgradeChannel, k.AutomaticUpgradeChannel == "node-image" && k.NodeOSUpgradeChannel != "NodeImage", []string{"/kubernetes/automaticUpgradeChannel"},
			"must be \"NodeImage\" when kubernetes.automaticUpgradeChannel is \"node-image\" (AKS and the azurerm provider refuse anything else)"},
		{"/policy/azurePolicyAddon", false, (c.Policy.NoPrivilegedContainers || c.Policy.NoPrivilegeEscalation) && !c.Policy.AzurePolicyAddon, []string{"/policy/noPrivilegedContainers", "/policy/noPrivilegeEscalation"},
			"the Kubernetes policies (noPrivilegedContainers, noPrivilegeEscalation) need the Azure Policy add-on to act; set true or turn those policies off"},
		{"/policy/allowedLocations", c.Policy.AllowedLocations, len(c.Policy.AllowedLocations) > 0 && !slices.Contains(c.Policy.AllowedLocations, c.Location), []string{"/location"},
			fmt.Sprintf("must include the environment's location %q, or every resource would be denied", c.Location)},
		{"/alerts/windowSize", c.Alerts.WindowSize, durationMinutes[c.Alerts.WindowSize] < durationMinutes[c.Alerts.Frequency], []string{"/alerts/frequency"},
			"must be at least alerts.frequency " + c.Alerts.Frequency},
		{"/backend/resourceGroupName", "", azurerm && c.Backend.ResourceGroupName == "", []string{"/backend/type"},
			"the azurerm backend needs the resource group of the state storage account"},
		{"/backend/storageAccountName", "", azurerm && c.Backend.StorageAccountName == "", []string{"/backend/type"},
			"the azurerm backend needs the state storage account name (3 to 24 lower-case letters or digits)"},
		{"/storageAccount/logsContainer", c.StorageAccount.LogsContainer, strings.Contains(c.StorageAccount.LogsContainer, "--"), nil, twoHyphens},
		{"/backend/containerName", c.Backend.ContainerName, strings.Contains(c.Backend.ContainerName, "--"), nil, twoHyphens},
	})
}

// MaxTags is how many tags Azure allows on one resource.
const MaxTags = 50

// tags checks the tags as Azure sees them: with the automatic ones, names
// compared without regard to case.
func (v *validator) tags() {
	c := v.cfg
	if !v.given("/tags") {
		return
	}
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
	// Counted only once the schema accepts every tag.
	if n := len(c.AllTags()); n > MaxTags && v.ok("/tags") {
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
			path := fmt.Sprintf("%s/%d", list.path, i)
			if !v.ok(path) {
				continue
			}
			key := strings.ToLower(e)
			if prev, ok := seen[key]; ok {
				v.add(path, e, "repeats %q (addresses are compared without regard to case); list each receiver once", prev)
				continue
			}
			seen[key] = e
		}
	}
}

// MinWaiverReason is the least number of characters of a waiver's reason,
// blanks at either end and repeated inside not counted.
const MinWaiverReason = 20

// waivers checks that each waiver names a rule, once, with a reason.
func (v *validator) waivers() {
	seen := map[string]bool{}
	for i, w := range v.cfg.Guardrails.Waivers {
		path := fmt.Sprintf("/guardrails/waivers/%d/rule", i)
		if v.ok(path) {
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
		}
		reason := fmt.Sprintf("/guardrails/waivers/%d/reason", i)
		if n := utf8.RuneCountInString(strings.Join(strings.Fields(w.Reason), " ")); n < MinWaiverReason && v.ok(reason) {
			v.add(reason, w.Reason, "has %d characters besides blanks; a waiver needs a written reason of at least %d", n, MinWaiverReason)
		}
	}
}

// requiredTags checks guardrails.requiredTags against the tags every
// resource gets (guardrail TAG-001), which an empty list switches off.
func (v *validator) requiredTags() {
	c := v.cfg
	if !v.ok("/guardrails/requiredTags") || !v.enforced("TAG-001") {
		return
	}
	if len(c.Guardrails.RequiredTags) == 0 {
		v.add("/guardrails/requiredTags", nil,
			"an empty list switches the guardrail TAG-001 off; list the tags every resource must carry (the default is project, environment, managed-by), or waive TAG-001 in guardrails.waivers with the reason")
		return
	}
	if !v.ok("/tags") {
		return
	}
	tags := c.AllTags()
	for i, name := range c.Guardrails.RequiredTags {
		if len(guardrails.MissingTags(tags, []string{name})) == 0 {
			continue
		}
		if value, set := tags[name]; set {
			v.add(jsondoc.Pointer([]string{"tags", name}), value,
				"guardrails.requiredTags requires this tag on every taggable resource, and an empty value counts as missing (guardrail TAG-001): give it a value")
			continue
		}
		also := ""
		names := slices.Sorted(maps.Keys(tags))
		if j := slices.IndexFunc(names, func(k string) bool { return strings.EqualFold(k, name) }); j >= 0 {
			also = fmt.Sprintf(" (it sets %q: required tags are compared exactly)", names[j])
		}
		v.add(fmt.Sprintf("/guardrails/requiredTags/%d", i), name,
			"every taggable resource must carry this tag (guardrail TAG-001), and tags does not set it%s: add %q: \"<value>\" to tags, or take it out of guardrails.requiredTags", also, name)
	}
}

// credentials refuses what guardrail SEC-001 would find in the stacks:
// strings shaped like credentials, and tags named like credential
// attributes.
func (v *validator) credentials(found map[string]string) {
	if !v.enforced("SEC-001") {
		return
	}
	for _, path := range slices.Sorted(maps.Keys(found)) {
		v.add(path, nil, "holds what looks like %s (not shown here): a credential does not belong in a configuration file, which is committed and written into the synthesized stacks, where guardrail SEC-001 refuses it; remove it: secrets reach the stacks as sensitive variables (TF_VAR_...)", found[path])
	}
	for _, k := range slices.Sorted(maps.Keys(v.cfg.Tags)) {
		path := jsondoc.Pointer([]string{"tags", k})
		if guardrails.IsCredentialKey(k) && v.given(path) && found[path] == "" {
			v.add(path, v.cfg.Tags[k], "a tag named %q goes into every resource's tags, where guardrail SEC-001 takes a literal under that name for a credential; rename the tag", k)
		}
	}
}

// findCredentials returns the pointers of the strings in doc that look like
// credentials, with what they look like.
func findCredentials(doc any) map[string]string {
	found := map[string]string{}
	var walk func(v any, loc []string)
	walk = func(v any, loc []string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(e, append(slices.Clip(loc), k))
			}
		case []any:
			for i, e := range v {
				walk(e, append(slices.Clip(loc), fmt.Sprint(i)))
			}
		case string:
			if what, ok := guardrails.LooksLikeCredential(v); ok {
				found[jsondoc.Pointer(loc)] = what
			}
		}
	}
	walk(doc, nil)
	return found
}

// names checks the lengths and shapes Azure imposes on derived names.
func (v *validator) names() {
	if !environmentName.MatchString(v.cfg.Environment) || !v.ok("/namePrefix", "/uniqueSuffix") {
		return
	}
	n := v.cfg.Names()
	for _, d := range [][2]string{{"storage account", n.StorageAccount}, {"Key Vault", n.KeyVault}} {
		if l := len(d[1]); l < 3 || l > 24 {
			v.add("/uniqueSuffix", v.cfg.UniqueSuffix, "the derived %s name %q has %d characters; Azure allows 3 to 24: shorten namePrefix, the environment name or uniqueSuffix", d[0], d[1], l)
		}
	}
	if l := len(n.DNSLabel); (l < 3 || l > 63) && v.ok("/network/dnsLabel") {
		v.add("/network/dnsLabel", n.DNSLabel, "a DNS label has 3 to 63 characters")
	}
}

// durationMinutes are the ISO 8601 durations the schema allows, in
// minutes.
var durationMinutes = map[string]int{
	"PT1M": 1, "PT5M": 5, "PT15M": 15, "PT30M": 30, "PT1H": 60, "PT6H": 360, "PT12H": 720, "P1D": 1440,
}
