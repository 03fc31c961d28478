// Package config loads and validates the environment configuration files
// (config/<environment>.json, see [IsEnvironmentFile]). Only regular files
// of at most [MaxFileSize] bytes of UTF-8 JSON are read; the rest is checked
// in one run that reports every problem with the file, the JSON path, the
// offending value and what is allowed:
//
//   - keys given twice in one object;
//   - JSON Schema (schema.json, draft 2020-12): types, ranges, patterns,
//     enumerations, unknown fields. Its "default" values fill in what the
//     file leaves out: the schema is the one place defaults live;
//   - rules in Go ([Config.Validate]): overlapping and AKS-reserved
//     networks, VM sizes AKS rejects, what production forbids, tags as
//     Azure counts and compares them, waivers, derived name lengths, and
//     every guardrail a value can break (NET-001: network.adminCidrs and
//     podCidr; TAG-001: guardrails.requiredTags and tags; SEC-001: a
//     credential in the file; KV-001, KV-002: production's Key Vault), so
//     that synthesis, where the guardrails run again, does not fail later.
//
// A value the schema refuses is replaced by its default and the rules that
// read it are skipped, so nothing is reported twice or about a value the
// file does not hold.
package config

import (
	"encoding/json"
	"maps"
	"net/netip"
	"sync"

	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
)

// Config is one environment. The JSON field names are those of the files;
// see schema.json for the meaning, range and default of each.
type Config struct {
	// Schema is the editor hint "$schema"; it has no effect.
	Schema string `json:"$schema,omitempty"`

	// Environment is the file's base name ("dev"), the Azure stack's name.
	Environment string `json:"-"`
	// File is the path the configuration was read from, for messages.
	File string `json:"-"`

	Production   bool              `json:"production"`
	Location     string            `json:"location"`
	NamePrefix   string            `json:"namePrefix"`
	UniqueSuffix string            `json:"uniqueSuffix"`
	Tags         map[string]string `json:"tags"`
	NodeCount    int               `json:"nodeCount"`
	VMSize       string            `json:"vmSize"`
	// BurstableSystemPool opts in to a B-series VMSize (see schema.json).
	BurstableSystemPool bool           `json:"burstableSystemPool"`
	StorageSize         int            `json:"storageSize"`
	ContainerRegistry   string         `json:"containerRegistry"`
	ImageRepository     string         `json:"imageRepository"`
	Monitoring          MonitoringMode `json:"monitoring"`
	EnableBackups       bool           `json:"enableBackups"`

	Kubernetes     Kubernetes     `json:"kubernetes"`
	Network        Network        `json:"network"`
	StorageAccount StorageAccount `json:"storageAccount"`
	Backup         Backup         `json:"backup"`
	KeyVault       KeyVault       `json:"keyVault"`
	Policy         Policy         `json:"policy"`
	Alerts         Alerts         `json:"alerts"`
	LogAnalytics   LogAnalytics   `json:"logAnalytics"`
	Budget         Budget         `json:"budget"`
	Workload       Workload       `json:"workload"`
	Backend        Backend        `json:"backend"`
	Guardrails     Guardrails     `json:"guardrails"`
}

// MonitoringMode is how much of Azure Monitor an environment uses.
type MonitoringMode string

// Monitoring modes.
const (
	MonitoringBasic        MonitoringMode = "basic"
	MonitoringLogAnalytics MonitoringMode = "log-analytics"
)

// Kubernetes configures the AKS cluster.
type Kubernetes struct {
	Version                 string            `json:"version"`
	SkuTier                 string            `json:"skuTier"`
	OSDiskSizeGB            int               `json:"osDiskSizeGb"`
	AutomaticUpgradeChannel string            `json:"automaticUpgradeChannel"`
	NodeOSUpgradeChannel    string            `json:"nodeOsUpgradeChannel"`
	MaintenanceWindow       MaintenanceWindow `json:"maintenanceWindow"`
	LocalAccountsEnabled    bool              `json:"localAccountsEnabled"`
	AdminGroupObjectIDs     []string          `json:"adminGroupObjectIds"`
	ProviderAuth            ProviderAuth      `json:"providerAuth"`
	KubeloginMode           string            `json:"kubeloginMode"`
}

// UpgradeChannel returns kubernetes.automaticUpgradeChannel, or "" for
// "none", which turns automatic Kubernetes upgrades off.
func (k Kubernetes) UpgradeChannel() string {
	if k.AutomaticUpgradeChannel == "none" {
		return ""
	}
	return k.AutomaticUpgradeChannel
}

// KubeloginModes are the values of kubernetes.kubeloginMode (the enum in
// schema.json), kubelogin's --login methods: the in-cluster stack's
// variable kubelogin_login accepts the same.
var KubeloginModes = sync.OnceValue(func() []string {
	type node struct {
		Properties map[string]node `json:"properties"`
		Enum       []string        `json:"enum"`
	}
	var schema node
	err := json.Unmarshal(SchemaJSON, &schema)
	modes := schema.Properties["kubernetes"].Properties["kubeloginMode"].Enum
	if err != nil || len(modes) == 0 {
		panic("config: schema.json has no kubernetes.kubeloginMode enum")
	}
	return modes
})

// ProviderAuth is how the in-cluster stack's kubernetes provider
// authenticates: "kubelogin" (Microsoft Entra ID) or [AuthAdminCertificate].
type ProviderAuth string

// AuthAdminCertificate uses the cluster's local admin certificate.
const AuthAdminCertificate ProviderAuth = "admin-certificate"

// MaintenanceWindow is a weekly window for automatic upgrades.
type MaintenanceWindow struct {
	DayOfWeek     string `json:"dayOfWeek"`
	StartTime     string `json:"startTime"`
	DurationHours int    `json:"durationHours"`
	UTCOffset     string `json:"utcOffset"`
}

// Network configures the virtual network, NSG, public IP and DNS.
type Network struct {
	VNetCIDR       string   `json:"vnetCidr"`
	NodeSubnetCIDR string   `json:"nodeSubnetCidr"`
	PodCIDR        string   `json:"podCidr"`
	ServiceCIDR    string   `json:"serviceCidr"`
	DNSServiceIP   string   `json:"dnsServiceIp"`
	AdminCIDRs     []string `json:"adminCidrs"`
	DNSLabel       string   `json:"dnsLabel"`
	DNSZone        string   `json:"dnsZone"`
	DNSRecordName  string   `json:"dnsRecordName"`
}

// PublicAdminRules returns the admin CIDRs as the Key Vault and storage
// firewalls hold them: public ranges only, a /31 or /32 as its addresses
// (the storage firewall refuses those prefixes). The stacks and
// scripts/firewall.sh sweep (envinfo's FIREWALL_ADMIN_RULES) both use it.
// The CIDRs must be valid as Load ensures (no host bits: they print as
// written).
func (n Network) PublicAdminRules() []string {
	var out []string
	for _, c := range n.AdminCIDRs {
		p := netip.MustParsePrefix(c)
		if p.Addr().IsPrivate() || p.Addr().IsLoopback() {
			continue
		}
		if p.Bits() >= 31 {
			for a := p.Addr(); p.Contains(a); a = a.Next() {
				out = append(out, a.String())
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// StorageAccount configures the storage account for logs and backups.
type StorageAccount struct {
	Replication             string `json:"replication"`
	BlobSoftDeleteDays      int    `json:"blobSoftDeleteDays"`
	ContainerSoftDeleteDays int    `json:"containerSoftDeleteDays"`
	LogsContainer           string `json:"logsContainer"`
	NetworkDefaultAction    string `json:"networkDefaultAction"`
}

// Backup configures Azure Backup of the IPFS disk.
type Backup struct {
	RetentionDays int    `json:"retentionDays"`
	TimeOfDay     string `json:"timeOfDay"`
	Redundancy    string `json:"redundancy"`
}

// KeyVault configures the Key Vault.
type KeyVault struct {
	PurgeProtection         bool   `json:"purgeProtection"`
	SoftDeleteRetentionDays int    `json:"softDeleteRetentionDays"`
	NetworkDefaultAction    string `json:"networkDefaultAction"`
}

// Policy configures Azure Policy.
type Policy struct {
	AzurePolicyAddon       bool     `json:"azurePolicyAddon"`
	AllowedLocations       []string `json:"allowedLocations"`
	NoPrivilegedContainers bool     `json:"noPrivilegedContainers"`
	NoPrivilegeEscalation  bool     `json:"noPrivilegeEscalation"`
	KubernetesEffect       string   `json:"kubernetesEffect"`
}

// Alerts configures the action group and the metric alerts.
type Alerts struct {
	Emails                 []string `json:"emails"`
	CPUThresholdPercent    float64  `json:"cpuThresholdPercent"`
	MemoryThresholdPercent float64  `json:"memoryThresholdPercent"`
	DiskThresholdPercent   float64  `json:"diskThresholdPercent"`
	VolumeThresholdPercent float64  `json:"volumeThresholdPercent"`
	Frequency              string   `json:"frequency"`
	WindowSize             string   `json:"windowSize"`
	Severity               int      `json:"severity"`
}

// LogAnalytics configures the Log Analytics workspace.
type LogAnalytics struct {
	DailyQuotaGB  float64 `json:"dailyQuotaGb"`
	RetentionDays int     `json:"retentionDays"`
}

// Budget configures the monthly cost budget.
type Budget struct {
	Amount                   float64  `json:"amount"`
	Emails                   []string `json:"emails"`
	ActualThresholdPercent   int      `json:"actualThresholdPercent"`
	ForecastThresholdPercent int      `json:"forecastThresholdPercent"`
}

// Workload configures the Kubernetes objects of the in-cluster stack.
type Workload struct {
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	PullSecretName string `json:"pullSecretName"`
	ClaimName      string `json:"claimName"`
	DevSecrets     bool   `json:"devSecrets"`
}

// Backend configures Terraform state.
type Backend struct {
	Type               BackendType `json:"type"`
	ResourceGroupName  string      `json:"resourceGroupName"`
	StorageAccountName string      `json:"storageAccountName"`
	ContainerName      string      `json:"containerName"`
	KeyPrefix          string      `json:"keyPrefix"`
	UseOIDC            bool        `json:"useOidc"`
}

// BackendType is where Terraform keeps the stacks' state.
type BackendType string

// Backend types.
const (
	BackendLocal   BackendType = "local"
	BackendAzureRM BackendType = "azurerm"
)

// Guardrails configures the synthesis-time policy checks.
type Guardrails struct {
	RequiredTags []string `json:"requiredTags"`
	Waivers      []Waiver `json:"waivers"`
}

// Waiver switches one guardrail rule off for an environment, with a reason.
type Waiver = guardrails.Waiver

// K8sStackName is the name of the environment's in-cluster stack.
func (c *Config) K8sStackName() string { return c.Environment + "-k8s" }

// AllTags returns the configured tags plus the automatic ones, which the
// validator keeps from colliding.
func (c *Config) AllTags() map[string]string {
	tags := make(map[string]string, len(c.Tags)+2)
	maps.Copy(tags, c.Tags)
	maps.Copy(tags, c.automaticTags())
	return tags
}

// automaticTags are the tags every resource gets.
func (c *Config) automaticTags() map[string]string {
	return map[string]string{"environment": c.Environment, "managed-by": "cdktf"}
}

// AllowedLocations returns the regions of the "Allowed locations" policy.
func (c *Config) AllowedLocations() []string {
	if len(c.Policy.AllowedLocations) > 0 {
		return c.Policy.AllowedLocations
	}
	return []string{c.Location}
}
