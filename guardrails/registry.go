package guardrails

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is one guardrail.
type Rule struct {
	// ID names the rule in messages, waivers and the stack's metadata.
	ID string
	// ProductionOnly rules check production environments' stacks only.
	ProductionOnly bool
	// Summary is the rule in one line, for messages.
	Summary string
	// Checks says exactly what is checked (docs/guardrails.md).
	Checks string
}

// Rules are every guardrail: the one place a rule is declared. The
// configuration accepts waivers of these IDs only, and docs/guardrails.md's
// table is generated from them in this order (make golden).
var Rules = []Rule{
	{
		ID: "NET-001", Summary: "no NSG rule may allow SSH (22), the IPFS RPC API (5001), the Kubernetes API (6443) or all ports from the internet",
		Checks: "no inbound NSG allow rule (separate or inline) from the internet to port 22 (SSH), 5001 (IPFS RPC API), 6443 (Kubernetes API) or all ports; port ranges count. The internet is `*`, `Internet`, `Any`, or networks that together cover more than a /8 of public IPv4 addresses or a /32 of IPv6, in one rule or spread over several rules to the same port: `0.0.0.0/0`, `0.0.0.0/1` with `128.0.0.0/1`, `::/0` alike (the measure is `internal/exposure`, shared with the configuration's check of production admin networks)",
	},
	{
		ID: "KV-001", ProductionOnly: true, Summary: "a production Key Vault has purge protection",
		Checks: "Key Vaults have `purge_protection_enabled = true`",
	},
	{
		ID: "KV-002", ProductionOnly: true, Summary: "a production Key Vault's firewall denies by default",
		Checks: "Key Vaults have `network_acls.default_action = \"Deny\"`",
	},
	{
		ID: "ST-001", Summary: "a storage account accepts HTTPS only",
		Checks: "storage accounts do not set `https_traffic_only_enabled = false`",
	},
	{
		ID: "ST-002", Summary: "a storage account requires TLS 1.2 or newer",
		Checks: "storage accounts do not set `min_tls_version` below `TLS1_2`",
	},
	{
		ID: "ST-003", Summary: "a storage account allows no public blob access",
		Checks: "storage accounts set `allow_nested_items_to_be_public = false` (azurerm defaults it to true)",
	},
	{
		ID: "DATA-001", ProductionOnly: true, Summary: "production data resources (managed disks, storage accounts, Key Vaults, public IPs, DNS zones, backup vaults and instances) have lifecycle.prevent_destroy",
		Checks: "resources of the types in `guardrails.DataResources` (managed disks, storage accounts, Key Vaults, public IPs, DNS zones, backup vaults and backup instances) have `lifecycle.prevent_destroy = true`",
	},
	{
		ID: "TAG-001", Summary: "every taggable resource carries the required tags",
		Checks: "every taggable resource has the tags in `guardrails.requiredTags` (default `project`, `environment`, `managed-by`)",
	},
	{
		ID: "SEC-001", Summary: "no attribute holds a literal credential; secrets come from sensitive variables",
		Checks: "no credential is a literal: Kubernetes Secret data, Key Vault secret values, provider and backend credentials (`password`, `client_secret`, `access_key`, `sas_token`, `token`, `client_key`, ...) must be Terraform expressions; no value anywhere looks like a GitHub token, a private key, a storage account key, a libp2p private key or a JWT; no sensitive variable has a literal default",
	},
	{
		ID: "SEC-002", Summary: "Key Vault secrets and Kubernetes Secrets are written through write-only attributes, so no secret rests in state or plans",
		Checks: "Key Vault secrets set `value_wo` (never `value`) and Kubernetes Secrets `data_wo` / `binary_data_wo` (never `data` / `binary_data`): write-only attributes fed by ephemeral variables, so no secret rests in state or a saved plan",
	},
}

// Lookup returns the rule with that ID.
func Lookup(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// IDs lists the rule IDs, sorted.
func IDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	return ids
}

// Applicable returns the rules that check an environment's stacks.
func Applicable(production bool) []Rule {
	return slices.DeleteFunc(slices.Clone(Rules), func(r Rule) bool { return r.ProductionOnly && !production })
}

// Table is the Markdown table of the rules, as docs/guardrails.md shows it.
func Table() string {
	var b strings.Builder
	b.WriteString("| rule | applies to | checks |\n|---|---|---|\n")
	for _, r := range Rules {
		applies := "every stack"
		if r.ProductionOnly {
			applies = "production"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.ID, applies, r.Checks)
	}
	return b.String()
}
