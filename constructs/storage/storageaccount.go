package storage

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/storageaccount"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/storagecontainer"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// AccountProps configures [NewAccount].
type AccountProps struct {
	azure.Placement
	// Name: 3 to 24 lower-case letters or digits, unique in Azure.
	Name string
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
	// plain address for those). An element may be a Terraform list
	// expression (see tfx.List).
	IPRules []string
	// PreventDestroy adds lifecycle.prevent_destroy.
	PreventDestroy bool
}

// Account is the storage account and its logs container.
type Account struct {
	constructs.Construct
	StorageAccount storageaccount.StorageAccount
	Logs           storagecontainer.StorageContainer
}

// NewAccount creates the storage account for logs and backups, named id in
// Terraform (id+"-logs" for the container): HTTPS only, TLS 1.2 or newer,
// Microsoft Entra ID only (no shared keys), no public blob access,
// infrastructure encryption, blob versioning and soft delete, and a private
// logs container.
func NewAccount(scope constructs.Construct, id string, p AccountProps) *Account {
	a := &Account{Construct: constructs.NewConstruct(scope, &id)}
	a.StorageAccount = tfx.Pin(storageaccount.NewStorageAccount(a.Construct, jsii.String("account"), &storageaccount.StorageAccountConfig{
		Name:                            jsii.String(p.Name),
		ResourceGroupName:               p.GroupName(),
		Location:                        p.Region(),
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
			IpRules:       tfx.Strings(p.IPRules),
		},
		Tags:      p.TagMap(),
		Lifecycle: tfx.PreventDestroy(p.PreventDestroy),
	}), id)
	a.Logs = tfx.Pin(storagecontainer.NewStorageContainer(a.Construct, jsii.String("logs"), &storagecontainer.StorageContainerConfig{
		Name: jsii.String(p.LogsContainer),
		// The management plane (storage_account_id), not the blob endpoint:
		// a denying storage firewall blocks the data plane for the runner.
		StorageAccountId:    a.StorageAccount.Id(),
		ContainerAccessType: jsii.String("private"),
	}), id+"-logs")
	return a
}
