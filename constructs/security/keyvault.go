// Package security builds the node's secrets store and identities: the Key
// Vault on Azure RBAC and the secrets it holds, the node's workload
// identity, and the Azure Policy assignments on the resource group.
package security

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/keyvault"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/keyvaultsecret"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/roleassignment"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Built-in Azure roles of the vault's data plane, the least each kind of
// principal needs: readers get secret values; writers set, list, delete
// and recover secrets, but cannot read keys or certificates, nor change
// who has access (only role assignments, outside the vault, can).
const (
	SecretsUserRole    = "Key Vault Secrets User"
	SecretsOfficerRole = "Key Vault Secrets Officer"
)

// KeyVaultProps configures [NewKeyVault].
type KeyVaultProps struct {
	azure.Placement
	// Name: 3 to 24 characters, unique in Azure (also while soft-deleted).
	Name string
	// Tenant is the Microsoft Entra tenant of the vault's principals (the
	// data source azurerm_client_config).
	Tenant interface{ TenantId() *string }
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
	Subnets []azure.Scope
	// PreventDestroy adds lifecycle.prevent_destroy.
	PreventDestroy bool
}

// Secret is one Key Vault secret.
type Secret struct {
	Name string
	// Value is written through the write-only value_wo: a Terraform
	// expression (an ephemeral variable), never a literal, that never
	// reaches state or a saved plan.
	Value       string
	ContentType string
	// Version is value_wo_version (a Terraform expression): the secret is
	// written again only when it grows.
	Version float64
}

// KeyVault is the vault, the role assignments on it and its secrets.
type KeyVault struct {
	constructs.Construct
	Vault   keyvault.KeyVault
	Secrets map[string]keyvaultsecret.KeyVaultSecret

	id      string
	tags    map[string]string
	writers []cdktf.ITerraformDependable
}

// NewKeyVault creates a standard Key Vault, named id in Terraform, that
// authorizes its data plane with Azure RBAC: who may read or write secrets
// is a role assignment on the vault ([KeyVault.GrantSecretsRead],
// [KeyVault.GrantSecretsWrite]), which the vault's own principals cannot
// change, unlike access policies, which anyone with write access to the
// vault can edit. RBAC is also the default of Key Vault's API from
// 2026-02-01 on.
func NewKeyVault(scope constructs.Construct, id string, p KeyVaultProps) *KeyVault {
	v := &KeyVault{Construct: constructs.NewConstruct(scope, &id), Secrets: map[string]keyvaultsecret.KeyVaultSecret{}, id: id, tags: p.Tags}
	subnets := make([]string, len(p.Subnets))
	for i, s := range p.Subnets {
		subnets[i] = *s.Id()
	}
	v.Vault = tfx.Pin(keyvault.NewKeyVault(v.Construct, jsii.String("vault"), &keyvault.KeyVaultConfig{
		Name:                         jsii.String(p.Name),
		ResourceGroupName:            p.GroupName(),
		Location:                     p.Region(),
		TenantId:                     p.Tenant.TenantId(),
		SkuName:                      jsii.String("standard"),
		RbacAuthorizationEnabled:     jsii.Bool(true),
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
	return v
}

// GrantSecretsRead lets principal read the vault's secrets (Key Vault
// Secrets User on the vault), with the Terraform name
// <vault id>-secrets-user-<name>.
func (v *KeyVault) GrantSecretsRead(name string, principal azure.Principal) roleassignment.RoleAssignment {
	return azure.Grant(v.Construct, v.id+"-secrets-user-"+name, SecretsUserRole, v.Vault, principal)
}

// GrantSecretsWrite lets principal manage the vault's secrets (Key Vault
// Secrets Officer on the vault), with the Terraform name
// <vault id>-secrets-officer-<name>. Secrets added afterwards wait for the
// assignment.
func (v *KeyVault) GrantSecretsWrite(name string, principal azure.Principal) roleassignment.RoleAssignment {
	a := azure.Grant(v.Construct, v.id+"-secrets-officer-"+name, SecretsOfficerRole, v.Vault, principal)
	v.writers = append(v.writers, a)
	return a
}

// AddSecret writes s into the vault, named <vault id>-secret-<name> in
// Terraform, after every assignment of [KeyVault.GrantSecretsWrite] so far:
// the identity running Terraform writes it, and needs its role first.
// Azure applies a new role assignment within minutes, not at once:
// scripts/deploy.sh retries an apply that a fresh assignment failed.
func (v *KeyVault) AddSecret(s Secret) keyvaultsecret.KeyVaultSecret {
	writers := append([]cdktf.ITerraformDependable(nil), v.writers...)
	secret := tfx.Pin(keyvaultsecret.NewKeyVaultSecret(v.Construct, jsii.String("secret-"+s.Name), &keyvaultsecret.KeyVaultSecretConfig{
		Name:           jsii.String(s.Name),
		KeyVaultId:     v.Vault.Id(),
		ValueWo:        jsii.String(s.Value),
		ValueWoVersion: jsii.Number(s.Version),
		ContentType:    jsii.String(s.ContentType),
		Tags:           tfx.StringMap(v.tags),
		DependsOn:      &writers,
	}), v.id+"-secret-"+s.Name)
	v.Secrets[s.Name] = secret
	return secret
}
