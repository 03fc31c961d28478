# In-cluster stacks with workload.devSecrets: the development Secret, written
# through write-only data.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

mock_provider "kubernetes" {
  source = "./mocks/kubernetes"
}

run "dev_secrets" {
  command = apply

  assert {
    condition     = kubernetes_secret_v1.dev-secrets.type == "Opaque" && length(coalesce(kubernetes_secret_v1.dev-secrets.data, {})) == 0 && kubernetes_secret_v1.dev-secrets.data_wo_revision == var.secrets_revision
    error_message = "The development Secret is not an Opaque Secret with write-only data."
  }
}
