# Helper module of the live tests (make ktest): a volume reserved for a claim
# (claimRef) and a claim naming the volume (volumeName), as the in-cluster
# stacks bind the data disk, but with a claim larger than its volume. It
# shows what the volume binder makes of such a pair.

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

variable "volume_size" {
  type = string
}

variable "claim_size" {
  type = string
}

resource "kubernetes_namespace_v1" "probe" {
  metadata {
    name = var.namespace
  }
}

resource "kubernetes_persistent_volume_v1" "probe" {
  metadata {
    name = "${var.namespace}-volume"
  }
  spec {
    capacity = {
      storage = var.volume_size
    }
    access_modes                     = ["ReadWriteOnce"]
    persistent_volume_reclaim_policy = "Retain"
    storage_class_name               = "managed-csi"
    claim_ref {
      name      = "probe"
      namespace = kubernetes_namespace_v1.probe.metadata[0].name
    }
    persistent_volume_source {
      csi {
        driver        = "disk.csi.azure.com"
        volume_handle = "${var.namespace}-disk"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "probe" {
  metadata {
    name      = "probe"
    namespace = kubernetes_namespace_v1.probe.metadata[0].name
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "managed-csi"
    volume_name        = kubernetes_persistent_volume_v1.probe.metadata[0].name
    resources {
      requests = {
        storage = var.claim_size
      }
    }
  }
  wait_until_bound = true
  timeouts {
    create = "1m"
  }
}

data "kubernetes_resource" "claim" {
  api_version = "v1"
  kind        = "PersistentVolumeClaim"
  metadata {
    name      = kubernetes_persistent_volume_claim_v1.probe.metadata[0].name
    namespace = kubernetes_persistent_volume_claim_v1.probe.metadata[0].namespace
  }
}

output "claim" {
  value = data.kubernetes_resource.claim.object
}
