# Azure stacks with enableBackups: the IPFS disk is protected by Azure Backup.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

run "backup" {
  command = apply

  assert {
    condition     = azurerm_data_protection_backup_instance_disk.backup-instance.disk_id == azurerm_managed_disk.ipfs-data.id && azurerm_data_protection_backup_instance_disk.backup-instance.vault_id == azurerm_data_protection_backup_vault.backup-vault.id
    error_message = "The backup instance does not protect the IPFS disk in the backup vault."
  }
  assert {
    condition     = azurerm_data_protection_backup_vault.backup-vault.identity[0].type == "SystemAssigned"
    error_message = "The backup vault has no identity of its own to read the disk and write snapshots."
  }
}
