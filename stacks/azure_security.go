package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/networking"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/security"
)

// Key Vault secret names, which the Helm package's SecretProviderClass reads.
const (
	SecretGitHubToken    = "github-token"
	SecretIPFSPrivateKey = "ipfs-private-key"
)

// newNodeIdentity builds the node's workload identity, federated with its
// service account through the cluster's OIDC issuer.
func newNodeIdentity(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, aks *cluster.Cluster) *security.WorkloadIdentity {
	return security.NewWorkloadIdentity(stack, "node-identity", security.WorkloadIdentityProps{
		Placement:      place,
		Name:           cfg.Names().NodeIdentity,
		Cluster:        aks.AKS,
		Namespace:      cfg.Workload.Namespace,
		ServiceAccount: cfg.Workload.ServiceAccount,
	})
}

// newKeyVault builds the Key Vault with the node's two secrets: the deployer
// writes them, the node's identity reads them from the node subnet.
func newKeyVault(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, in azureInputs,
	net *networking.Network, node *security.WorkloadIdentity) *security.KeyVault {
	kv := cfg.KeyVault
	vault := security.NewKeyVault(stack, "key-vault", security.KeyVaultProps{
		Placement:               place,
		Name:                    cfg.Names().KeyVault,
		Tenant:                  in.Client,
		PurgeProtection:         kv.PurgeProtection,
		SoftDeleteRetentionDays: kv.SoftDeleteRetentionDays,
		NetworkDefaultAction:    kv.NetworkDefaultAction,
		IPRules:                 firewallRules(cfg.Network, kv.NetworkDefaultAction, in.DeployerIPs),
		Subnets:                 []azure.Scope{net.Subnet},
		PreventDestroy:          cfg.Production,
	})
	vault.GrantSecretsRead("node", azure.ManagedIdentity(node.Identity))
	vault.GrantSecretsWrite("deployer", azure.CurrentClient(in.Client))
	revision := *in.SecretsRevision.NumberValue()
	vault.AddSecret(security.Secret{Name: SecretGitHubToken, Value: *in.GitHubToken.StringValue(), ContentType: "text/plain", Version: revision})
	vault.AddSecret(security.Secret{Name: SecretIPFSPrivateKey, Value: *in.IPFSPrivateKey.StringValue(), ContentType: "text/plain", Version: revision})
	return vault
}

// newPolicies assigns the built-in policies to the resource group.
func newPolicies(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement) *security.Policies {
	p := cfg.Policy
	return security.NewPolicies(stack, "policies", security.PoliciesProps{
		ResourceGroup:          place.ResourceGroup,
		NamePrefix:             cfg.NamePrefix + "-" + cfg.Environment,
		AllowedLocations:       cfg.AllowedLocations(),
		NoPrivilegedContainers: p.NoPrivilegedContainers,
		NoPrivilegeEscalation:  p.NoPrivilegeEscalation,
		KubernetesEffect:       p.KubernetesEffect,
	})
}
