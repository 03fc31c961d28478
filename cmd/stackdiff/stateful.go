package main

import (
	"slices"
	"strings"
)

// stateful lists the resource types whose loss costs more than a redeploy:
// they hold data, secrets or an identity the outside world knows (an
// address, a DNS name). Removing one, renaming it without a moved block or
// changing an identity attribute makes Terraform destroy it and create an
// empty one.
//
// identity lists the attributes (flattened paths) that name or place the
// resource, which Azure cannot or may not change in place; cautiously long,
// and commonIdentity applies to every type.
var stateful = map[string]struct {
	what     string // what a replacement loses
	identity []string
}{
	"azurerm_managed_disk": {
		what:     "managed disk: the IPFS data on it",
		identity: []string{"zone", "create_option", "source_resource_id", "logical_sector_size", "hyper_v_generation"},
	},
	"azurerm_key_vault": {what: "Key Vault: its secrets, and the name stays soft-deleted for the retention period", identity: []string{"tenant_id"}},
	"azurerm_storage_account": {
		what:     "storage account: its blobs (logs, backups) and its globally unique name",
		identity: []string{"account_tier", "account_kind", "is_hns_enabled", "nfsv3_enabled", "large_file_share_enabled"},
	},
	"azurerm_public_ip": {
		what:     "public IP: the node's address that peers and DNS know",
		identity: []string{"sku", "zones", "ip_version", "public_ip_prefix_id", "domain_name_label_scope"},
	},
	"azurerm_data_protection_backup_vault": {what: "backup vault: the disk's recovery points", identity: []string{"datastore_type", "redundancy"}},
	"azurerm_data_protection_backup_instance_disk": {
		what:     "disk backup instance: deleting it stops protection and deletes the recovery points",
		identity: []string{"vault_id", "disk_id", "snapshot_resource_group_name"},
	},
	"azurerm_dns_zone": {what: "DNS zone: its records, and new name servers to delegate to"},
	"azurerm_kubernetes_cluster": {
		what: "AKS cluster: every workload and in-cluster object, and its OIDC issuer (workload identity federations)",
		identity: []string{
			"dns_prefix", "dns_prefix_private_cluster", "node_resource_group", "private_cluster_enabled",
			"disk_encryption_set_id", "network_profile.network_plugin", "network_profile.network_plugin_mode",
			"network_profile.pod_cidr", "network_profile.service_cidr", "network_profile.dns_service_ip",
			"network_profile.outbound_type", "default_node_pool.vnet_subnet_id",
		},
	},
}

// commonIdentity are the attributes that place any Azure resource.
var commonIdentity = []string{"name", "location", "resource_group_name"}

// isStateful reports whether resources of type t are in the stateful table.
func isStateful(t string) bool {
	_, ok := stateful[t]
	return ok
}

// identityAttribute reports whether the flattened path p of a resource of
// type t is, or is inside (zones.0), one of its identity attributes.
func identityAttribute(t, p string) bool {
	s, ok := stateful[t]
	return ok && slices.ContainsFunc(slices.Concat(commonIdentity, s.identity), func(id string) bool {
		return p == id || strings.HasPrefix(p, id+".")
	})
}
