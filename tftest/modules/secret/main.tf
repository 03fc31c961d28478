# Helper module of the live tests (make ktest): one Secret read back from the
# API server. The stacks write Secret data write-only, so the server holds
# the only copy of it.

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

variable "name" {
  type = string
}

data "kubernetes_secret_v1" "secret" {
  metadata {
    name      = var.name
    namespace = var.namespace
  }
}

output "type" {
  value = data.kubernetes_secret_v1.secret.type
}

# The decoded data (sensitive).
output "data" {
  value     = data.kubernetes_secret_v1.secret.data
  sensitive = true
}
