# In-cluster stacks with workload.devSecrets, on a real API server (make
# ktest): the development Secret holds the node's secrets, read back from
# the server (its data is write-only: the server has the only copy).

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

provider "kubernetes" {
  config_context = "tfcheck-live"
}

run "apply" {
  command = apply
}

run "dev_secret" {
  command = apply
  module {
    source = "./modules/secret"
  }
  variables {
    namespace = run.apply.namespace
    name      = run.apply.dev_secret_name
  }
}

run "live" {
  command = plan

  assert {
    condition     = run.dev_secret.type == "Opaque" && nonsensitive(sort(keys(run.dev_secret.data))) == tolist(["github-token", "ipfs-private-key"])
    error_message = "The development Secret is not an Opaque Secret with github-token and ipfs-private-key."
  }
  assert {
    condition     = nonsensitive(run.dev_secret.data["github-token"] == var.github_token && run.dev_secret.data["ipfs-private-key"] == var.ipfs_private_key)
    error_message = "The development Secret does not hold the configured token and key."
  }
}
