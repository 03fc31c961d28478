package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

// LocalStatePath is where the local backend keeps a stack's state, relative
// to the stack's working directory cdktf.out/stacks/<stack>: the project
// root, next to cdktf.json, as the cdktf default does, but without the
// synthesizing machine's absolute path. State must stay outside cdktf.out,
// which every synthesis replaces.
func LocalStatePath(stack string) string {
	return "../../../terraform." + stack + ".tfstate"
}

// StateKey is the blob name of a stack's state in the azurerm backend.
func StateKey(b config.Backend, stack string) string {
	return b.KeyPrefix + "/" + stack + ".tfstate"
}

// configureBackend gives the stack its state backend: local by default, or
// Azure Storage with one key per stack, Microsoft Entra ID auth for the blob
// (use_azuread_auth: no storage account keys) and OIDC where available.
func configureBackend(stack cdktf.TerraformStack, b config.Backend, name string) {
	switch b.Type {
	case config.BackendAzureRM:
		cdktf.NewAzurermBackend(stack, &cdktf.AzurermBackendConfig{
			ResourceGroupName:  jsii.String(b.ResourceGroupName),
			StorageAccountName: jsii.String(b.StorageAccountName),
			ContainerName:      jsii.String(b.ContainerName),
			Key:                jsii.String(StateKey(b, name)),
			UseAzureadAuth:     jsii.Bool(true),
			UseOidc:            jsii.Bool(b.UseOIDC),
		})
	default:
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{
			Path: jsii.String(LocalStatePath(name)),
		})
	}
}
