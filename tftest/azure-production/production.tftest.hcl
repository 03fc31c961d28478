# Azure stacks of production environments: what production forbids to relax.
# That prevent_destroy holds for each data resource is checked by the runner
# (cmd/tfcheck, tools/tfcheck): the test it generates per data resource
# (keep-NN) must see Terraform refuse that resource's replacement, and at
# cleanup Terraform may refuse to destroy data resources only.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

variables {
  deployer_ips = ["198.51.100.7"]
}

run "production" {
  command = apply

  assert {
    condition     = azurerm_key_vault.key-vault.network_acls[0].default_action == "Deny" && azurerm_key_vault.key-vault.purge_protection_enabled
    error_message = "The production Key Vault does not deny by default, or lacks purge protection."
  }
  assert {
    condition     = azurerm_storage_account.storage-account.network_rules[0].default_action == "Deny"
    error_message = "The production storage firewall does not deny by default."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.cluster.local_account_disabled && length(azurerm_kubernetes_cluster.cluster.api_server_access_profile[0].authorized_ip_ranges) > 1
    error_message = "The production cluster keeps local accounts, or its API server is open to every address."
  }

  # The deploying runner gets through the firewalls that deny by default.
  assert {
    condition     = contains(azurerm_key_vault.key-vault.network_acls[0].ip_rules, "198.51.100.7") && contains(azurerm_storage_account.storage-account.network_rules[0].ip_rules, "198.51.100.7")
    error_message = "The deployer's address is not admitted by the Key Vault and storage firewalls."
  }
  assert {
    condition     = contains(azurerm_kubernetes_cluster.cluster.api_server_access_profile[0].authorized_ip_ranges, "198.51.100.7/32")
    error_message = "The deployer's address is not admitted to the API server."
  }
}
