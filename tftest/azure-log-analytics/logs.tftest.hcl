# Azure stacks with monitoring "log-analytics": Container Insights and the
# alert on the IPFS volume's fill level.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

run "logs" {
  command = apply

  assert {
    condition     = azurerm_log_analytics_workspace.log-analytics.daily_quota_gb > 0 && azurerm_log_analytics_workspace.log-analytics.sku == "PerGB2018"
    error_message = "The workspace has no daily cap."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.cluster.oms_agent[0].log_analytics_workspace_id == azurerm_log_analytics_workspace.log-analytics.id && azurerm_kubernetes_cluster.cluster.oms_agent[0].msi_auth_for_monitoring_enabled
    error_message = "Container Insights does not send to the workspace with managed identity auth."
  }
  assert {
    condition     = length(azurerm_monitor_scheduled_query_rules_alert_v2.ipfs-volume-alert.scopes) == 1 && contains(azurerm_monitor_scheduled_query_rules_alert_v2.ipfs-volume-alert.scopes, azurerm_log_analytics_workspace.log-analytics.id)
    error_message = "The IPFS volume alert does not query the workspace."
  }
}
