// Package facts holds facts about the stacks that code outside the
// synthesis needs too, in a package without jsii or cdktf: cmd/plancheck
// reads plans with them and builds without the generated bindings.
package facts

// DataResources hold data, or a name others point at, that must survive
// any plan in production: the IPFS disk, the storage account, the Key
// Vault, the public IP (DNS records and allow-lists point at it), the DNS
// zone (its name servers are delegated), and the backup vault and instance
// (deleting the instance deletes the recovery points).
var DataResources = []string{
	"azurerm_managed_disk", "azurerm_storage_account", "azurerm_key_vault",
	"azurerm_public_ip", "azurerm_dns_zone",
	"azurerm_data_protection_backup_vault", "azurerm_data_protection_backup_instance_disk",
}
