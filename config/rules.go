package config

import (
	"maps"
	"slices"
)

// GuardrailRules names the synthesis-time policy rules (package guardrails)
// that a waiver may switch off, with a one-line summary of each.
var GuardrailRules = map[string]string{
	"NET-001":  "no NSG rule may allow SSH (22), the IPFS RPC API (5001), the Kubernetes API (6443) or all ports from the internet",
	"KV-001":   "a production Key Vault has purge protection",
	"KV-002":   "a production Key Vault's firewall denies by default",
	"ST-001":   "a storage account accepts HTTPS only",
	"ST-002":   "a storage account requires TLS 1.2 or newer",
	"ST-003":   "a storage account allows no public blob access",
	"DATA-001": "production data resources (managed disks, storage accounts, Key Vaults, public IPs, DNS zones, backup vaults and instances) have lifecycle.prevent_destroy",
	"TAG-001":  "every taggable resource carries the required tags",
	"SEC-001":  "no attribute holds a literal credential; secrets come from sensitive variables",
	"SEC-002":  "Key Vault secrets and Kubernetes Secrets are written through write-only attributes, so no secret rests in state or plans",
}

func ruleIDs() []string {
	return slices.Sorted(maps.Keys(GuardrailRules))
}
