# Every in-cluster stack on a real API server (make ktest): deploys whose
# claim cannot be bound to the data disk's volume fail.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

provider "kubernetes" {
  config_context = "tfcheck-live"
}

# The volume binder binds a claim to the volume reserved for it even when
# the claim asks for more than the volume has: sizes are compared only for
# volumes that are not reserved. (Shown on a pair of its own.)
run "binder_ignores_size" {
  command = apply
  module {
    source = "./modules/prebound-volume"
  }
  variables {
    namespace   = "size-probe"
    volume_size = "1Gi"
    claim_size  = "2Gi"
  }

  assert {
    condition     = output.claim.status.phase == "Bound" && output.claim.status.capacity.storage == "1Gi"
    error_message = "The binder now refuses (or resizes) a reserved volume smaller than its claim (claim ${output.claim.status.phase}, ${try(output.claim.status.capacity.storage, "no capacity")}): the stacks' disk size precondition may be redundant."
  }
}

# So a disk smaller than the size the volume declares and the claim requests
# is refused by the volume's precondition, when the deploy plans, before
# anything is created.
run "disk_too_small" {
  command = plan
  override_data {
    target = data.azurerm_managed_disk.ipfs-data
    values = {
      disk_size_gb = 0
    }
  }
  expect_failures = [kubernetes_persistent_volume_v1.ipfs-volume]
}

run "apply" {
  command = apply
}

# The claim is replaced (deleted and created again, as after a taint or a
# change that forces a new claim). The Retain volume keeps the old claim's
# UID and stays Released: the volume is claimed elsewhere, and the new claim
# never binds. The apply must fail when the claim's wait ends (10 s here:
# tfcheck's override file), naming the reason (tfcheck expects this
# run's error, see ExpectedErrors in cmd/tfcheck); it must be the last run of
# the file, since an error ends the file.
run "claim_replaced" {
  command = apply
  plan_options {
    replace = [kubernetes_persistent_volume_claim_v1.ipfs-volume-claim]
  }
}
