# The in-cluster stack of an environment whose pod policies deny (make
# ktest; production's): with those policies in force on a real API server
# (modules/pod-policies), the node's Pod as docs/deployment.md shows it is
# admitted, and a Pod with a container that may escalate its privileges,
# an init container included, is refused.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

provider "kubernetes" {
  config_context = "tfcheck-live"
}

run "apply" {
  command = apply
}

run "policies" {
  command = apply
  module {
    source = "./modules/pod-policies"
  }
}

run "documented_pod" {
  command = apply
  module {
    source = "./modules/node-pod"
  }
  variables {
    namespace            = run.apply.namespace
    image                = run.apply.image_repository
    service_account_name = run.apply.service_account_name
    claim_name           = run.apply.claim_name
  }
}

# A Pod whose init container leaves allowPrivilegeEscalation unset is
# refused by the policy (tfcheck expects this run's error, see
# liveExpectedErrors in cmd/tfcheck); it must be the last run of the file,
# since an error ends the file.
run "escalating_init_container" {
  command = apply
  module {
    source = "./modules/node-pod"
  }
  variables {
    namespace            = run.apply.namespace
    image                = run.apply.image_repository
    service_account_name = run.apply.service_account_name
    claim_name           = run.apply.claim_name
    name                 = "escalating"
    escalating           = "init"
  }
}
