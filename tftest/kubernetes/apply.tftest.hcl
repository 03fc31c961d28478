# Every in-cluster stack: a mocked apply through the real kubernetes provider
# (and azurerm for the data sources that find the Azure stack's resources).
# The objects themselves are checked by a real API server in make ktest.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

mock_provider "kubernetes" {
  source = "./mocks/kubernetes"
}

run "apply" {
  command = apply

  # The pull secret is a dockerconfigjson whose data is write-only: none of
  # the registry credentials rest in state.
  assert {
    condition     = kubernetes_secret_v1.github-registry.type == "kubernetes.io/dockerconfigjson" && length(coalesce(kubernetes_secret_v1.github-registry.data, {})) == 0
    error_message = "The pull secret is not a dockerconfigjson Secret with write-only data."
  }
  assert {
    condition     = kubernetes_secret_v1.github-registry.data_wo_revision == var.secrets_revision
    error_message = "The pull secret's data_wo_revision does not follow var.secrets_revision."
  }

  # The service account acts as the node's Azure identity and pulls with the
  # secret.
  assert {
    condition     = kubernetes_service_account_v1.service-account.metadata[0].annotations["azure.workload.identity/client-id"] == data.azurerm_user_assigned_identity.node-identity.client_id
    error_message = "The service account does not carry the node identity's client ID."
  }
  assert {
    condition     = contains([for s in kubernetes_service_account_v1.service-account.image_pull_secret : s.name], kubernetes_secret_v1.github-registry.metadata[0].name)
    error_message = "The service account does not use the pull secret."
  }

  # The claim binds the Azure stack's disk, which deleting the claim keeps.
  assert {
    condition     = kubernetes_persistent_volume_v1.ipfs-volume.spec[0].persistent_volume_source[0].csi[0].volume_handle == data.azurerm_managed_disk.ipfs-data.id && kubernetes_persistent_volume_v1.ipfs-volume.spec[0].persistent_volume_reclaim_policy == "Retain"
    error_message = "The volume does not mount the IPFS disk with reclaim policy Retain."
  }
  assert {
    condition     = kubernetes_persistent_volume_claim_v1.ipfs-volume-claim.spec[0].volume_name == kubernetes_persistent_volume_v1.ipfs-volume.metadata[0].name
    error_message = "The claim does not name its volume."
  }
}
