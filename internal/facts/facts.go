// Package facts holds what the stacks promise to the code around them
// (variable names, which resource types hold data, where the deployer's
// addresses go), for stacks, guardrails, commands and tests to share. It
// imports nothing, so commands that only read plans or configuration build
// without jsii, cdktf or the bindings.
package facts

// Terraform variables of the stacks, set with TF_VAR_<name>. The secrets
// never pass through Go: they are ephemeral variables that only write-only
// attributes read.
const (
	VarGitHubToken     = "github_token"
	VarGitHubUsername  = "github_username"
	VarIPFSPrivateKey  = "ipfs_private_key"
	VarDeployerIPs     = "deployer_ips"
	VarSecretsRevision = "secrets_revision"
	VarKubeloginLogin  = "kubelogin_login"
)

// ClusterType is the resource type of the AKS cluster.
const ClusterType = "azurerm_kubernetes_cluster"

// DataResources hold data, or a name others point at, that must survive
// any plan in production: the public IP (DNS records and allow-lists point
// at it), the DNS zone (its name servers are delegated), and the backup
// instance (deleting it deletes the recovery points) besides the obvious.
var DataResources = []string{
	"azurerm_managed_disk", "azurerm_storage_account", "azurerm_key_vault",
	"azurerm_public_ip", "azurerm_dns_zone",
	"azurerm_data_protection_backup_vault", "azurerm_data_protection_backup_instance_disk",
}

// RunnerPaths are the attributes, per resource type, through which the
// stacks let the deploying machine's addresses (VarDeployerIPs) in; "*" is
// every element of a nested block. A stacks test checks that only these
// read the variable.
var RunnerPaths = map[string][][]string{
	"azurerm_key_vault":       {{"network_acls", "*", "ip_rules"}},
	"azurerm_storage_account": {{"network_rules", "*", "ip_rules"}},
	ClusterType:               {{"api_server_access_profile", "*", "authorized_ip_ranges"}},
}
