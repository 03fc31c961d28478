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
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Permissions of the two kinds of principals: those who manage the secrets
// (the deploying principal) and those who only read them (the node).
var (
	ManagerSecretPermissions = []string{"Get", "List", "Set", "Delete", "Recover", "Backup", "Restore"}
	ReaderSecretPermissions  = []string{"Get"}
	ReaderKeyPermissions     = []string{"Get"}
)

// VaultProps configures [NewVault].
type VaultProps struct {
	// Name: 3 to 24 characters, unique in Azure (also while soft-deleted).
	Name              string
	ResourceGroupName string
	Location          string
	TenantID          string
	// PurgeProtection: a deleted vault cannot be purged before
	// SoftDeleteRetentionDays (7 to 90) pass. It cannot be turned off.
	PurgeProtection         bool
	SoftDeleteRetentionDays int
	// NetworkDefaultAction is "Allow" or "Deny"; trusted Azure services
	// (AzureServices) always pass, and so do IPRules.
	NetworkDefaultAction string
	IPRules              *[]*string
	// SubnetIDs are subnets admitted through the firewall (they need the
	// Microsoft.KeyVault service endpoint): the node subnet, so that the
	// node's workload identity reads its secrets from inside the cluster.
	SubnetIDs []string
	// PreventDestroy adds lifecycle.prevent_destroy.
	PreventDestroy bool
	Tags           map[string]string

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

// Vault is the built Key Vault.
type Vault struct {
	// Scope is the construct that holds the resources below.
	Scope   constructs.Construct
	Vault   keyvault.KeyVault
	Secrets map[string]keyvaultsecret.KeyVaultSecret
}

// NewVault creates a standard Key Vault with access policies (not RBAC:
// access policies take effect at once, so the secrets can be written in the
// same apply) as separate resources, and the secrets.
func NewVault(scope constructs.Construct, id string, p VaultProps) *Vault {
	v := &Vault{Scope: constructs.NewConstruct(scope, &id), Secrets: map[string]keyvaultsecret.KeyVaultSecret{}}
	v.Vault = tfx.Pin(keyvault.NewKeyVault(v.Scope, jsii.String("vault"), &keyvault.KeyVaultConfig{
		Name:                         jsii.String(p.Name),
		ResourceGroupName:            jsii.String(p.ResourceGroupName),
		Location:                     jsii.String(p.Location),
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
			IpRules:                 p.IPRules,
			VirtualNetworkSubnetIds: tfx.Strings(p.SubnetIDs),
		},
		Tags:      tfx.StringMap(p.Tags),
		Lifecycle: tfx.PreventDestroy(p.PreventDestroy),
	}), id)

	var managers []cdktf.ITerraformDependable
	for _, name := range slices.Sorted(maps.Keys(p.Managers)) {
		managers = append(managers, keyvaultaccesspolicy.NewKeyVaultAccessPolicyA(v.Scope, jsii.String("manager-"+name), &keyvaultaccesspolicy.KeyVaultAccessPolicyAConfig{
			KeyVaultId:        v.Vault.Id(),
			TenantId:          jsii.String(p.TenantID),
			ObjectId:          jsii.String(p.Managers[name]),
			SecretPermissions: tfx.Strings(ManagerSecretPermissions),
		}))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Readers)) {
		keyvaultaccesspolicy.NewKeyVaultAccessPolicyA(v.Scope, jsii.String("reader-"+name), &keyvaultaccesspolicy.KeyVaultAccessPolicyAConfig{
			KeyVaultId:        v.Vault.Id(),
			TenantId:          jsii.String(p.TenantID),
			ObjectId:          jsii.String(p.Readers[name]),
			SecretPermissions: tfx.Strings(ReaderSecretPermissions),
			KeyPermissions:    tfx.Strings(ReaderKeyPermissions),
		})
	}
	for _, s := range p.Secrets {
		v.Secrets[s.Name] = tfx.Pin(keyvaultsecret.NewKeyVaultSecret(v.Scope, jsii.String("secret-"+s.Name), &keyvaultsecret.KeyVaultSecretConfig{
			Name:           jsii.String(s.Name),
			KeyVaultId:     v.Vault.Id(),
			ValueWo:        jsii.String(s.Value),
			ValueWoVersion: jsii.Number(p.SecretsVersion),
			ContentType:    jsii.String(s.ContentType),
			Tags:           tfx.StringMap(p.Tags),
			// The managers' policies must exist before a secret is written.
			DependsOn: &managers,
		}), id+"-secret-"+s.Name)
	}
	return v
}
