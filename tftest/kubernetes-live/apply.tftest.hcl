# Every in-cluster stack on a real API server (make ktest): a real apply,
# assertions on the objects as the API server and its controllers left them
# (read back in separate runs, not taken from Terraform's state), and a real
# destroy when the file ends. Only the Azure data sources are mocked.

mock_provider "azurerm" {
  source = "./mocks/azurerm"
}

# The control plane of make ktest: tfcheck sets KUBE_CONFIG_PATH to its
# kubeconfig, whose only context is this one.
provider "kubernetes" {
  config_context = "tfcheck-live"
}

# The deploy: it returns only once the claim is bound (wait_until_bound).
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
}

run "pull_secret" {
  command = apply
  module {
    source = "./modules/secret"
  }
  variables {
    namespace = run.apply.namespace
    name      = run.apply.pull_secret_name
  }
}

# The node's Pod as the Helm package runs it is admitted in the namespace:
# its service account exists (the ServiceAccount admission plugin refuses a
# Pod whose account does not) and hands it the pull secret.
run "pod" {
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

  assert {
    condition     = kubernetes_pod_v1.node.spec[0].container[0].image == run.apply.image_repository && kubernetes_pod_v1.node.spec[0].service_account_name == run.apply.service_account_name
    error_message = "The admitted Pod does not run the configured image as the node's service account."
  }
  assert {
    condition     = [for v in kubernetes_pod_v1.node.spec[0].volume : v.persistent_volume_claim[0].claim_name if length(v.persistent_volume_claim) > 0] == [run.apply.claim_name]
    error_message = "The admitted Pod does not mount the claim."
  }
  assert {
    condition     = kubernetes_pod_v1.node.metadata[0].labels["azure.workload.identity/use"] == "true"
    error_message = "The admitted Pod lost the workload identity label."
  }
  # The Pod spec names no pull secret: admission copied the service
  # account's.
  assert {
    condition     = [for s in coalesce(kubernetes_pod_v1.node.spec[0].image_pull_secrets, []) : s.name] == [run.apply.pull_secret_name]
    error_message = "Admission did not give the Pod the service account's pull secret."
  }
}

# Assertions on what was read back, against the stack's own inputs.
run "live" {
  command = plan

  # The claim is bound to the volume of the data disk, both ways, and the
  # volume keeps the disk when released.
  assert {
    condition     = run.objects.claim.status.phase == "Bound" && run.objects.volume.status.phase == "Bound"
    error_message = "The claim is ${run.objects.claim.status.phase} and its volume ${run.objects.volume.status.phase}, not Bound."
  }
  assert {
    condition     = run.objects.claim.spec.volumeName == kubernetes_persistent_volume_v1.ipfs-volume.metadata[0].name && run.objects.volume.spec.claimRef.uid == run.objects.claim.metadata.uid
    error_message = "The claim and the data disk's volume are not bound to each other."
  }
  assert {
    condition     = run.objects.volume.spec.csi.driver == "disk.csi.azure.com" && run.objects.volume.spec.csi.volumeHandle == data.azurerm_managed_disk.ipfs-data.id
    error_message = "The bound volume is not the data disk on the Azure Disk CSI driver."
  }
  assert {
    condition     = run.objects.volume.spec.persistentVolumeReclaimPolicy == "Retain"
    error_message = "The volume would not keep the disk when its claim goes."
  }
  assert {
    condition     = run.objects.claim.status.capacity.storage == kubernetes_persistent_volume_claim_v1.ipfs-volume-claim.spec[0].resources[0].requests.storage
    error_message = "The bound claim has ${run.objects.claim.status.capacity.storage}, not the size it requested."
  }

  # The service account acts as the node's Azure identity and pulls with the
  # pull secret.
  assert {
    condition     = try(run.objects.service_account.metadata.annotations["azure.workload.identity/client-id"], "") == data.azurerm_user_assigned_identity.node-identity.client_id && try(run.objects.service_account.metadata.annotations["azure.workload.identity/tenant-id"], "") == data.azurerm_user_assigned_identity.node-identity.tenant_id
    error_message = "The service account does not carry the node identity's client and tenant IDs."
  }
  assert {
    condition     = [for s in coalesce(run.objects.service_account.imagePullSecrets, []) : s.name] == [kubernetes_secret_v1.github-registry.metadata[0].name]
    error_message = "The service account does not pull with the pull secret."
  }

  # The pull secret is a dockerconfigjson for ghcr.io whose auth decodes to
  # the configured user and token.
  assert {
    condition     = run.pull_secret.type == "kubernetes.io/dockerconfigjson" && contains(keys(run.pull_secret.data), ".dockerconfigjson")
    error_message = "The pull secret is not a kubernetes.io/dockerconfigjson Secret."
  }
  assert {
    condition     = tolist(nonsensitive(keys(jsondecode(run.pull_secret.data[".dockerconfigjson"]).auths))) == tolist(["ghcr.io"])
    error_message = "The pull secret does not hold exactly the ghcr.io registry."
  }
  assert {
    condition     = nonsensitive(split(":", base64decode(jsondecode(run.pull_secret.data[".dockerconfigjson"]).auths["ghcr.io"].auth))[0]) == var.github_username
    error_message = "The pull secret's auth does not decode to the configured user."
  }
  assert {
    condition     = nonsensitive(base64decode(jsondecode(run.pull_secret.data[".dockerconfigjson"]).auths["ghcr.io"].auth) == "${var.github_username}:${var.github_token}")
    error_message = "The pull secret's auth is not user:token."
  }
  assert {
    condition     = contains(run.objects.secret_names, kubernetes_secret_v1.github-registry.metadata[0].name)
    error_message = "The namespace has no pull secret."
  }
}
