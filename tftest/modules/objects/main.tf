# Helper module of the live tests (make ktest): reads an in-cluster stack's
# objects back from the API server as the server stored them and as its
# controllers left them (status, bindings), for the test files to assert on.

terraform {
  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
    }
  }
}

variable "namespace" {
  type = string
}

variable "claim_name" {
  type = string
}

variable "service_account_name" {
  type = string
}

data "kubernetes_resource" "claim" {
  api_version = "v1"
  kind        = "PersistentVolumeClaim"
  metadata {
    name      = var.claim_name
    namespace = var.namespace
  }
}

# The volume the claim is bound to.
data "kubernetes_resource" "volume" {
  api_version = "v1"
  kind        = "PersistentVolume"
  metadata {
    name = data.kubernetes_resource.claim.object.spec.volumeName
  }
}

data "kubernetes_resource" "service_account" {
  api_version = "v1"
  kind        = "ServiceAccount"
  metadata {
    name      = var.service_account_name
    namespace = var.namespace
  }
}

data "kubernetes_resources" "secrets" {
  api_version = "v1"
  kind        = "Secret"
  namespace   = var.namespace
}

output "claim" {
  value = data.kubernetes_resource.claim.object
}

output "volume" {
  value = data.kubernetes_resource.volume.object
}

output "service_account" {
  value = data.kubernetes_resource.service_account.object
}

# Names of every Secret in the namespace, sorted.
output "secret_names" {
  value = sort([for s in data.kubernetes_resources.secrets.objects : s.metadata.name])
}
