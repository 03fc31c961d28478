# Helper module of the live tests (make ktest): the pod policies a
# production environment assigns with effect Deny (security.NewPolicies),
# which AKS enforces through the Azure Policy add-on's Gatekeeper
# constraints, written as ValidatingAdmissionPolicies with the same rules,
# so that the local API server refuses what AKS would refuse:
#
#   - "Kubernetes clusters should not allow container privilege escalation"
#     (1c6e92c9-99f0-4e55-9cf2-0c234dc48f99): every container, init and
#     ephemeral containers included, sets
#     securityContext.allowPrivilegeEscalation to false;
#   - "Kubernetes cluster should not allow privileged containers"
#     (95edb821-ddaf-4404-9732-666045e056b4): no container sets
#     securityContext.privileged to true.
#
# Both keep the definitions' default exclusions: the namespaces kube-system,
# gatekeeper-system, azure-arc and azure-extensions-usage-system.

terraform {
  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
    }
  }
}

locals {
  excluded = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]
  # Every container of a Pod, whatever its kind.
  containers = "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : []) + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])"
  policies = {
    "azure-policy-no-privilege-escalation" = {
      expression = "(${local.containers}).all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)"
      message    = "every container must set securityContext.allowPrivilegeEscalation to false (Azure Policy: Kubernetes clusters should not allow container privilege escalation)"
    }
    "azure-policy-no-privileged-containers" = {
      expression = "(${local.containers}).all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)"
      message    = "no container may be privileged (Azure Policy: Kubernetes cluster should not allow privileged containers)"
    }
  }
}

resource "kubernetes_manifest" "policy" {
  for_each = local.policies
  manifest = {
    apiVersion = "admissionregistration.k8s.io/v1"
    kind       = "ValidatingAdmissionPolicy"
    metadata   = { name = each.key }
    spec = {
      failurePolicy = "Fail"
      matchConstraints = {
        resourceRules = [{
          apiGroups   = [""]
          apiVersions = ["v1"]
          operations  = ["CREATE", "UPDATE"]
          resources   = ["pods"]
        }]
      }
      validations = [{
        expression = each.value.expression
        message    = each.value.message
      }]
    }
  }
}

resource "kubernetes_manifest" "binding" {
  for_each = local.policies
  manifest = {
    apiVersion = "admissionregistration.k8s.io/v1"
    kind       = "ValidatingAdmissionPolicyBinding"
    metadata   = { name = each.key }
    spec = {
      policyName        = each.key
      validationActions = ["Deny"]
      matchResources = {
        namespaceSelector = {
          matchExpressions = [{
            key      = "kubernetes.io/metadata.name"
            operator = "NotIn"
            values   = local.excluded
          }]
        }
      }
    }
  }
  depends_on = [kubernetes_manifest.policy]
}

# The API server rebuilds its admission policies at most once a second
# (k8s.io/apiserver admission/plugin/policy/generic, policy_source.go:
# policyRefreshIntervalDefault), so a Pod sent right after the bindings can
# be admitted before they are in force. The run ends three refreshes later.
resource "terraform_data" "in_force" {
  depends_on = [kubernetes_manifest.binding]
  provisioner "local-exec" {
    command = "sleep 3"
  }
}
