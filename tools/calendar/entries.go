package calendar

import (
	"fmt"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/cost"
)

// WrittenFor are the provider versions the calendar's Azure API facts were
// looked up for (CheckProviders compares them with the repository's pins).
var WrittenFor = map[string]string{
	PinAzurerm:     "4.81.0",
	PinKubernetesP: "3.2.1",
}

// PriceRegions are the regions whose price table (tools/cost) has a
// review entry.
var PriceRegions = []string{"eastus"}

const (
	checked = "2026-12-02"

	aksSource = `Microsoft Learn, "Supported Kubernetes versions in Azure Kubernetes Service (AKS)", AKS Kubernetes release calendar, https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (revision of 2026-08-05)`
)

// static are the entries with a fixed date; Entries adds the computed ones.
var static = []Entry{
	aks("1.35", "Mar 2026", "Mar 2027", "1.39", " (allowed values; the default)",
		`Move every environment on 1.35 (config/<env>.json kubernetes.version, or the default) to a newer allowed minor and deploy it; then remove 1.35 from the schema (and make a newer minor the default), move the live test's control plane (KUBE_TESTENV_VERSION in ci.yml, the default KUBEBUILDER_ASSETS in the Makefile and .ci/run) to a newer minor, and remove this entry.`),
	aks("1.36", "Jun 2026", "Jun 2027", "1.40", " (allowed values)",
		`Move every environment on 1.36 to a newer allowed minor and deploy it; then remove 1.36 from the schema and this entry.`),
	aks("1.37", "Oct 2026", "Oct 2027", "1.41", " (allowed values)",
		`Move every environment on 1.37 to a newer minor (allow the minors AKS has made GA since in config/schema.json, each with its entry here) and deploy it; then remove 1.37 from the schema and this entry.`),
	{
		Date: "2027-02-27", Kind: Deadline,
		Headline: "Key Vault control-plane API versions before 2026-02-01 retire",
		What:     `Microsoft retires every Key Vault control-plane API version before 2026-02-01: creating, updating or deleting a vault, its network rules or its access control fails with an older version (the data plane, secrets included, is not affected). azurerm before 4.81.0 used keyvault 2023-02-01 and 2023-07-01.`,
		Pin:      Pin{PinAzurerm, "4.81.0", "the azurerm provider pin"},
		Source: `Microsoft Learn, Key Vault API version migration, https://learn.microsoft.com/azure/key-vault/general/migrate-api-version ("All control plane API versions before 2026-02-01 retire on February 27, 2027"); ` +
			`azurerm v4.81.0 CHANGELOG ("keyvault - update to API version 2026-02-01", #32320) and internal/services/keyvault/client/client.go at v4.81.0 (keyvault/2026-02-01; v4.80.0 still 2023-02-01 and 2023-07-01)`,
		Checked:   checked,
		Do:        `Keep azurerm at 4.81.0 or later. Version 2026-02-01 makes new vaults use Azure RBAC unless access policies are chosen explicitly, so a vault's access model must be set in the stacks, not left to the default.`,
		ClearedBy: &Pin{PinAzurerm, "4.81.0", "azurerm 4.81.0 uses keyvault 2026-02-01"},
	},
	{
		Date: "2027-06-01", Kind: Review,
		Headline: "Re-check the Azure API versions of azurerm 4.81.0 for retirements",
		What:     `No retirement is announced for the Azure API versions azurerm 4.81.0 uses for the resource types of the stacks (docs/calendar.md lists them). 4.81.0 is the last 4.x release (the provider's tags go on with 5.0.0 to 5.2.0), so a retirement of one of them means moving to azurerm 5.x. Six months after the check: Microsoft has announced GA control-plane retirements about a year ahead (Key Vault: February 2026 for February 2027), but preview versions retire on shorter notice (AKS announced preview retirements in March 2026 for July 2026), and two of these are previews (scheduledQueryRules 2023-03-15-preview, roleDefinitions 2022-05-01-preview); Microsoft also e-mails subscription owners about retirements that affect their resources.`,
		Pin:      Pin{PinAzurerm, "4.81.0", "the azurerm provider pin"},
		Source:   `azurerm v4.81.0 source, internal/services/<service>/client/client.go and the resource files (go-azure-sdk resource-manager v0.20260709.1191450 in vendor/modules.txt); Microsoft Learn, Azure Updates and the AKS preview API life cycle (https://learn.microsoft.com/azure/aks/concepts-preview-api-life-cycle) searched for these versions`,
		Checked:  checked,
		Do:       `Re-check every version of docs/calendar.md's Azure API table against Microsoft's announcements (Azure Updates, Microsoft Learn, the AKS release notes) and renew this entry; when one retires, add its dated entry and move azurerm to a 5.x release that uses a later version.`,
	},
	{
		Date: "2027-04-30", Kind: Deadline,
		Headline: "Node.js 22, the tooling's runtime, reaches end of life",
		What:     `Node.js 22 reaches end of life: no more security fixes, and jsii prints its end-of-life warning on every run (its own table ends 22 on 2027-04-30).`,
		Pin:      Pin{PinNode, "22", "node-version of the workflows and .github/actions/setup, and the README"},
		Source:   `Node.js release schedule, https://github.com/nodejs/Release/blob/main/schedule.json ("v22": end 2027-04-30); jsii's table of Node.js releases, @jsii/check-node 1.140.0 lib/constants.js (22: 2027-04-30; 24: 2028-04-30)`,
		Checked:  checked,
		Do:       `Move the tooling to Node.js 24 (end of life 2028-04-30, already in jsii 1.140's table): node-version in the workflows and the setup action, the README, package.json's engines, and this entry.`,
	},
	{
		Date: "2027-08-01", Kind: Estimate,
		Headline: "Go 1.27 loses support when Go 1.29 is released",
		What:     `Go 1.27, the toolchain the builds use, stops getting fixes, security fixes included, once Go 1.29 is released: each Go release is supported until there are two newer major releases.`,
		Pin:      Pin{PinGo, "1.27", "go.mod's toolchain directive, which setup-go reads and the go command fetches (the go directive, the language version the code needs, stays 1.26)"},
		Source:   `Go release policy, https://go.dev/doc/devel/release#policy; release dates go1.22 2024-02-06, go1.24 2025-02-11, go1.26 2026-02-11, one every six months, in February and August; go1.27.4 is on the Go module proxy`,
		Checked:  checked,
		DateNote: `Go announces no release date: Go 1.29 is expected in August 2027, and this is the first day of that month, so the warning comes early rather than late.`,
		Do:       `Move go.mod's toolchain directive to the newest Go (1.28 or later), run make test, and renew this entry for the new version.`,
	},
	{
		Date: "2028-04-29", Kind: Deadline,
		Headline: "Terraform 1.15 leaves HashiCorp's support",
		What:     `HashiCorp's support of Terraform 1.15, the pipeline's Terraform, ends: no fixes, security fixes included, and providers may stop testing against it. Before that, fixes go only to the newest two minors, so moving the pin to each new minor keeps the pipeline on a fixed release. The stacks need at least 1.11 (ephemeral variables, write-only attributes), the documented minimum; make validate, tftest and ktest pass with 1.11.4 and 1.15.9.`,
		Pin:      Pin{PinTerraform, "1.15.9", "terraform_version of the CI jobs and terraform-version of .github/actions/setup (README and docs/deployment.md name 1.11 as the minimum)"},
		Source:   `HashiCorp support period policy, https://www.hashicorp.com/customer-success/self-managed-support (GA releases supported for up to two years, fixes on the latest two releases); Terraform v1.15 CHANGELOG, https://github.com/hashicorp/terraform/blob/v1.15/CHANGELOG.md (1.15.0, April 29, 2026; 1.15.9, August 19, 2026, the newest 1.15 release)`,
		Checked:  checked,
		DateNote: `Derived: the release of 1.15.0 plus the policy's two years; HashiCorp publishes no end date per CLI version.`,
		Do:       `Pin the pipeline to a supported Terraform (the newest 1.x) after make validate tftest ktest pass with it: terraform_version in ci.yml and terraform-version in .github/actions/setup; keep 1.11 as the documented minimum while the configuration needs nothing newer (and make tftest passes with it); renew this entry for the new pin.`,
	},
	{
		Date: "2026-09-16", Kind: Deadline,
		Headline:  "GitHub removes Node.js 20 from the Actions runners",
		What:      `GitHub removes Node.js 20 from its runners (JavaScript actions were forced onto Node.js 24 from 2026-06-02): an action that declares node20 stops working.`,
		Pin:       Pin{PinActions, "node24", "the uses: lines of the workflows and composite actions (docs/calendar.md lists them)"},
		Source:    `GitHub Changelog, "Deprecation of Node 20 on GitHub Actions runners", https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/ (dates as the runners' deprecation notice, which links it, states them); action.yml of each pinned action at its pinned commit`,
		Checked:   checked,
		Do:        `Nothing while every pinned action declares node24; pin a new or updated action only at a commit whose action.yml declares node24, and list it in Actions (a test fails on an unlisted pin).`,
		ClearedBy: &Pin{PinActions, "node24", "every pinned action declares node24"},
	},
	{
		Date: "2028-04-30", Kind: Deadline,
		Headline: "Node.js 24, the runtime of the pinned actions, reaches end of life",
		What:     `Node.js 24, the runtime of every pinned action, reaches end of life. As with Node.js 20, GitHub is then expected to force JavaScript actions onto a newer Node.js and remove 24 from its runners; an action that declares node24 then stops working.`,
		Pin:      Pin{PinActions, "node24", "the uses: lines of the workflows and composite actions (docs/calendar.md lists them)"},
		Source:   `Node.js release schedule, https://github.com/nodejs/Release/blob/main/schedule.json ("v24": end 2028-04-30); GitHub has announced no date for node24 actions`,
		Checked:  checked,
		DateNote: `The Node.js end of life, not GitHub's removal, which is not announced: Node.js 20 ended on 2026-04-30, GitHub forced Node.js 24 from 2026-06-02 and removed 20 on 2026-09-16.`,
		Do:       `Watch GitHub's changelog for the deprecation of node24 actions, then move each action to a release that declares the next runtime and renew this entry.`,
	},
	{
		Date: "2027-12-02", Kind: Review,
		Headline: "Re-check the ubuntu-24.04 runner image for a deprecation",
		What:     `No deprecation is announced for the ubuntu-24.04 runner image. GitHub maintains the two latest Ubuntu LTS images: with 26.04 it deprecates 22.04 (from 2026-09-17, unsupported from 2027-04-17), so 24.04 goes when the LTS after 26.04 arrives, announced months ahead. A year after the check.`,
		Pin:      Pin{PinRunner, "ubuntu-24.04", "runs-on of every job"},
		Source:   `actions/runner-images release notes (ubuntu24/20260823.283: "The Ubuntu 22 based runner images will begin deprecation on September 17th and will be fully unsupported by April 17th"); runner-images policy of maintaining the latest two stable versions of each OS (announcement of the Ubuntu 20.04 deprecation, actions/runner-images#11101)`,
		Checked:  checked,
		Do:       `Check actions/runner-images for a deprecation of ubuntu-24.04; if one is announced, add its dated entry and move runs-on to the newer image before it; renew this entry.`,
	},
}

// aks is the end of AKS support of a Kubernetes minor as the AKS release
// calendar lists it: GA and end of life as months ("Mar 2027", ending on
// its last day), platform support until the GA of another minor.
func aks(minor, ga, eolMonth, platformUntil, schemaNote, do string) Entry {
	month, err := time.Parse("Jan 2006", eolMonth)
	if err != nil {
		panic(fmt.Sprintf("Kubernetes %s: end of life %q is not a month like \"Mar 2027\"", minor, eolMonth))
	}
	return Entry{
		Date: month.AddDate(0, 1, -1).Format(DateLayout), Kind: Deadline,
		Headline: "Kubernetes " + minor + " leaves AKS support",
		What:     `AKS ends community support of this minor: no more patches, and the version drops to platform support (no Kubernetes fixes, no new clusters at this minor); AKS may upgrade clusters that fall further behind on its own.`,
		Pin:      Pin{PinKubernetes, minor, "config/schema.json kubernetes.version" + schemaNote},
		Source:   fmt.Sprintf("%s: %s GA %s, end of life %s (platform support until %s GA)", aksSource, minor, ga, eolMonth, platformUntil),
		Checked:  checked,
		DateNote: `AKS lists the end of life as a month; the page states that, unless a day is given, it is the last day of that month.`,
		Do:       do,
	}
}

// Entries returns the whole calendar: the fixed entries and the review of
// each price table, dated from the table's own "transcribed".
func Entries() ([]Entry, error) {
	entries := append([]Entry(nil), static...)
	for _, region := range PriceRegions {
		e, err := priceReview(region)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return Sorted(entries), nil
}

// priceReview is the review entry of a region's price table, a year after
// it was transcribed (the entry's What says why); re-running the table's
// queries is an hour's work.
func priceReview(region string) (Entry, error) {
	t, err := cost.LoadTable(region)
	if err != nil {
		return Entry{}, err
	}
	day, err := Day(t.Transcribed)
	if err != nil {
		return Entry{}, fmt.Errorf("prices-%s.json transcribed: %w", region, err)
	}
	file := "tools/cost/prices-" + region + ".json"
	return Entry{
		Date: day.AddDate(1, 0, 0).Format(DateLayout), Kind: Review,
		Headline: "Re-query the prices of the " + region + " price table",
		What:     fmt.Sprintf(`The %s price table was transcribed on %s; make cost and the budget check rest on it. A year later its prices are re-queried: Azure changes list prices without dates to watch, and the estimate decides whether a stack passes its budget's first alert.`, region, t.Transcribed),
		Pin:      Pin{PinPrices, region, file},
		Source:   file + ` ("transcribed"), each item with its Retail Prices API filter`,
		Checked:  t.Transcribed,
		Do:       fmt.Sprintf(`Re-run each item's query (docs/cost.md shows how), update prices, sources and "transcribed" in %s, then make docs; this entry moves with the date.`, file),
	}, nil
}

// APIs are the Azure API versions azurerm 4.81.0 uses for the resource
// types of the stacks, read from the provider's source at v4.81.0.
var APIs = []API{
	{[]string{"azurerm_kubernetes_cluster", "data azurerm_kubernetes_cluster"}, "Microsoft.ContainerService managedClusters, agentPools, maintenanceConfigurations", "2025-10-01", "none (GA; AKS retires only preview versions on a schedule)"},
	{[]string{"azurerm_key_vault", "azurerm_key_vault_access_policy"}, "Microsoft.KeyVault/vaults", "2026-02-01", "none; versions before it retire 2027-02-27"},
	{[]string{"azurerm_key_vault_secret"}, "Key Vault data plane (secrets)", "7.4", "none (the 2027-02-27 retirement is control plane only)"},
	{[]string{"azurerm_key_vault_secret"}, "Microsoft.Resources/resources (finding a vault by its URI)", "2015-11-01", "none found"},
	{[]string{"azurerm_storage_account", "azurerm_storage_container"}, "Microsoft.Storage storageAccounts, blobServices, blobContainers", "2025-08-01", "none found"},
	{[]string{"azurerm_storage_account"}, "Storage data plane (blob and queue properties)", "2023-11-03", "none found"},
	{[]string{"azurerm_virtual_network", "azurerm_subnet", "azurerm_network_security_group", "azurerm_network_security_rule", "azurerm_subnet_network_security_group_association", "azurerm_public_ip"}, "Microsoft.Network", "2025-01-01", "none found"},
	{[]string{"azurerm_dns_zone", "azurerm_dns_a_record"}, "Microsoft.Network dnsZones, recordsets", "2018-05-01", "none found"},
	{[]string{"azurerm_monitor_metric_alert"}, "Microsoft.Insights/metricAlerts", "2018-03-01", "none found"},
	{[]string{"azurerm_monitor_scheduled_query_rules_alert_v2"}, "Microsoft.Insights/scheduledQueryRules", "2023-03-15-preview", "none found; a preview version"},
	{[]string{"azurerm_monitor_action_group"}, "Microsoft.Insights/actionGroups", "2023-01-01", "none found"},
	{[]string{"azurerm_monitor_data_collection_rule", "azurerm_monitor_data_collection_rule_association"}, "Microsoft.Insights dataCollectionRules, dataCollectionRuleAssociations", "2023-03-11", "none found"},
	{[]string{"azurerm_log_analytics_workspace"}, "Microsoft.OperationalInsights/workspaces (shared keys through 2020-08-01)", "2023-09-01", "none found"},
	{[]string{"azurerm_consumption_budget_resource_group"}, "Microsoft.Consumption/budgets", "2019-10-01", "none found"},
	{[]string{"azurerm_data_protection_backup_vault", "azurerm_data_protection_backup_policy_disk", "azurerm_data_protection_backup_instance_disk"}, "Microsoft.DataProtection", "2025-07-01", "none found"},
	{[]string{"azurerm_resource_group_policy_assignment"}, "Microsoft.Authorization/policyAssignments", "2022-06-01", "none found"},
	{[]string{"azurerm_role_assignment"}, "Microsoft.Authorization/roleAssignments", "2022-04-01", "none found"},
	{[]string{"azurerm_role_assignment"}, "Microsoft.Authorization/roleDefinitions (a role by name)", "2022-05-01-preview", "none found; a preview version"},
	{[]string{"azurerm_user_assigned_identity", "azurerm_federated_identity_credential", "data azurerm_user_assigned_identity"}, "Microsoft.ManagedIdentity", "2024-11-30", "none found"},
	{[]string{"azurerm_managed_disk", "data azurerm_managed_disk"}, "Microsoft.Compute/disks", "2023-04-02", "none found"},
	{[]string{"azurerm_resource_group"}, "Microsoft.Resources/resourceGroups", "2023-07-01", "none found"},
}

// Actions are the actions the workflows and composite actions pin, with
// the runtime each declares at its pinned commit (read from its action.yml
// there).
var Actions = []ActionPin{
	{"actions/checkout", "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09", "v5.1.0", "node24"},
	{"actions/setup-go", "924ae3a1cded613372ab5595356fb5720e22ba16", "v6.5.0", "node24"},
	{"actions/setup-node", "a0853c24544627f65ddf259abe73b1d18a591444", "v5.0.0", "node24"},
	{"actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5", "node24"},
	{"actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0", "node24"},
	{"actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1", "node24"},
	{"hashicorp/setup-terraform", "dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1", "node24"},
	{"Azure/login", "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1", "node24"},
}
