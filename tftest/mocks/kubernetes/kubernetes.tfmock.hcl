# Mock data for the kubernetes provider in `terraform test`: the mocked
# objects get the computed metadata an API server would give them.

mock_resource "kubernetes_namespace_v1" {
  defaults = {
    id = "perpetual"
  }
}
