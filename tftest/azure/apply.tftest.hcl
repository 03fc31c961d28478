# Every Azure stack: a mocked apply of the whole stack through the real
# azurerm provider (its validation of every argument runs), and what every
# environment keeps, whatever its configuration.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

run "apply" {
  command = apply

  # Secrets reach Key Vault through write-only attributes: nothing of them
  # rests in state.
  assert {
    condition     = azurerm_key_vault_secret.key-vault-secret-github-token.value == null && azurerm_key_vault_secret.key-vault-secret-ipfs-private-key.value == null
    error_message = "A Key Vault secret's value is in state; it must be written through value_wo."
  }
  assert {
    condition     = azurerm_key_vault_secret.key-vault-secret-github-token.value_wo_version == var.secrets_revision
    error_message = "The secrets' value_wo_version does not follow var.secrets_revision."
  }

  # The vault authorizes with Azure RBAC: the node reads the secrets, the
  # deploying identity writes them, and the secrets wait for its role.
  assert {
    condition     = azurerm_key_vault.key-vault.rbac_authorization_enabled && length(azurerm_key_vault.key-vault.access_policy) == 0
    error_message = "The Key Vault does not authorize with Azure RBAC alone."
  }
  assert {
    condition = (
      azurerm_role_assignment.key-vault-secrets-user-node.scope == azurerm_key_vault.key-vault.id &&
      azurerm_role_assignment.key-vault-secrets-user-node.role_definition_name == "Key Vault Secrets User" &&
      azurerm_role_assignment.key-vault-secrets-user-node.principal_id == azurerm_user_assigned_identity.node-identity.principal_id
    )
    error_message = "The node's identity is not a Key Vault Secrets User on the vault."
  }
  assert {
    condition = (
      azurerm_role_assignment.key-vault-secrets-officer-deployer.scope == azurerm_key_vault.key-vault.id &&
      azurerm_role_assignment.key-vault-secrets-officer-deployer.role_definition_name == "Key Vault Secrets Officer" &&
      azurerm_role_assignment.key-vault-secrets-officer-deployer.principal_id == data.azurerm_client_config.current.object_id
    )
    error_message = "The deploying identity is not a Key Vault Secrets Officer on the vault."
  }

  # The node's pods read Key Vault from the node subnet (service endpoint).
  assert {
    condition     = azurerm_key_vault.key-vault.network_acls[0].bypass == "AzureServices" && contains(azurerm_key_vault.key-vault.network_acls[0].virtual_network_subnet_ids, azurerm_kubernetes_cluster.cluster.default_node_pool[0].vnet_subnet_id)
    error_message = "The Key Vault firewall does not admit the node subnet."
  }

  assert {
    condition = alltrue([
      azurerm_storage_account.storage-account.https_traffic_only_enabled,
      azurerm_storage_account.storage-account.min_tls_version == "TLS1_2",
      !azurerm_storage_account.storage-account.allow_nested_items_to_be_public,
      !azurerm_storage_account.storage-account.shared_access_key_enabled,
    ])
    error_message = "The storage account accepts plain HTTP, old TLS, public containers or shared keys."
  }
  assert {
    condition     = azurerm_storage_container.storage-account-logs.storage_account_id == azurerm_storage_account.storage-account.id && azurerm_storage_container.storage-account-logs.container_access_type == "private"
    error_message = "The logs container is not a private container managed through the storage account's ID."
  }

  assert {
    condition = alltrue([
      azurerm_kubernetes_cluster.cluster.oidc_issuer_enabled,
      azurerm_kubernetes_cluster.cluster.workload_identity_enabled,
      azurerm_kubernetes_cluster.cluster.azure_active_directory_role_based_access_control[0].azure_rbac_enabled,
      azurerm_kubernetes_cluster.cluster.network_profile[0].network_plugin_mode == "overlay",
    ])
    error_message = "The cluster lacks workload identity, Entra ID with Azure RBAC, or Azure CNI overlay."
  }

  assert {
    condition     = azurerm_public_ip.ingress-ip.sku == "Standard" && azurerm_public_ip.ingress-ip.allocation_method == "Static"
    error_message = "The ingress IP is not a Standard static IP."
  }

  # The budget starts on the first day of the month it is created in.
  assert {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-01T00:00:00Z$", azurerm_consumption_budget_resource_group.budget.time_period[0].start_date))
    error_message = "The budget does not start on the first day of a month."
  }

  assert {
    condition     = output.key_vault_uri == azurerm_key_vault.key-vault.vault_uri && output.ingress_ip_address == azurerm_public_ip.ingress-ip.ip_address && output.ipfs_disk_id == azurerm_managed_disk.ipfs-data.id
    error_message = "The outputs do not point at the stack's resources."
  }
}

# A new secrets revision writes the secrets again.
run "rotate" {
  command = plan

  variables {
    secrets_revision = 2
  }

  assert {
    condition     = azurerm_key_vault_secret.key-vault-secret-github-token.value_wo_version == 2
    error_message = "Raising secrets_revision does not plan a new write of the secrets."
  }
}

