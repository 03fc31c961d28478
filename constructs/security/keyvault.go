// Package security builds the node's secrets store and identities: the Key
// Vault with least-privilege access policies and the secrets it holds, the
// node's workload identity, and the Azure Policy assignments on the resource
// group.
package security

import (
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/keyvault"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/keyvaultaccesspolicy"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/keyvaultsecret"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/subnet"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Permissions of the two kinds of principals: those who manage the secrets
// (the deploying principal) and those who only read them (the node).
var (
	ManagerSecretPermissions = []string{"Get", "List", "Set", "Delete", "Recover", "Backup", "Restore"}
	ReaderSecretPermissions  = []string{"Get"}
	ReaderKeyPermissions     = []string{"Get"}
)

// KeyVaultProps configures [NewKeyVault].
type KeyVaultProps struct {
	azure.Placement
	// Name: 3 to 24 characters, unique in Azure (also while soft-deleted).
	Name     string
	TenantID string
	// PurgeProtection: a deleted vault cannot be purged before
	// SoftDeleteRetentionDays (7 to 90) pass. It cannot be turned off.
	PurgeProtection         bool
	SoftDeleteRetentionDays int
	// NetworkDefaultAction is "Allow" or "Deny"; trusted Azure services
	// (AzureServices) always pass, and so do IPRules and Subnets.
	NetworkDefaultAction string
	// IPRules are public addresses or ranges; an element may be a Terraform
	// list expression (see tfx.List).
	IPRules []string
	// Subnets are admitted through the firewall (they need the
	// Microsoft.KeyVault service endpoint): the node subnet, so that the
	// node's workload identity reads its secrets from inside the cluster.
	Subnets []subnet.Subnet
	// PreventDestroy adds lifecycle.prevent_destroy.
	PreventDestroy bool

	// Managers and Readers map a name (for the construct ID) to the object
	// ID of a principal. Managers may set secrets; Readers may only get
	// secrets and keys.
	Managers map[string]string
	Readers  map[string]string

	// Secrets are written into the vault through the write-only value_wo:
	// their values must be Terraform expressions (ephemeral variables),
	// never literals, and never reach state or a saved plan.
	Secrets []Secret
	// SecretsVersion is value_wo_version of every secret (a Terraform
	// expression): the secrets are written again only when it grows.
	SecretsVersion float64
}

// Secret is one Key Vault secret.
type Secret struct {
	Name        string
	Value       string
	ContentType string
}

// KeyVault is the Key Vault, its access policies and its secrets.
type KeyVault struct {
	constructs.Construct
	Vault   keyvault.KeyVault
	Secrets map[string]keyvaultsecret.KeyVaultSecret
}

// NewKeyVault creates a standard Key Vault, named id in Terraform, with
// access policies (not RBAC: access policies take effect at once, so the
// secrets can be written in the same apply) as separate resources, and the
// secrets (id+"-secret-<name>").
func NewKeyVault(scope constructs.Construct, id string, p KeyVaultProps) *KeyVault {
	v := &KeyVault{Construct: constructs.NewConstruct(scope, &id), Secrets: map[string]keyvaultsecret.KeyVaultSecret{}}
	subnets := make([]string, len(p.Subnets))
	for i, s := range p.Subnets {
		subnets[i] = *s.Id()
	}
	v.Vault = tfx.Pin(keyvault.NewKeyVault(v.Construct, jsii.String("vault"), &keyvault.KeyVaultConfig{
		Name:                         jsii.String(p.Name),
		ResourceGroupName:            p.GroupName(),
		Location:                     p.Region(),
		TenantId:                     jsii.String(p.TenantID),
		SkuName:                      jsii.String("standard"),
		EnableRbacAuthorization:      jsii.Bool(false),
		PurgeProtectionEnabled:       jsii.Bool(p.PurgeProtection),
		SoftDeleteRetentionDays:      tfx.Num(p.SoftDeleteRetentionDays),
		EnabledForDeployment:         jsii.Bool(false),
		EnabledForDiskEncryption:     jsii.Bool(false),
		EnabledForTemplateDeployment: jsii.Bool(false),
		PublicNetworkAccessEnabled:   jsii.Bool(true),
		NetworkAcls: &keyvault.KeyVaultNetworkAcls{
			Bypass:                  jsii.String("AzureServices"),
			DefaultAction:           jsii.String(p.NetworkDefaultAction),
			IpRules:                 tfx.Strings(p.IPRules),
			VirtualNetworkSubnetIds: tfx.Strings(subnets),
		},
		Tags:      p.TagMap(),
		Lifecycle: tfx.PreventDestroy(p.PreventDestroy),
	}), id)

	var managers []cdktf.ITerraformDependable
	for _, name := range slices.Sorted(maps.Keys(p.Managers)) {
		managers = append(managers, keyvaultaccesspolicy.NewKeyVaultAccessPolicyA(v.Construct, jsii.String("manager-"+name), &keyvaultaccesspolicy.KeyVaultAccessPolicyAConfig{
			KeyVaultId:        v.Vault.Id(),
			TenantId:          jsii.String(p.TenantID),
			ObjectId:          jsii.String(p.Managers[name]),
			SecretPermissions: tfx.Strings(ManagerSecretPermissions),
		}))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Readers)) {
		keyvaultaccesspolicy.NewKeyVaultAccessPolicyA(v.Construct, jsii.String("reader-"+name), &keyvaultaccesspolicy.KeyVaultAccessPolicyAConfig{
			KeyVaultId:        v.Vault.Id(),
			TenantId:          jsii.String(p.TenantID),
			ObjectId:          jsii.String(p.Readers[name]),
			SecretPermissions: tfx.Strings(ReaderSecretPermissions),
			KeyPermissions:    tfx.Strings(ReaderKeyPermissions),
		})
	}
	for _, s := range p.Secrets {
		v.Secrets[s.Name] = tfx.Pin(keyvaultsecret.NewKeyVaultSecret(v.Construct, jsii.String("secret-"+s.Name), &keyvaultsecret.KeyVaultSecretConfig{
			Name:           jsii.String(s.Name),
			KeyVaultId:     v.Vault.Id(),
			ValueWo:        jsii.String(s.Value),
			ValueWoVersion: jsii.Number(p.SecretsVersion),
			ContentType:    jsii.String(s.ContentType),
			Tags:           p.TagMap(),
			// The managers' policies must exist before a secret is written.
			DependsOn: &managers,
		}), id+"-secret-"+s.Name)
	}
	return v
}
