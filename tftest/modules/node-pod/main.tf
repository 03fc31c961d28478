# Helper module of the live tests (make ktest): the perpetual node's Pod as
# the Helm package runs it (docs/deployment.md), created in the stack's
# namespace. The API server admits it or not; with no scheduler and no
# kubelet it stays Pending and runs nothing.

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

variable "image" {
  type = string
}

variable "service_account_name" {
  type = string
}

variable "claim_name" {
  type = string
}

resource "kubernetes_pod_v1" "node" {
  metadata {
    name      = "perpetual-node-admission"
    namespace = var.namespace
    labels = {
      "azure.workload.identity/use" = "true"
    }
  }
  spec {
    service_account_name = var.service_account_name
    container {
      name  = "perpetual-node"
      image = var.image
      volume_mount {
        name       = "ipfs-data"
        mount_path = "/data/ipfs"
      }
    }
    volume {
      name = "ipfs-data"
      persistent_volume_claim {
        claim_name = var.claim_name
      }
    }
  }
  # Admitted is enough: nothing here schedules or runs it.
  target_state = ["Pending"]
}
