package stacks

import (
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/subnet"
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
		Issuer:         *aks.AKS.OidcIssuerUrl(),
		Namespace:      cfg.Workload.Namespace,
		ServiceAccount: cfg.Workload.ServiceAccount,
	})
}

// newKeyVault builds the Key Vault with the node's two secrets: the deployer
// manages them, the node's identity reads them from the node subnet.
func newKeyVault(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, in azureInputs,
	net *networking.Network, node *security.WorkloadIdentity) *security.KeyVault {
	kv := cfg.KeyVault
	return security.NewKeyVault(stack, "key-vault", security.KeyVaultProps{
		Placement:               place,
		Name:                    cfg.Names().KeyVault,
		TenantID:                *in.Client.TenantId(),
		PurgeProtection:         kv.PurgeProtection,
		SoftDeleteRetentionDays: kv.SoftDeleteRetentionDays,
		NetworkDefaultAction:    kv.NetworkDefaultAction,
		IPRules:                 firewallRules(cfg.Network, kv.NetworkDefaultAction, in.DeployerIPs),
		Subnets:                 []subnet.Subnet{net.Subnet},
		PreventDestroy:          cfg.Production,
		Managers:                map[string]string{"deployer": *in.Client.ObjectId()},
		Readers:                 map[string]string{"node": *node.Identity.PrincipalId()},
		SecretsVersion:          *in.SecretsRevision.NumberValue(),
		Secrets: []security.Secret{
			{Name: SecretGitHubToken, Value: *in.GitHubToken.StringValue(), ContentType: "text/plain"},
			{Name: SecretIPFSPrivateKey, Value: *in.IPFSPrivateKey.StringValue(), ContentType: "text/plain"},
		},
	})
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
