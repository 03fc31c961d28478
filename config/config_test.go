package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
)

// minimal is the smallest valid development file: everything else defaults.
// The tag project is required (guardrails.requiredTags) and has no default.
const minimal = `{"tags": {"project": "demo"}, "budget": {"amount": 50, "emails": ["ops@example.com"]}}`

// production is the smallest valid production file.
const production = `{
  "production": true,
  "tags": {"project": "demo"},
  "network": {"adminCidrs": ["203.0.113.0/24"]},
  "alerts": {"emails": ["ops@example.com"]},
  "budget": {"amount": 50, "emails": ["ops@example.com"]},
  "backend": {"type": "azurerm", "resourceGroupName": "state-rg", "storageAccountName": "statestore"}
}`

// with returns base with the JSON object patch merged in (objects merge
// recursively; a null deletes the key).
func with(t *testing.T, base, patch string) []byte {
	t.Helper()
	var b, p map[string]any
	if err := json.Unmarshal([]byte(base), &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(patch), &p); err != nil {
		t.Fatal(err)
	}
	merge(b, p)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want a *config.Error, got %T %v", err, err)
	}
	return cerr.Problems
}

// TestRepositoryConfigsAreValid: the environments of config/ (whatever
// their number and values) are valid. What else they must satisfy is
// checked where it is computed: they synthesize past the guardrails
// (stacks) and stay within budget (tools/cost).
func TestRepositoryConfigsAreValid(t *testing.T) {
	cfgs, err := LoadDir(".")
	if err != nil {
		t.Fatalf("config/*.json: %v", err)
	}
	if len(cfgs) == 0 {
		t.Fatal("config/ holds no environment")
	}
}

// TestFixturesKeepTheDesignsSettings: the fixture environments that the
// tests and goldens use (testdata/config) carry the original design's
// settings.
func TestFixturesKeepTheDesignsSettings(t *testing.T) {
	cfgs, err := LoadDir("../testdata/config")
	if err != nil {
		t.Fatalf("testdata/config/*.json: %v", err)
	}
	var envs []string
	for _, c := range cfgs {
		envs = append(envs, c.Environment)
	}
	if !slices.Equal(envs, []string{"dev", "prod"}) {
		t.Fatalf("environments = %v, want [dev prod]", envs)
	}
	dev, prod := cfgs[0], cfgs[1]
	if dev.Production || !prod.Production {
		t.Errorf("production flags: dev %v, prod %v; want false, true", dev.Production, prod.Production)
	}
	for _, c := range cfgs {
		if c.Location != "eastus" || c.NodeCount != 1 || c.ContainerRegistry != "github" {
			t.Errorf("%s: location %q nodeCount %d containerRegistry %q; want eastus, 1, github", c.Environment, c.Location, c.NodeCount, c.ContainerRegistry)
		}
	}
	if dev.StorageSize != 1 || prod.StorageSize != 5 {
		t.Errorf("storageSize: dev %d, prod %d; want 1 and 5 GB", dev.StorageSize, prod.StorageSize)
	}
	if dev.EnableBackups || !prod.EnableBackups {
		t.Errorf("enableBackups: dev %v, prod %v; want false, true", dev.EnableBackups, prod.EnableBackups)
	}
	if dev.Monitoring != MonitoringBasic || prod.Monitoring != MonitoringLogAnalytics {
		t.Errorf("monitoring: dev %q, prod %q; want basic (Kubernetes-native) and log-analytics", dev.Monitoring, prod.Monitoring)
	}
}

func TestDefaultsComeFromTheSchema(t *testing.T) {
	cfg, err := Parse("dev.json", "dev", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"location", cfg.Location, "eastus"},
		{"namePrefix", cfg.NamePrefix, "perpetual"},
		{"vmSize", cfg.VMSize, "Standard_D2s_v5"},
		{"burstableSystemPool", cfg.BurstableSystemPool, false},
		{"nodeCount", cfg.NodeCount, 1},
		{"storageSize", cfg.StorageSize, 1},
		{"kubernetes.version", cfg.Kubernetes.Version, "1.35"},
		{"kubernetes.skuTier", cfg.Kubernetes.SkuTier, "Free"},
		{"kubernetes.localAccountsEnabled", cfg.Kubernetes.LocalAccountsEnabled, false},
		{"kubernetes.maintenanceWindow.dayOfWeek", cfg.Kubernetes.MaintenanceWindow.DayOfWeek, "Sunday"},
		{"network.vnetCidr", cfg.Network.VNetCIDR, "10.0.0.0/16"},
		{"network.serviceCidr", cfg.Network.ServiceCIDR, "10.96.0.0/16"},
		{"keyVault.purgeProtection", cfg.KeyVault.PurgeProtection, true},
		{"keyVault.networkDefaultAction", cfg.KeyVault.NetworkDefaultAction, "Deny"},
		{"logAnalytics.dailyQuotaGb", cfg.LogAnalytics.DailyQuotaGB, 0.16},
		{"logAnalytics.retentionDays", cfg.LogAnalytics.RetentionDays, 30},
		{"alerts.frequency", cfg.Alerts.Frequency, "PT5M"},
		{"alerts.windowSize", cfg.Alerts.WindowSize, "PT15M"},
		{"budget.actualThresholdPercent", cfg.Budget.ActualThresholdPercent, 80},
		{"backup.retentionDays", cfg.Backup.RetentionDays, 7},
		{"workload.namespace", cfg.Workload.Namespace, "perpetual"},
		{"backend.type", cfg.Backend.Type, BackendLocal},
		{"guardrails.requiredTags", cfg.Guardrails.RequiredTags, []string{"project", "environment", "managed-by"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("default %s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if cfg.Environment != "dev" || cfg.File != "dev.json" {
		t.Errorf("environment %q file %q", cfg.Environment, cfg.File)
	}
}

// TestMalformedConfigs breaks one thing at a time and checks the message:
// the file, the JSON path, the value and what is allowed.
func TestMalformedConfigs(t *testing.T) {
	cases := []struct {
		name string
		env  string
		data []byte
		// want are substrings of one problem's text.
		want []string
	}{
		{"unknown top-level field", "dev", with(t, minimal, `{"colour": "red"}`),
			[]string{`dev.json: /colour = "red": unknown field; the fields here are $schema, alerts, backend,`}},
		{"unknown nested field", "dev", with(t, minimal, `{"kubernetes": {"release": "1.35"}}`),
			[]string{`dev.json: /kubernetes/release = "1.35": unknown field; the fields here are adminGroupObjectIds,`}},
		{"wrong type", "dev", with(t, minimal, `{"nodeCount": "1"}`),
			[]string{`dev.json: /nodeCount = "1": must be a whole number, not a string (text in quotes); write 1 without quotes`}},
		{"below minimum", "dev", with(t, minimal, `{"nodeCount": 0}`),
			[]string{"dev.json: /nodeCount = 0: must be at least 1"}},
		{"budget of nothing", "dev", with(t, minimal, `{"budget": {"amount": 0}}`),
			[]string{"dev.json: /budget/amount = 0: must be more than 0"}},
		{"seed's node size", "dev", with(t, minimal, `{"vmSize": "Standard_B1ms"}`),
			[]string{`/vmSize = "Standard_B1ms":`, "1 vCPU and 2 GiB", "AKS rejects system node pools with less than 2 vCPU and 4 GiB", "Standard_D2s_v5"}},
		{"B-series system pool without the opt-in", "dev", with(t, minimal, `{"vmSize": "Standard_B2als_v2"}`),
			[]string{`/vmSize = "Standard_B2als_v2":`, "does not support B-series", `"burstableSystemPool": true`}},
		{"B-series system pool in production", "prod", with(t, production, `{"vmSize": "Standard_B2als_v2", "burstableSystemPool": true}`),
			[]string{`prod.json: /vmSize = "Standard_B2als_v2":`, "production forbids it", "Standard_D2s_v5"}},
		{"unknown node size", "dev", with(t, minimal, `{"vmSize": "Standard_Z9"}`),
			[]string{`/vmSize = "Standard_Z9":`, "unknown VM size", "Standard_D2s_v5"}},
		{"end-of-life Kubernetes", "dev", with(t, minimal, `{"kubernetes": {"version": "1.28"}}`),
			[]string{`/kubernetes/version = "1.28": must be one of "1.35", "1.36", "1.37"`, "AKS release calendar"}},
		{"admin CIDR wildcard", "dev", with(t, minimal, `{"network": {"adminCidrs": ["*"]}}`),
			[]string{`/network/adminCidrs/0 = "*": is not an IPv4 network in CIDR notation, such as 10.0.0.0/16 or 198.51.100.7/32`}},
		{"admin CIDR a bare address", "dev", with(t, minimal, `{"network": {"adminCidrs": ["198.51.100.7"]}}`),
			[]string{`/network/adminCidrs/0 = "198.51.100.7": is an address, not a network; for this address alone write "198.51.100.7/32"`}},
		{"admin CIDR with host bits", "dev", with(t, minimal, `{"network": {"adminCidrs": ["10.0.0.1/8"]}}`),
			[]string{`/network/adminCidrs/0 = "10.0.0.1/8": has host bits set: the network is "10.0.0.0/8", or for the address alone write "10.0.0.1/32"`}},
		{"admin ports open to the internet in prod", "prod", with(t, production, `{"network": {"adminCidrs": ["0.0.0.0/0"]}}`),
			[]string{`prod.json: /network/adminCidrs/0 = "0.0.0.0/0":`, "SSH (22)", "IPFS RPC API (5001", "guardrail NET-001", "production must list specific networks"}},
		{"admin ports open to the internet in development (NET-001)", "dev", with(t, minimal, `{"network": {"adminCidrs": ["0.0.0.0/0"]}}`),
			[]string{`dev.json: /network/adminCidrs/0 = "0.0.0.0/0": covers 3702258688 public IPv4 addresses: it would open SSH (22)`, "(guardrail NET-001)", "or waive NET-001 in guardrails.waivers with the reason"}},
		{"a public pod range, admitted to every port (NET-001)", "dev", with(t, minimal, `{"network": {"podCidr": "64.0.0.0/2"}}`),
			[]string{`dev.json: /network/podCidr = "64.0.0.0/2": covers 1052770304 public IPv4 addresses, a large part of the internet, which the node subnet's security group admits to every port (guardrail NET-001)`}},
		{"a pod range that with the admin networks admits the internet (NET-001)", "dev", with(t, minimal, `{"network": {"podCidr": "11.0.0.0/8", "adminCidrs": ["12.0.0.0/8"]}}`),
			[]string{`dev.json: /network/podCidr = "11.0.0.0/8": with network.adminCidrs, the networks admitted to SSH (22) and the IPFS RPC API (5001) cover 33554432 public IPv4 addresses`, "(guardrail NET-001)"}},
		{"a required tag not set (TAG-001)", "dev", with(t, minimal, `{"tags": {"project": null, "Project": "demo"}}`),
			[]string{`dev.json: /guardrails/requiredTags/0 = "project": every taggable resource must carry this tag (guardrail TAG-001), and tags does not set it (it sets "Project": required tags are compared exactly)`}},
		{"a required tag left empty (TAG-001)", "dev", with(t, minimal, `{"tags": {"owner": ""}, "guardrails": {"requiredTags": ["project", "owner"]}}`),
			[]string{`dev.json: /tags/owner = "": guardrails.requiredTags requires this tag`, "(guardrail TAG-001)"}},
		{"a token in a tag (SEC-001)", "dev", with(t, minimal, `{"tags": {"owner": "ghp_0123456789abcdefghijABCDEFGHIJ0123"}}`),
			[]string{"dev.json: /tags/owner: holds what looks like a GitHub token (not shown here)", "guardrail SEC-001"}},
		{"a tag named like a credential (SEC-001)", "dev", with(t, minimal, `{"tags": {"token": "blue"}}`),
			[]string{`dev.json: /tags/token = "blue": a tag named "token" goes into every resource's tags, where guardrail SEC-001`}},
		{"service CIDR inside the VNet", "dev", with(t, minimal, `{"network": {"serviceCidr": "10.0.0.0/16", "dnsServiceIp": "10.0.0.10"}}`),
			[]string{`/network/serviceCidr = "10.0.0.0/16":`, "overlaps network.vnetCidr 10.0.0.0/16"}},
		{"subnet outside the VNet", "dev", with(t, minimal, `{"network": {"nodeSubnetCidr": "10.1.0.0/24"}}`),
			[]string{`/network/nodeSubnetCidr = "10.1.0.0/24":`, "inside network.vnetCidr 10.0.0.0/16"}},
		{"DNS service IP outside the service CIDR", "dev", with(t, minimal, `{"network": {"dnsServiceIp": "10.97.0.10"}}`),
			[]string{`/network/dnsServiceIp = "10.97.0.10":`, "inside network.serviceCidr 10.96.0.0/16"}},
		{"DNS service IP at the start of the service CIDR", "dev", with(t, minimal, `{"network": {"dnsServiceIp": "10.96.0.0"}}`),
			[]string{`/network/dnsServiceIp = "10.96.0.0":`, "other than its first"}},
		{"node subnet smaller than a /28", "dev", with(t, minimal, `{"network": {"nodeSubnetCidr": "10.0.1.0/29"}}`),
			[]string{`/network/nodeSubnetCidr = "10.0.1.0/29":`, "too small for AKS nodes"}},
		{"budget missing", "dev", with(t, minimal, `{"budget": null}`),
			[]string{`dev.json: /budget: missing; it is required: monthly cost budget on the resource group; add for example "budget": {"amount": 50, "emails": ["ops@example.com"]}`}},
		{"budget amount missing", "dev", with(t, minimal, `{"budget": {"amount": null}}`),
			[]string{`dev.json: /budget/amount: missing; it is required: monthly budget; add for example "amount": 50`}},
		{"fractional budget threshold", "dev", with(t, minimal, `{"budget": {"actualThresholdPercent": 80.5}}`),
			[]string{`/budget/actualThresholdPercent = 80.5: must be a whole number`}},
		{"budget e-mail", "dev", with(t, minimal, `{"budget": {"emails": ["ops-at-example.com"]}}`),
			[]string{`/budget/emails/0 = "ops-at-example.com": is not an e-mail address such as ops@example.com (missing @)`}},
		{"no budget receiver", "dev", with(t, minimal, `{"budget": {"emails": []}}`),
			[]string{`/budget/emails: lists 0 entries; at least 1 entry needed`}},
		{"a receiver twice", "dev", with(t, minimal, `{"budget": {"emails": ["ops@example.com", "ops@example.com"]}}`),
			[]string{`/budget/emails/1 = "ops@example.com": repeats /budget/emails/0; list each value once`}},
		{"a region in capitals", "dev", with(t, minimal, `{"location": "East US"}`),
			[]string{`/location = "East US": must be a lower-case Azure region name such as "eastus" or "westeurope"`}},
		{"a tag name the schema refuses", "dev", with(t, minimal, `{"tags": {"9lives": "x"}}`),
			[]string{`/tags/9lives: "9lives" is not an allowed name; allowed: a tag name: a letter, then up to 127 letters`}},
		{"a tag value too long", "dev", with(t, minimal, fmt.Sprintf(`{"tags": {"note": %q}}`, strings.Repeat("x", 257))),
			[]string{`/tags/note = "xxx`, `has 257 characters; at most 256 characters allowed`}},
		{"an Entra group that is no UUID", "dev", with(t, minimal, `{"kubernetes": {"adminGroupObjectIds": ["admins"]}}`),
			[]string{`/kubernetes/adminGroupObjectIds/0 = "admins": is not a UUID`}},
		{"a DNS service address that is no address", "dev", with(t, minimal, `{"network": {"dnsServiceIp": "10.96.0"}}`),
			[]string{`/network/dnsServiceIp = "10.96.0": is not an IPv4 address`}},
		{"a waiver without its reason", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-001"}]}}`),
			[]string{`/guardrails/waivers/0/reason: missing; it is required: why the rule does not apply to this environment`}},
		{"local accounts in prod", "prod", with(t, production, `{"kubernetes": {"localAccountsEnabled": true}}`),
			[]string{"/kubernetes/localAccountsEnabled = true:", "production forbids it"}},
		{"open Key Vault in prod", "prod", with(t, production, `{"keyVault": {"networkDefaultAction": "Allow"}}`),
			[]string{`/keyVault/networkDefaultAction = "Allow":`, `set "Deny"`}},
		{"no purge protection in prod", "prod", with(t, production, `{"keyVault": {"purgeProtection": false}}`),
			[]string{"/keyVault/purgeProtection = false:", "purge protection"}},
		{"dev secrets in prod", "prod", with(t, production, `{"workload": {"devSecrets": true}}`),
			[]string{"/workload/devSecrets = true:", "Key Vault through workload identity"}},
		{"local state in prod", "prod", with(t, production, `{"backend": {"type": "local"}}`),
			[]string{`/backend/type = "local":`, "shared azurerm backend"}},
		{"no admin CIDRs in prod", "prod", with(t, production, `{"network": {"adminCidrs": []}}`),
			[]string{"prod.json: /network/adminCidrs:", "at least one admin CIDR"}},
		{"admin certificate without local accounts", "dev", with(t, minimal, `{"kubernetes": {"providerAuth": "admin-certificate"}}`),
			[]string{`/kubernetes/providerAuth = "admin-certificate":`, "localAccountsEnabled"}},
		{"node image channel with another OS channel", "dev", with(t, minimal, `{"kubernetes": {"automaticUpgradeChannel": "node-image", "nodeOsUpgradeChannel": "SecurityPatch"}}`),
			[]string{`/kubernetes/nodeOsUpgradeChannel = "SecurityPatch":`, `must be "NodeImage"`}},
		{"azurerm backend without account", "dev", with(t, minimal, `{"backend": {"type": "azurerm"}}`),
			[]string{"/backend/storageAccountName", "state storage account name"}},
		{"unknown waiver", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-999", "reason": "because we said so, in writing"}]}}`),
			[]string{`/guardrails/waivers/0/rule = "NET-999":`, "unknown guardrail rule", "NET-001"}},
		{"waiver without a real reason", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-001", "reason": "ok"}]}}`),
			[]string{`/guardrails/waivers/0/reason = "ok":`, "at least 20 characters"}},
		{"names too long for Azure", "abcdef", with(t, minimal, `{"namePrefix": "abcdefghij", "uniqueSuffix": "abcde"}`),
			[]string{`/uniqueSuffix = "abcde":`, `Key Vault name "abcdefghij-abcdef-kv-abcde" has 26 characters`}},
		{"alert window shorter than frequency", "dev", with(t, minimal, `{"alerts": {"frequency": "PT15M", "windowSize": "PT5M"}}`),
			[]string{`/alerts/windowSize = "PT5M":`, "at least alerts.frequency PT15M"}},
		{"allowed locations without the location", "dev", with(t, minimal, `{"policy": {"allowedLocations": ["westeurope"]}}`),
			[]string{"/policy/allowedLocations", `location "eastus"`}},
		{"Kubernetes policies without the add-on", "dev", with(t, minimal, `{"policy": {"azurePolicyAddon": false}}`),
			[]string{"/policy/azurePolicyAddon = false:", "need the Azure Policy add-on"}},
		{"duplicate key", "prod", []byte(strings.Replace(production, `"production": true,`, `"production": true, "budget": {"amount": 1, "emails": ["a@example.com"]},`, 1) + "\n"),
			[]string{"prod.json: /budget: duplicate key", "line 2 and again at line 6"}},
		{"duplicate key overriding production", "prod", []byte(strings.Replace(production, "\n}", ",\n  \"production\": false\n}", 1)),
			[]string{"prod.json: /production: duplicate key", `"production" appears at line 2 and again at line 8`}},
		{"duplicate nested key", "dev", []byte(`{"budget": {"amount": 50, "emails": ["ops@example.com"], "amount": 5000}}`),
			[]string{"dev.json: /budget/amount: duplicate key"}},
		{"duplicate key inside a list", "dev", []byte(`{"budget": {"amount": 50, "emails": ["ops@example.com"]}, "guardrails": {"waivers": [{"rule": "NET-001", "reason": "a reason long enough to count", "rule": "KV-001"}]}}`),
			[]string{"dev.json: /guardrails/waivers/0/rule: duplicate key"}},
		{"invalid UTF-8", "dev", []byte("{\"tags\": {\"owner\": \"caf\xe9\"},\n \"budget\": {\"amount\": 50, \"emails\": [\"ops@example.com\"]}}"),
			[]string{"dev.json: /: not valid UTF-8: line 1, column 24: byte 0xe9"}},
		{"admin CIDRs that split the internet in prod", "prod", with(t, production, `{"network": {"adminCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}}`),
			[]string{`prod.json: /network/adminCidrs/1 = "128.0.0.0/1":`, "covers 1609300992 public IPv4 addresses: it would open SSH (22)", "at most 16777216 public IPv4 addresses (a /8) in total"}},
		{"admin CIDRs in many parts in prod", "prod", with(t, production, `{"network": {"adminCidrs": ["1.0.0.0/8", "2.0.0.0/8", "203.0.113.0/24"]}}`),
			[]string{"prod.json: /network/adminCidrs:", "together these networks cover 33554432 public IPv4 addresses: they would open SSH (22)"}},
		{"admin CIDR half the internet in prod", "prod", with(t, production, `{"network": {"adminCidrs": ["128.0.0.0/1"]}}`),
			[]string{`prod.json: /network/adminCidrs/0 = "128.0.0.0/1":`, "a large part of the internet"}},
		{"pod CIDR in a range AKS reserves", "dev", with(t, minimal, `{"network": {"podCidr": "172.30.0.0/16"}}`),
			[]string{`/network/podCidr = "172.30.0.0/16":`, "overlaps 172.30.0.0/16, which AKS reserves"}},
		{"service CIDR in a range AKS reserves", "dev", with(t, minimal, `{"network": {"serviceCidr": "169.254.0.0/16", "dnsServiceIp": "169.254.0.10"}}`),
			[]string{`/network/serviceCidr = "169.254.0.0/16":`, "overlaps 169.254.0.0/16, which AKS reserves"}},
		{"service CIDR around a range AKS reserves", "dev", with(t, minimal, `{"network": {"serviceCidr": "172.16.0.0/12", "dnsServiceIp": "172.16.0.10"}}`),
			[]string{`/network/serviceCidr = "172.16.0.0/12":`, "overlaps 172.31.0.0/16, which AKS reserves"}},
		{"virtual network in a range AKS reserves", "dev", with(t, minimal, `{"network": {"vnetCidr": "172.31.0.0/16", "nodeSubnetCidr": "172.31.1.0/24"}}`),
			[]string{`/network/vnetCidr = "172.31.0.0/16":`, "AKS reserves"}},
		{"too many tags with the automatic ones", "dev", with(t, minimal, manyTags(49)),
			[]string{"dev.json: /tags:", "51 tags with the 2 added automatically (environment, managed-by)", "at most 50"}},
		{"tag names differing only in case", "dev", with(t, minimal, `{"tags": {"Owner": "a", "owner": "b"}}`),
			[]string{`/tags/owner = "b":`, `differs from the tag "Owner" only in case`}},
		{"a tag colliding with an automatic one", "dev", with(t, minimal, `{"tags": {"Environment": "staging"}}`),
			[]string{`/tags/Environment = "staging":`, `"environment" is set on every resource automatically`}},
		{"a waiver whose reason is blanks", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-001", "reason": "                         "}]}}`),
			[]string{"/guardrails/waivers/0/reason", "0 characters besides blanks", "at least 20"}},
		{"a waiver whose reason is padded", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-001", "reason": "   because     \t\n   "}]}}`),
			[]string{"/guardrails/waivers/0/reason", "7 characters besides blanks"}},
		{"required tags emptied", "dev", with(t, minimal, `{"guardrails": {"requiredTags": []}}`),
			[]string{"dev.json: /guardrails/requiredTags:", "switches the guardrail TAG-001 off", "waive TAG-001"}},
		{"alert e-mails differing only in case", "dev", with(t, minimal, `{"alerts": {"emails": ["ops@example.com", "Ops@Example.com"]}}`),
			[]string{`/alerts/emails/1 = "Ops@Example.com":`, `repeats "ops@example.com"`}},
		{"budget e-mails differing only in case", "dev", with(t, minimal, `{"budget": {"emails": ["ops@example.com", "OPS@EXAMPLE.COM"]}}`),
			[]string{`/budget/emails/1 = "OPS@EXAMPLE.COM":`, "without regard to case"}},
		{"not JSON", "dev", []byte("{\n  \"nodeCount\": 1,\n}"),
			[]string{"dev.json: /: not valid JSON: line 3, column 1"}},
		{"environment name from the file", "Dev_1", []byte(minimal),
			[]string{`environment name "Dev_1"`, "2 to 6 lower-case letters or digits", "for example to dev1.json"}},
		{"a long environment name", "staging", []byte(minimal),
			[]string{`environment name "staging"`, "storage account", "for example to stage.json"}},
		{"a misspelt waiver", "dev", with(t, minimal, `{"guardrails": {"waivers": [{"rule": "NET-01", "reason": "because we said so, in writing"}]}}`),
			[]string{`/guardrails/waivers/0/rule = "NET-01":`, `did you mean "NET-001"?`}},
		{"a misspelt field", "dev", with(t, minimal, `{"nodeCuont": 2}`),
			[]string{`dev.json: /nodeCuont = 2: unknown field; did you mean "nodeCount"?`}},
		{"a misspelt value", "dev", with(t, minimal, `{"keyVault": {"networkDefaultAction": "deny"}}`),
			[]string{`/keyVault/networkDefaultAction = "deny": must be one of "Allow", "Deny" (did you mean "Deny"?)`}},
		{"a number in quotes", "dev", with(t, minimal, `{"production": "false"}`),
			[]string{`/production = "false": must be true or false, not a string (text in quotes); write false without quotes`}},
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases; the foundation asks for at least 15", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.env+".json", c.env, c.data)
			if err == nil {
				t.Fatal("accepted")
			}
			ps := problems(t, err)
			for _, p := range ps {
				text := p.String()
				if containsAll(text, c.want) {
					return
				}
			}
			t.Errorf("no problem contains all of %q; got:\n%v", c.want, err)
		})
	}
}

// manyTags returns a patch with n tags, project among them.
func manyTags(n int) string {
	tags := map[string]string{"project": "demo"}
	for i := range n - 1 {
		tags[fmt.Sprintf("tag%02d", i)] = "v"
	}
	b, _ := json.Marshal(map[string]any{"tags": tags})
	return string(b)
}

// TestSemanticChecksAcceptWhatIsFine: the limits of the checks above are
// not stricter than they say.
func TestSemanticChecksAcceptWhatIsFine(t *testing.T) {
	for _, c := range []struct {
		name string
		env  string
		data []byte
	}{
		{"admin networks up to a /8 in total", "prod", with(t, production, `{"network": {"adminCidrs": ["1.0.0.0/9", "1.128.0.0/9", "10.0.0.0/8", "203.0.113.0/24"]}}`)},
		{"48 tags, 50 with the automatic ones", "dev", with(t, minimal, manyTags(48))},
		{"required tags emptied with a waiver of TAG-001", "dev", with(t, minimal, `{"guardrails": {"requiredTags": [], "waivers": [{"rule": "TAG-001", "reason": "a sandbox subscription without a tagging policy"}]}}`)},
		{"distinct e-mails", "dev", with(t, minimal, `{"alerts": {"emails": ["ops@example.com", "dev@example.com"]}}`)},
		{"non-ASCII UTF-8", "dev", with(t, minimal, `{"tags": {"owner": "équipe plateforme ☃"}}`)},
		{"the same key in different objects", "dev", []byte(`{"tags": {"name": "a", "project": "demo"}, "guardrails": {"waivers": [{"rule": "NET-001", "reason": "a reason long enough to count"}, {"rule": "KV-001", "reason": "another reason long enough"}]}, "budget": {"amount": 50, "emails": ["ops@example.com"]}}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.env+".json", c.env, c.data); err != nil {
				t.Errorf("rejected:\n%v", err)
			}
		})
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestEveryProblemIsReported: independent mistakes of every kind (a field
// name, the schema's ranges and lists, rules across fields, a guardrail)
// are reported in one run, one line each, naming the file and the field.
func TestEveryProblemIsReported(t *testing.T) {
	data := with(t, production, `{
	  "nodeCuont": 2,
	  "budget": {"amount": 0},
	  "network": {"adminCidrs": ["0.0.0.0/0"]},
	  "vmSize": "Standard_B1ms",
	  "kubernetes": {"version": "1.28"},
	  "storageSize": 0
	}`)
	_, err := Parse("config/stage.json", "stage", data)
	ps := problems(t, err)
	want := map[string]string{
		"/nodeCuont":            `config/stage.json: /nodeCuont = 2: unknown field; did you mean "nodeCount"?`,
		"/budget/amount":        "config/stage.json: /budget/amount = 0: must be more than 0",
		"/network/adminCidrs/0": `config/stage.json: /network/adminCidrs/0 = "0.0.0.0/0": covers 3702258688 public IPv4 addresses: it would open SSH (22)`,
		"/vmSize":               `config/stage.json: /vmSize = "Standard_B1ms": Standard_B1ms has 1 vCPU and 2 GiB of memory`,
		"/kubernetes/version":   `config/stage.json: /kubernetes/version = "1.28": must be one of "1.35", "1.36", "1.37"`,
		"/storageSize":          "config/stage.json: /storageSize = 0: must be at least 1",
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.String(), want[p.Path]) || want[p.Path] == "" {
			t.Errorf("unexpected: %s", p)
		}
		delete(want, p.Path)
	}
	for _, w := range want {
		t.Errorf("missing: %s...", w)
	}
	if len(ps) != 6 {
		t.Errorf("want 6 problems, one a line, got %d:\n%v", len(ps), err)
	}
}

// TestCredentialsAreNotPrinted: a value that looks like a credential is
// named, never shown, whatever else is wrong with it.
func TestCredentialsAreNotPrinted(t *testing.T) {
	token := "ghp_" + strings.Repeat("a1B2", 9)
	_, err := Parse("dev.json", "dev", with(t, minimal, fmt.Sprintf(`{"location": %q, "tags": {"owner": %q}}`, token, token)))
	ps := problems(t, err)
	var paths []string
	for _, p := range ps {
		paths = append(paths, p.Path)
		if strings.Contains(p.String(), token[4:]) {
			t.Errorf("a credential is printed: %s", p)
		}
	}
	// The region's pattern and the credential in it, the credential in
	// the tag.
	if !slices.Equal(paths, []string{"/location", "/location", "/tags/owner"}) {
		t.Errorf("problems at %v:\n%v", paths, err)
	}
}

// TestRulesRunOnTheValidFields: while some fields are invalid, the rules
// that read only valid fields still run, and those that read an invalid one
// do not (no second line about it, none about a value the file does not
// hold).
func TestRulesRunOnTheValidFields(t *testing.T) {
	for _, c := range []struct {
		name  string
		env   string
		patch string
		// paths are the problems expected, one each.
		paths []string
	}{
		{"a rule across valid fields beside an invalid one", "dev",
			`{"nodeCount": "two", "network": {"nodeSubnetCidr": "10.1.0.0/24"}}`,
			[]string{"/network/nodeSubnetCidr", "/nodeCount"}},
		{"no rule on an invalid network", "dev",
			`{"network": {"serviceCidr": "10.0.0.0/33", "dnsServiceIp": "10.0.0.10"}}`,
			[]string{"/network/serviceCidr"}},
		{"no rule on an invalid VM size", "dev", `{"vmSize": "standard_d2s_v5"}`, []string{"/vmSize"}},
		{"production's rules run when another field is invalid", "prod",
			`{"storageSize": -1, "keyVault": {"purgeProtection": false}}`,
			[]string{"/keyVault/purgeProtection", "/storageSize"}},
		{"no production rules when production is unknown", "prod",
			`{"production": "yes", "keyVault": {"purgeProtection": false}}`,
			[]string{"/production"}},
		{"a misspelt field's default is not judged", "prod",
			`{"network": {"adminCidrs": null, "adminCIDRs": ["203.0.113.0/24"]}}`,
			[]string{"/network/adminCIDRs"}},
		{"the valid admin networks are judged beside an invalid one", "dev",
			`{"network": {"adminCidrs": ["198.51.100.7", "0.0.0.0/0"]}}`,
			[]string{"/network/adminCidrs/0", "/network/adminCidrs/1"}},
		{"an exact repeat is one problem, not two", "dev",
			`{"alerts": {"emails": ["ops@example.com", "ops@example.com"]}}`,
			[]string{"/alerts/emails/1"}},
		{"no guardrail check while the waivers are unknown", "dev",
			`{"guardrails": {"waivers": "NET-001"}, "network": {"adminCidrs": ["0.0.0.0/0"]}}`,
			[]string{"/guardrails/waivers"}},
		{"a duplicate key's value is not judged", "prod",
			`{"keyVault": {"purgeProtection": false}}`,
			[]string{"/keyVault"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := production
			if c.env == "dev" {
				base = minimal
			}
			data := with(t, base, c.patch)
			if strings.HasPrefix(c.name, "a duplicate key") {
				// The second keyVault object is unknown, and so is
				// what it means for the first one's problem.
				data = []byte(strings.Replace(string(data), `"keyVault":`, `"keyVault": {}, "keyVault":`, 1))
			}
			_, err := Parse(c.env+".json", c.env, data)
			var got []string
			for _, p := range problems(t, err) {
				got = append(got, p.Path)
			}
			if !slices.Equal(got, c.paths) {
				t.Errorf("problems at %q, want %q:\n%v", got, c.paths, err)
			}
		})
	}
}

func TestLoadDirReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("schema.json", `{"not": "an environment"}`)
	write("dev.json", `{"nodeCount": 0, "budget": {"amount": 50, "emails": ["a@example.com"]}}`)
	write("prod.json", `{"production": true, "budget": {"amount": 50, "emails": ["a@example.com"]}}`)
	_, err := LoadDir(dir)
	msg := err.Error()
	for _, want := range []string{filepath.Join(dir, "dev.json") + ": /nodeCount = 0", filepath.Join(dir, "prod.json") + ": /backend/type"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "schema.json") {
		t.Errorf("schema.json was read as an environment:\n%s", msg)
	}
}

// TestSchemaMatchesGoTypes keeps schema.json and the Config struct in step:
// the same properties at every level, so that strict decoding can never
// reject a document the schema accepted.
func TestSchemaMatchesGoTypes(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatal(err)
	}
	compareFields(t, "", schema, reflect.TypeOf(Config{}))
}

func compareFields(t *testing.T, path string, schema map[string]any, typ reflect.Type) {
	props, _ := schema["properties"].(map[string]any)
	goFields := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		goFields[name] = f.Type
	}
	for name := range props {
		if _, ok := goFields[name]; !ok {
			t.Errorf("schema property %s/%s has no Go field", path, name)
		}
	}
	for name, ft := range goFields {
		ps, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("Go field %s/%s is not in the schema", path, name)
			continue
		}
		if ft.Kind() == reflect.Struct {
			compareFields(t, path+"/"+name, ps, ft)
		}
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			items, _ := ps["items"].(map[string]any)
			compareFields(t, path+"/"+name+"/items", items, ft.Elem())
		}
	}
}

func TestNames(t *testing.T) {
	cfg, err := Parse("prod.json", "prod", with(t, production, `{"uniqueSuffix": "x1"}`))
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Names()
	want := Names{
		ResourceGroup:         "perpetual-prod-rg",
		SnapshotResourceGroup: "perpetual-prod-snapshots-rg",
		NodeResourceGroup:     "perpetual-prod-nodes-rg",
		VirtualNetwork:        "perpetual-prod-vnet",
		NodeSubnet:            "nodes",
		SecurityGroup:         "perpetual-prod-nodes-nsg",
		PublicIP:              "perpetual-prod-ingress-pip",
		DNSLabel:              "perpetual-prod-x1",
		Cluster:               "perpetual-prod-aks",
		ClusterDNSPrefix:      "perpetual-prod",
		ClusterIdentity:       "perpetual-prod-aks-identity",
		NodeIdentity:          "perpetual-prod-node-identity",
		DataDisk:              "perpetual-prod-ipfs-data",
		StorageAccount:        "stperpetualprodx1",
		KeyVault:              "perpetual-prod-kv-x1",
		BackupVault:           "perpetual-prod-backup-vault",
		LogAnalytics:          "perpetual-prod-logs",
		ActionGroup:           "perpetual-prod-alerts",
		ActionGroupShort:      "perpetualpro",
		Budget:                "perpetual-prod-budget",
	}
	if n != want {
		t.Errorf("names:\n got %+v\nwant %+v", n, want)
	}
	if got := cfg.AllTags(); got["environment"] != "prod" || got["managed-by"] != "cdktf" {
		t.Errorf("tags %v lack environment=prod and managed-by=cdktf", got)
	}
}

func TestVMSizeCatalog(t *testing.T) {
	for _, name := range []string{"Standard_B2als_v2", "Standard_B2s_v2", "Standard_D2as_v5"} {
		s, ok := LookupVMSize(name)
		if !ok || s.VCPU < MinSystemPoolVCPU || s.MemoryGiB < MinSystemPoolMemoryGiB {
			t.Errorf("%s: %+v, want a known size AKS accepts for a system pool", name, s)
		}
	}
	if s, _ := LookupVMSize("Standard_B1ms"); s.VCPU != 1 || s.MemoryGiB != 2 {
		t.Errorf("Standard_B1ms = %+v, want 1 vCPU and 2 GiB", s)
	}
}

// TestREADMEReferenceIsGenerated keeps the README's configuration
// reference generated from schema.json (ReferenceTable): UPDATE_SNAPSHOTS=1
// (make golden) rewrites it.
func TestREADMEReferenceIsGenerated(t *testing.T) {
	golden.Section(t, "../README.md", "<!-- config.ReferenceTable: begin -->\n", "<!-- config.ReferenceTable: end -->",
		ReferenceTable(), "configuration reference")
}

// TestEveryFieldIsDocumented: every field of the schema has a description
// for the reference (and for editors).
func TestEveryFieldIsDocumented(t *testing.T) {
	for _, line := range strings.Split(strings.TrimSpace(ReferenceTable()), "\n")[2:] {
		if strings.HasSuffix(line, "|  |") {
			t.Errorf("no description in schema.json: %s", line)
		}
	}
}

// TestEveryFieldIsValidated gives every field of the schema a value of the
// wrong type, one at a time, and expects a problem at exactly that field.
func TestEveryFieldIsValidated(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatal(err)
	}
	var paths [][]string
	var walk func(s map[string]any, prefix []string)
	walk = func(s map[string]any, prefix []string) {
		props, _ := s["properties"].(map[string]any)
		for name, raw := range props {
			if name == "$schema" {
				continue
			}
			p, _ := raw.(map[string]any)
			path := append(append([]string{}, prefix...), name)
			paths = append(paths, path)
			if _, ok := p["properties"]; ok {
				walk(p, path)
			}
		}
	}
	walk(schema, nil)
	if len(paths) < 80 {
		t.Fatalf("only %d fields found", len(paths))
	}
	for _, path := range paths {
		var doc map[string]any
		if err := json.Unmarshal([]byte(minimal), &doc); err != nil {
			t.Fatal(err)
		}
		m := doc
		for _, key := range path[:len(path)-1] {
			next, ok := m[key].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[key] = next
			}
			m = next
		}
		// No field of this schema accepts a list of numbers.
		m[path[len(path)-1]] = []any{1.5}
		data, _ := json.Marshal(doc)
		_, err := Parse("dev.json", "dev", data)
		pointer := "/" + strings.Join(path, "/")
		var found bool
		var cerr *Error
		if errors.As(err, &cerr) {
			for _, p := range cerr.Problems {
				found = found || p.Path == pointer || strings.HasPrefix(p.Path, pointer+"/")
			}
		}
		if !found {
			t.Errorf("%s accepts [1.5] (err: %v)", pointer, err)
		}
	}
}

func TestPublicAdminRules(t *testing.T) {
	got := Network{AdminCIDRs: []string{"203.0.113.0/24", "198.51.100.7/32", "198.51.100.10/31", "10.0.0.0/8", "192.168.1.1/32"}}.PublicAdminRules()
	want := []string{"203.0.113.0/24", "198.51.100.7", "198.51.100.10", "198.51.100.11"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (private ranges are never in a public firewall)", got, want)
	}
}

// TestEveryKeywordIsWorded: every validation keyword schema.json uses has a
// case here, and its violation reads as a person would write it, not as
// the validator's shorthand ("exclusiveMinimum: got 0, want 0"). A keyword
// added to the schema without a case fails the test.
func TestEveryKeywordIsWorded(t *testing.T) {
	cases := map[string]string{
		"type":                 `{"nodeCount": "1"}`,
		"enum":                 `{"monitoring": "verbose"}`,
		"pattern":              `{"namePrefix": "X"}`,
		"format":               `{"alerts": {"emails": ["ops-at-example.com"]}}`,
		"minimum":              `{"nodeCount": 0}`,
		"maximum":              `{"nodeCount": 11}`,
		"exclusiveMinimum":     `{"budget": {"amount": 0}}`,
		"minItems":             `{"budget": {"emails": []}}`,
		"uniqueItems":          `{"policy": {"allowedLocations": ["eastus", "eastus"]}}`,
		"minLength":            `{"guardrails": {"waivers": [{"rule": "NET-001", "reason": "x"}]}}`,
		"maxLength":            fmt.Sprintf(`{"tags": {"note": %q}}`, strings.Repeat("x", 257)),
		"required":             `{"budget": {"amount": null}}`,
		"additionalProperties": `{"colour": "red"}`,
		"propertyNames":        `{"tags": {"9lives": "x"}}`,
	}
	// Keywords that validate nothing themselves.
	annotations := []string{"$schema", "$id", "title", "description", "default", "examples", "x-allowed", "properties", "items"}
	var schema map[string]any
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walk func(s map[string]any)
	walk = func(s map[string]any) {
		if _, hint := s["x-allowed"]; s["pattern"] != nil && !hint {
			// Without it the message can only quote the expression.
			t.Errorf("the pattern %v has no x-allowed saying in words what it allows", s["pattern"])
		}
		for k, v := range s {
			used[k] = true
			switch k {
			case "properties":
				for _, p := range v.(map[string]any) {
					walk(p.(map[string]any))
				}
			case "items", "additionalProperties", "propertyNames":
				if sub, ok := v.(map[string]any); ok {
					walk(sub)
				}
			}
		}
	}
	walk(schema)
	shorthand := regexp.MustCompile(`got \w+, want|not allowed|missing propert|does not match pattern|is not valid|items at \d+ and \d+|^\w+: got|invalid propertyName`)
	for keyword := range used {
		if slices.Contains(annotations, keyword) {
			continue
		}
		patch, ok := cases[keyword]
		if !ok {
			t.Errorf("schema.json uses %q, which has no case here: add one, and a message in internal/jsondoc if it reads as shorthand", keyword)
			continue
		}
		_, err := Parse("dev.json", "dev", with(t, minimal, patch))
		if err == nil {
			t.Errorf("%s: %s was accepted", keyword, patch)
			continue
		}
		for _, p := range problems(t, err) {
			if shorthand.MatchString(p.Message) {
				t.Errorf("%s reads as shorthand: %s", keyword, p)
			}
		}
	}
}
