# Mock data for the azurerm provider in `terraform test`. The real provider
# still validates every argument, so computed values that flow into other
# resources have the shapes Azure gives them: ARM resource IDs, UUIDs,
# addresses. Mock values are per type, not per resource.

mock_data "azurerm_client_config" {
  defaults = {
    client_id       = "11111111-1111-4111-8111-111111111111"
    object_id       = "22222222-2222-4222-8222-222222222222"
    subscription_id = "00000000-0000-4000-8000-000000000000"
    tenant_id       = "33333333-3333-4333-8333-333333333333"
  }
}

mock_resource "azurerm_resource_group" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg"
  }
}

mock_resource "azurerm_virtual_network" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Network/virtualNetworks/mock-vnet"
  }
}

mock_resource "azurerm_subnet" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Network/virtualNetworks/mock-vnet/subnets/mock-nodes"
  }
}

mock_resource "azurerm_network_security_group" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Network/networkSecurityGroups/mock-nsg"
  }
}

mock_resource "azurerm_public_ip" {
  defaults = {
    id         = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Network/publicIPAddresses/mock-ip"
    ip_address = "203.0.113.10"
    fqdn       = "mock.eastus.cloudapp.azure.com"
  }
}

mock_resource "azurerm_dns_zone" {
  defaults = {
    id           = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Network/dnsZones/example.org"
    name_servers = ["ns1-01.azure-dns.com.", "ns2-01.azure-dns.net."]
  }
}

mock_resource "azurerm_managed_disk" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Compute/disks/mock-disk"
  }
}

mock_resource "azurerm_user_assigned_identity" {
  defaults = {
    id           = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mock-identity"
    client_id    = "44444444-4444-4444-8444-444444444444"
    principal_id = "55555555-5555-4555-8555-555555555555"
    tenant_id    = "33333333-3333-4333-8333-333333333333"
  }
}

mock_resource "azurerm_kubernetes_cluster" {
  defaults = {
    id                  = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ContainerService/managedClusters/mock-aks"
    oidc_issuer_url     = "https://eastus.oic.prod-aks.azure.com/33333333-3333-4333-8333-333333333333/66666666-6666-4666-8666-666666666666/"
    node_resource_group = "mock-nodes-rg"
    kube_config_raw     = "apiVersion: v1\nkind: Config\n"
  }
}

mock_resource "azurerm_key_vault" {
  defaults = {
    id        = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.KeyVault/vaults/mock-kv"
    vault_uri = "https://mock-kv.vault.azure.net/"
  }
}

mock_resource "azurerm_key_vault_secret" {
  defaults = {
    id = "https://mock-kv.vault.azure.net/secrets/mock/0123456789abcdef0123456789abcdef"
  }
}

mock_resource "azurerm_storage_account" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Storage/storageAccounts/mockstorage"
  }
}

mock_resource "azurerm_log_analytics_workspace" {
  defaults = {
    id           = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.OperationalInsights/workspaces/mock-logs"
    workspace_id = "77777777-7777-4777-8777-777777777777"
  }
}

mock_resource "azurerm_monitor_action_group" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Insights/actionGroups/mock-ag"
  }
}

mock_resource "azurerm_monitor_data_collection_rule" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Insights/dataCollectionRules/mock-dcr"
  }
}

mock_resource "azurerm_data_protection_backup_vault" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.DataProtection/backupVaults/mock-bv"
  }
}

mock_resource "azurerm_data_protection_backup_policy_disk" {
  defaults = {
    id = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.DataProtection/backupVaults/mock-bv/backupPolicies/mock-policy"
  }
}

# Data sources of the in-cluster stacks, which find the Azure stack's
# resources by name.

mock_data "azurerm_kubernetes_cluster" {
  defaults = {
    id                  = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ContainerService/managedClusters/mock-aks"
    node_resource_group = "mock-nodes-rg"
    oidc_issuer_url     = "https://eastus.oic.prod-aks.azure.com/33333333-3333-4333-8333-333333333333/66666666-6666-4666-8666-666666666666/"
    kube_config = [{
      host                   = "https://mock-aks-dns.hcp.eastus.azmk8s.io:443"
      cluster_ca_certificate = "bW9jayBjbHVzdGVyIENB"
      client_certificate     = ""
      client_key             = ""
      username               = "clusterUser_mock-rg_mock-aks"
      password               = ""
    }]
    kube_admin_config = [{
      host                   = "https://mock-aks-dns.hcp.eastus.azmk8s.io:443"
      cluster_ca_certificate = "bW9jayBjbHVzdGVyIENB"
      client_certificate     = "bW9jayBjbGllbnQgY2VydA=="
      client_key             = "bW9jayBjbGllbnQga2V5"
      username               = "clusterAdmin_mock-rg_mock-aks"
      password               = ""
    }]
  }
}

mock_data "azurerm_managed_disk" {
  defaults = {
    id           = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Compute/disks/mock-disk"
    disk_size_gb = 5
  }
}

mock_data "azurerm_user_assigned_identity" {
  defaults = {
    id           = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mock-identity"
    client_id    = "44444444-4444-4444-8444-444444444444"
    principal_id = "55555555-5555-4555-8555-555555555555"
    tenant_id    = "33333333-3333-4333-8333-333333333333"
  }
}
