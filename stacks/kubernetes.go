package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermkubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermmanageddisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermuserassignedidentity"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/provider"
	kubeprovider "github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/provider"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/workload"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
)

// Fixed names of the in-cluster objects (the configurable ones come from
// config.Workload).
const (
	DevSecretName = "perpetual-secrets"
	// AKSServerID is the application ID of the AKS Microsoft Entra server,
	// the audience of kubelogin's tokens.
	AKSServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"
)

// KubernetesStack is an environment's in-cluster objects.
type KubernetesStack struct {
	// Stack is the cdktf stack.
	Stack cdktf.TerraformStack
}

// NewKubernetesStack builds the <environment>-k8s stack. It finds the
// cluster, the data disk and the node identity through azurerm data sources
// by the names the shared configuration derives (no remote state coupling)
// and depends on the Azure stack, so `cdktf deploy <env> <env>-k8s` runs in
// order.
func NewKubernetesStack(scope constructs.Construct, cfg *config.Config, azure *AzureStack) *KubernetesStack {
	name := cfg.K8sStackName()
	stack := newStack(scope, name)
	s := &KubernetesStack{Stack: stack}
	stack.AddDependency(azure.Stack)
	names := cfg.Names()
	w := cfg.Workload

	provider.NewAzurermProvider(stack, jsii.String("azurerm"), &provider.AzurermProviderConfig{
		Features: &[]*provider.AzurermProviderFeatures{{}},
	})
	configureBackend(stack, cfg.Backend, name)

	aks := dataazurermkubernetescluster.NewDataAzurermKubernetesCluster(stack, jsii.String("cluster"), &dataazurermkubernetescluster.DataAzurermKubernetesClusterConfig{
		Name:              jsii.String(names.Cluster),
		ResourceGroupName: jsii.String(names.ResourceGroup),
	})
	disk := dataazurermmanageddisk.NewDataAzurermManagedDisk(stack, jsii.String("ipfs-data"), &dataazurermmanageddisk.DataAzurermManagedDiskConfig{
		Name:              jsii.String(names.DataDisk),
		ResourceGroupName: jsii.String(names.ResourceGroup),
	})
	identity := dataazurermuserassignedidentity.NewDataAzurermUserAssignedIdentity(stack, jsii.String("node-identity"), &dataazurermuserassignedidentity.DataAzurermUserAssignedIdentityConfig{
		Name:              jsii.String(names.NodeIdentity),
		ResourceGroupName: jsii.String(names.ResourceGroup),
	})
	newKubernetesProvider(stack, cfg.Kubernetes, aks)

	username := secretVariable(stack, facts.VarGitHubUsername, "GitHub user that owns the ghcr.io token (TF_VAR_github_username).")
	token := secretVariable(stack, facts.VarGitHubToken, "GitHub token with read:packages for ghcr.io (TF_VAR_github_token).")
	revision := secretsRevision(stack)

	namespace := workload.NewNamespace(stack, "workload-namespace", workload.NamespaceProps{
		Name: w.Namespace,
		Labels: map[string]string{
			"app.kubernetes.io/part-of":    "perpetual-node",
			"app.kubernetes.io/managed-by": "cdktf",
		},
	})
	pull := workload.NewPullSecret(stack, "github-registry", workload.PullSecretProps{
		Name:      w.PullSecretName,
		Namespace: namespace,
		Server:    workload.GitHubRegistry,
		Username:  *username.StringValue(),
		Token:     *token.StringValue(),
		Revision:  *revision.NumberValue(),
	})
	account := workload.NewServiceAccount(stack, "service-account", workload.ServiceAccountProps{
		Name:        w.ServiceAccount,
		Namespace:   namespace,
		Identity:    identity,
		PullSecrets: []*workload.Secret{pull},
	})
	volume := workload.NewVolume(stack, "ipfs-volume", workload.VolumeProps{
		VolumeName: names.DataDisk,
		ClaimName:  w.ClaimName,
		Namespace:  namespace,
		Disk:       disk,
		SizeGB:     cfg.StorageSize,
	})
	if w.DevSecrets {
		ipfsKey := secretVariable(stack, facts.VarIPFSPrivateKey, "IPFS node private key for the development Secret (TF_VAR_ipfs_private_key).")
		dev := workload.NewSecret(stack, "dev-secrets", workload.SecretProps{
			Name:      DevSecretName,
			Namespace: namespace,
			Revision:  *revision.NumberValue(),
			Data: map[string]string{
				SecretGitHubToken:    *token.StringValue(),
				SecretIPFSPrivateKey: *ipfsKey.StringValue(),
			},
		})
		output(stack, "dev_secret_name", dev.Name(), "Development Secret with github-token and ipfs-private-key.", false)
	}

	output(stack, "namespace", namespace.Name(), "Namespace of the perpetual node.", false)
	output(stack, "pull_secret_name", pull.Name(), "imagePullSecrets entry for ghcr.io.", false)
	output(stack, "image_repository", cfg.ImageRepository, "Image repository of the perpetual node.", false)
	output(stack, "service_account_name", account.Account.Metadata().Name(), "Service account with the node's workload identity.", false)
	output(stack, "claim_name", volume.Claim.Metadata().Name(), "PersistentVolumeClaim of the IPFS data.", false)
	output(stack, "node_identity_client_id", identity.ClientId(), "Client ID for the SecretProviderClass (clientID).", false)
	output(stack, "key_vault_name", names.KeyVault, "Key Vault for the SecretProviderClass (keyvaultName).", false)
	output(stack, "tenant_id", identity.TenantId(), "Tenant for the SecretProviderClass (tenantId).", false)
	attachGuardrails(stack, cfg)
	return s
}

// newKubernetesProvider configures the kubernetes provider from the cluster
// data source: with kubelogin (Microsoft Entra ID tokens; works with local
// accounts disabled) or with the local admin certificate.
func newKubernetesProvider(stack cdktf.TerraformStack, k config.Kubernetes, aks dataazurermkubernetescluster.DataAzurermKubernetesCluster) {
	cfg := &kubeprovider.KubernetesProviderConfig{}
	switch k.ProviderAuth {
	case config.AuthAdminCertificate:
		admin := aks.KubeAdminConfig().Get(jsii.Number(0))
		cfg.Host = admin.Host()
		cfg.ClientCertificate = cdktf.Fn_Base64decode(admin.ClientCertificate())
		cfg.ClientKey = cdktf.Fn_Base64decode(admin.ClientKey())
		cfg.ClusterCaCertificate = cdktf.Fn_Base64decode(admin.ClusterCaCertificate())
	default:
		user := aks.KubeConfig().Get(jsii.Number(0))
		cfg.Host = user.Host()
		cfg.ClusterCaCertificate = cdktf.Fn_Base64decode(user.ClusterCaCertificate())
		login := kubeloginLogin(stack, k.KubeloginMode)
		cfg.Exec = &[]*kubeprovider.KubernetesProviderExec{{
			ApiVersion: jsii.String("client.authentication.k8s.io/v1beta1"),
			Command:    jsii.String("kubelogin"),
			Args: &[]*string{
				jsii.String("get-token"),
				jsii.String("--login"), login.StringValue(),
				jsii.String("--server-id"), jsii.String(AKSServerID),
			},
		}}
	}
	kubeprovider.NewKubernetesProvider(stack, jsii.String("kubernetes"), cfg)
}
