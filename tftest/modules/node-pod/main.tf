# Helper module of the live tests (make ktest): the perpetual node's Pod as
# the Helm package runs it (docs/deployment.md), created in the stack's
# namespace. The API server admits it or not; with no scheduler and no
# kubelet it stays Pending and runs nothing. Every container, the init
# container included, sets allowPrivilegeEscalation to false, as
# production's pod policy demands; escalating names one that does not.

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

variable "name" {
  type    = string
  default = "perpetual-node-admission"
}

# "", or the container ("init" or "node") that leaves allowPrivilegeEscalation
# unset, which production's pod policy refuses.
variable "escalating" {
  type    = string
  default = ""
}

resource "kubernetes_pod_v1" "node" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels = {
      "azure.workload.identity/use" = "true"
    }
  }
  spec {
    service_account_name = var.service_account_name
    init_container {
      name    = "init-repo"
      image   = var.image
      command = ["ipfs", "init", "--empty-repo"]
      security_context {
        allow_privilege_escalation = var.escalating == "init" ? null : false
      }
      volume_mount {
        name       = "ipfs-data"
        mount_path = "/data/ipfs"
      }
    }
    container {
      name  = "perpetual-node"
      image = var.image
      security_context {
        allow_privilege_escalation = var.escalating == "node" ? null : false
      }
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
