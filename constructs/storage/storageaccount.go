package storage

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/storageaccount"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/storagecontainer"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// AccountProps configures [NewAccount].
type AccountProps struct {
	// Name: 3 to 24 lower-case letters or digits, unique in Azure.
	Name              string
	ResourceGroupName string
	Location          string
	// Replication: LRS, ZRS or GRS.
	Replication string
	// BlobSoftDeleteDays and ContainerSoftDeleteDays keep deleted blobs and
	// containers recoverable.
	BlobSoftDeleteDays      int
	ContainerSoftDeleteDays int
	// LogsContainer names the private container for logs.
	LogsContainer string
	// NetworkDefaultAction is "Allow" or "Deny". With "Deny" only IPRules
	// and trusted Azure services get through.
	NetworkDefaultAction string
	// IPRules are public addresses or ranges (no /31 or /32: Azure wants a
	// plain address for those). May be a Terraform list expression.
	IPRules *[]*string
	// PreventDestroy adds lifecycle.prevent_destroy.
	PreventDestroy bool
	Tags           map[string]string
}

// Account is the storage account and its logs container.
type Account struct {
	Account storageaccount.StorageAccount
	Logs    storagecontainer.StorageContainer
}

// NewAccount creates the storage account for logs and backups: HTTPS only,
// TLS 1.2 or newer, no public blob access, infrastructure encryption, blob
// versioning and soft delete, and a private logs container.
func NewAccount(scope constructs.Construct, id string, p AccountProps) *Account {
	acct := tfx.Pin(storageaccount.NewStorageAccount(scope, jsii.String(id), &storageaccount.StorageAccountConfig{
		Name:                            jsii.String(p.Name),
		ResourceGroupName:               jsii.String(p.ResourceGroupName),
		Location:                        jsii.String(p.Location),
		AccountKind:                     jsii.String("StorageV2"),
		AccountTier:                     jsii.String("Standard"),
		AccountReplicationType:          jsii.String(p.Replication),
		AccessTier:                      jsii.String("Hot"),
		HttpsTrafficOnlyEnabled:         jsii.Bool(true),
		MinTlsVersion:                   jsii.String("TLS1_2"),
		AllowNestedItemsToBePublic:      jsii.Bool(false),
		CrossTenantReplicationEnabled:   jsii.Bool(false),
		InfrastructureEncryptionEnabled: jsii.Bool(true),
		DefaultToOauthAuthentication:    jsii.Bool(true),
		// Entra ID only: the account keys, which the provider reads into
		// state whatever this says, then open nothing.
		SharedAccessKeyEnabled: jsii.Bool(false),
		BlobProperties: &storageaccount.StorageAccountBlobProperties{
			VersioningEnabled: jsii.Bool(true),
			DeleteRetentionPolicy: &storageaccount.StorageAccountBlobPropertiesDeleteRetentionPolicy{
				Days: tfx.Num(p.BlobSoftDeleteDays),
			},
			ContainerDeleteRetentionPolicy: &storageaccount.StorageAccountBlobPropertiesContainerDeleteRetentionPolicy{
				Days: tfx.Num(p.ContainerSoftDeleteDays),
			},
		},
		NetworkRules: &storageaccount.StorageAccountNetworkRules{
			DefaultAction: jsii.String(p.NetworkDefaultAction),
			Bypass:        tfx.Strings([]string{"AzureServices", "Logging", "Metrics"}),
			IpRules:       p.IPRules,
		},
		Tags:      tfx.StringMap(p.Tags),
		Lifecycle: tfx.PreventDestroy(p.PreventDestroy),
	}), id)
	logs := tfx.Pin(storagecontainer.NewStorageContainer(scope, jsii.String(id+"-logs"), &storagecontainer.StorageContainerConfig{
		Name: jsii.String(p.LogsContainer),
		// The management plane (storage_account_id), not the blob endpoint:
		// a denying storage firewall blocks the data plane for the runner.
		StorageAccountId:    acct.Id(),
		ContainerAccessType: jsii.String("private"),
	}), id+"-logs")
	return &Account{Account: acct, Logs: logs}
}
