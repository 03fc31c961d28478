package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermclientconfig"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/provider"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/monitoring"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/networking"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/security"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/storage"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// AzureStack is an environment's Azure infrastructure.
type AzureStack struct {
	Stack cdktf.TerraformStack

	ResourceGroup resourcegroup.ResourceGroup
	Network       *networking.Network
	IngressIP     *networking.IngressIP
	Logs          *monitoring.LogAnalytics // nil with basic monitoring
	DataDisk      *storage.DataDisk
	Cluster       *cluster.Cluster
	Storage       *storage.Account
	Backup        *storage.Backup // nil without enableBackups
	NodeIdentity  *security.WorkloadIdentity
	KeyVault      *security.KeyVault
}

// NewAzureStack builds the Azure stack of cfg, named cfg.Environment. Each
// step is a function of the configuration and of the steps it needs.
func NewAzureStack(scope constructs.Construct, cfg *config.Config) *AzureStack {
	stack := newStack(scope, cfg.Environment)
	newAzureProvider(stack)
	configureBackend(stack, cfg.Backend, cfg.Environment)
	in := newAzureInputs(stack)
	place := newPlacement(stack, cfg)

	s := &AzureStack{Stack: stack, ResourceGroup: place.ResourceGroup}
	s.Network = newNetwork(stack, cfg, place)
	s.IngressIP = newIngressIP(stack, cfg, place)
	s.Logs = newLogAnalytics(stack, cfg, place)
	s.DataDisk = newDataDisk(stack, cfg, place)
	s.Cluster = newCluster(stack, cfg, place, in, s.Network, s.DataDisk, s.Logs)
	s.Storage = newStorageAccount(stack, cfg, place, in)
	s.Backup = newBackup(stack, cfg, place, s.DataDisk)
	s.NodeIdentity = newNodeIdentity(stack, cfg, place, s.Cluster)
	s.KeyVault = newKeyVault(stack, cfg, place, in, s.Network, s.NodeIdentity)
	newPolicies(stack, cfg, place)
	newMonitoring(stack, cfg, place, s.Cluster, s.Logs)

	s.outputs()
	addMoves(stack, earlierAddresses)
	attachGuardrails(stack, cfg)
	return s
}

// azureInputs are what an Azure stack reads when Terraform runs: the
// identity running it and the variables.
type azureInputs struct {
	// Client is the identity running Terraform (tenant, object ID).
	Client          dataazurermclientconfig.DataAzurermClientConfig
	GitHubToken     cdktf.TerraformVariable
	IPFSPrivateKey  cdktf.TerraformVariable
	SecretsRevision cdktf.TerraformVariable
	DeployerIPs     cdktf.TerraformVariable
}

func newAzureInputs(stack cdktf.TerraformStack) azureInputs {
	return azureInputs{
		Client:          dataazurermclientconfig.NewDataAzurermClientConfig(stack, jsii.String("current"), &dataazurermclientconfig.DataAzurermClientConfigConfig{}),
		GitHubToken:     secretVariable(stack, facts.VarGitHubToken, "GitHub token stored in Key Vault as github-token (TF_VAR_github_token)."),
		IPFSPrivateKey:  secretVariable(stack, facts.VarIPFSPrivateKey, "IPFS node private key stored in Key Vault as ipfs-private-key (TF_VAR_ipfs_private_key)."),
		SecretsRevision: secretsRevision(stack),
		DeployerIPs:     deployerIPs(stack),
	}
}

// newPlacement creates the environment's resource group: every resource of
// the stack goes there, in the configured region, with the tags.
func newPlacement(stack cdktf.TerraformStack, cfg *config.Config) azure.Placement {
	tags := cfg.AllTags()
	rg := tfx.Pin(resourcegroup.NewResourceGroup(stack, jsii.String("resource-group"), &resourcegroup.ResourceGroupConfig{
		Name:     jsii.String(cfg.Names().ResourceGroup),
		Location: jsii.String(cfg.Location),
		Tags:     tfx.StringMap(tags),
	}), "resource-group")
	return azure.Placement{ResourceGroup: rg, Location: cfg.Location, Tags: tags}
}

// newAzureProvider configures azurerm. Deleting a resource group that still
// holds resources fails instead of deleting them; a destroyed Key Vault is
// only soft-deleted (never purged) and is recovered when recreated. The
// provider never calls the storage data plane (blob, queue endpoints): the
// storage firewall denies by default and does not admit runners in the
// same region by IP, so every storage setting goes through the management
// plane (containers by storage_account_id).
func newAzureProvider(stack cdktf.TerraformStack) {
	provider.NewAzurermProvider(stack, jsii.String("azurerm"), &provider.AzurermProviderConfig{
		Features: &[]*provider.AzurermProviderFeatures{{
			KeyVault: &[]*provider.AzurermProviderFeaturesKeyVault{{
				PurgeSoftDeleteOnDestroy:    jsii.Bool(false),
				RecoverSoftDeletedKeyVaults: jsii.Bool(true),
			}},
			ResourceGroup: &[]*provider.AzurermProviderFeaturesResourceGroup{{
				PreventDeletionIfContainsResources: jsii.Bool(true),
			}},
			Storage: &[]*provider.AzurermProviderFeaturesStorage{{
				DataPlaneAvailable: jsii.Bool(false),
			}},
		}},
	})
}
