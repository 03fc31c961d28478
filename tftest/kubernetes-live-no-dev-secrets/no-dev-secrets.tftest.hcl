# In-cluster stacks without workload.devSecrets (production), on a real API
# server (make ktest): the node's namespace holds no Secret but the pull
# secret; the node's secrets come from Key Vault.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

provider "kubernetes" {
  config_context = "tfcheck-live"
}

run "apply" {
  command = apply
}

run "objects" {
  command = apply
  module {
    source = "./modules/objects"
  }
  variables {
    namespace            = run.apply.namespace
    claim_name           = run.apply.claim_name
    service_account_name = run.apply.service_account_name
  }

  assert {
    condition     = output.secret_names == tolist([run.apply.pull_secret_name])
    error_message = "The namespace holds Secrets besides the pull secret: ${join(", ", output.secret_names)}."
  }
}
