# An Azure stack whose cluster has an automatic upgrade channel: AKS moves
# the cluster's Kubernetes version (and upgrades any cluster whose minor
# version leaves support), so the stack must never plan it back to the
# configured one, a downgrade that AKS refuses.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

# The stack as AKS left it: the same configuration with the control plane
# and the node pool one minor version ahead (tfcheck generates
# ./variants/aks-moved), applied into the stack's own state.
run "aks_moved_the_version" {
  state_key = "main"
  module {
    source = "./variants/aks-moved"
  }
}

run "no_version_planned_back" {
  command   = plan
  state_key = "main"

  assert {
    condition     = azurerm_kubernetes_cluster.cluster.kubernetes_version == run.aks_moved_the_version.aks_kubernetes_version && azurerm_kubernetes_cluster.cluster.default_node_pool[0].orchestrator_version == run.aks_moved_the_version.aks_kubernetes_version
    error_message = "The plan takes the cluster back from ${run.aks_moved_the_version.aks_kubernetes_version} to ${azurerm_kubernetes_cluster.cluster.kubernetes_version}: with an automatic upgrade channel the versions are AKS's (lifecycle.ignore_changes)."
  }
}
