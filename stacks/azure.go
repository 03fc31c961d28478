package stacks

import (
	"net/netip"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/dataazurermclientconfig"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/loganalyticsworkspace"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/manageddisk"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/provider"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/resourcegroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/monitoring"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/networking"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/security"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/storage"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Key Vault secret names, as in the design.
const (
	SecretGitHubToken    = "github-token"
	SecretIPFSPrivateKey = "ipfs-private-key"
)

// AzureStack is an environment's Azure infrastructure.
type AzureStack struct {
	// Stack is the cdktf stack.
	Stack  cdktf.TerraformStack
	Config *config.Config

	ResourceGroup resourcegroup.ResourceGroup
	Network       *networking.Networking
	Cluster       *cluster.Cluster
	DataDisk      manageddisk.ManagedDisk
	Storage       *storage.Account
	Backup        *storage.Backup // nil without enableBackups
	Vault         *security.Vault
	NodeIdentity  *security.WorkloadIdentity
	Policies      *security.Policies
	Workspace     loganalyticsworkspace.LogAnalyticsWorkspace // nil with basic monitoring
	Alerts        *monitoring.Alerts
}

// NewAzureStack builds the Azure stack of cfg, named cfg.Environment.
func NewAzureStack(scope constructs.Construct, cfg *config.Config) *AzureStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(cfg.Environment))
	s := &AzureStack{Stack: stack, Config: cfg}
	names := cfg.Names()
	tags := cfg.AllTags()
	loc := cfg.Location

	newAzureProvider(stack)
	configureBackend(stack, cfg.Backend, cfg.Environment)
	client := dataazurermclientconfig.NewDataAzurermClientConfig(stack, jsii.String("current"), &dataazurermclientconfig.DataAzurermClientConfigConfig{})
	githubToken := secretVariable(stack, VarGitHubToken, "GitHub token stored in Key Vault as github-token (TF_VAR_github_token).")
	ipfsKey := secretVariable(stack, VarIPFSPrivateKey, "IPFS node private key stored in Key Vault as ipfs-private-key (TF_VAR_ipfs_private_key).")
	revision := secretsRevision(stack)
	deployers := deployerIPs(stack)

	s.ResourceGroup = tfx.Pin(resourcegroup.NewResourceGroup(stack, jsii.String("resource-group"), &resourcegroup.ResourceGroupConfig{
		Name:     jsii.String(names.ResourceGroup),
		Location: jsii.String(loc),
		Tags:     tfx.StringMap(tags),
	}), "resource-group")
	rg := *s.ResourceGroup.Name()

	s.Network = networking.New(stack, "networking", networking.Props{
		ResourceGroupName: rg,
		Location:          loc,
		Tags:              tags,
		VNetName:          names.VirtualNetwork,
		AddressSpace:      cfg.Network.VNetCIDR,
		SubnetName:        names.NodeSubnet,
		SubnetCIDR:        cfg.Network.NodeSubnetCIDR,
		PodCIDR:           cfg.Network.PodCIDR,
		ServiceEndpoints:  []string{"Microsoft.KeyVault"},
		SecurityGroupName: names.SecurityGroup,
		AdminCIDRs:        cfg.Network.AdminCIDRs,
		PublicIPName:      names.PublicIP,
		DNSLabel:          names.DNSLabel,
		DNSZone:           cfg.Network.DNSZone,
		DNSRecordName:     cfg.Network.DNSRecordName,
		PreventDestroy:    cfg.Production,
	})

	if cfg.Monitoring == config.MonitoringLogAnalytics {
		s.Workspace = monitoring.NewWorkspace(stack, "log-analytics", monitoring.WorkspaceProps{
			Name:              names.LogAnalytics,
			ResourceGroupName: rg,
			Location:          loc,
			DailyQuotaGB:      cfg.LogAnalytics.DailyQuotaGB,
			RetentionDays:     cfg.LogAnalytics.RetentionDays,
			Tags:              tags,
		})
	}

	s.DataDisk = storage.NewDataDisk(stack, "ipfs-data", storage.DiskProps{
		Name:              names.DataDisk,
		ResourceGroupName: rg,
		Location:          loc,
		SizeGB:            cfg.StorageSize,
		PreventDestroy:    cfg.Production,
		Tags:              tags,
	})

	s.Cluster = cluster.New(stack, "cluster", s.clusterProps(client, deployers))

	s.Storage = storage.NewAccount(stack, "storage-account", storage.AccountProps{
		Name:                    names.StorageAccount,
		ResourceGroupName:       rg,
		Location:                loc,
		Replication:             cfg.StorageAccount.Replication,
		BlobSoftDeleteDays:      cfg.StorageAccount.BlobSoftDeleteDays,
		ContainerSoftDeleteDays: cfg.StorageAccount.ContainerSoftDeleteDays,
		LogsContainer:           cfg.StorageAccount.LogsContainer,
		NetworkDefaultAction:    cfg.StorageAccount.NetworkDefaultAction,
		IPRules:                 firewallRules(cfg.Network.AdminCIDRs, cfg.StorageAccount.NetworkDefaultAction, deployers),
		PreventDestroy:          cfg.Production,
		Tags:                    tags,
	})

	if cfg.EnableBackups {
		snapshots := tfx.Pin(resourcegroup.NewResourceGroup(stack, jsii.String("snapshot-resource-group"), &resourcegroup.ResourceGroupConfig{
			Name:     jsii.String(names.SnapshotResourceGroup),
			Location: jsii.String(loc),
			Tags:     tfx.StringMap(tags),
		}), "snapshot-resource-group")
		s.Backup = storage.NewDiskBackup(stack, "backup", storage.BackupProps{
			VaultName:                 names.BackupVault,
			ResourceGroupName:         rg,
			Location:                  loc,
			Redundancy:                cfg.Backup.Redundancy,
			DiskID:                    *s.DataDisk.Id(),
			DiskName:                  names.DataDisk,
			SnapshotResourceGroupName: *snapshots.Name(),
			SnapshotResourceGroupID:   *snapshots.Id(),
			TimeOfDay:                 cfg.Backup.TimeOfDay,
			RetentionDays:             cfg.Backup.RetentionDays,
			PreventDestroy:            cfg.Production,
			Tags:                      tags,
		})
	}

	s.NodeIdentity = security.NewWorkloadIdentity(stack, "node-identity", security.IdentityProps{
		Name:              names.NodeIdentity,
		ResourceGroupName: rg,
		Location:          loc,
		Tags:              tags,
		OIDCIssuerURL:     *s.Cluster.AKS.OidcIssuerUrl(),
		Namespace:         cfg.Workload.Namespace,
		ServiceAccount:    cfg.Workload.ServiceAccount,
	})

	s.Vault = security.NewVault(stack, "key-vault", security.VaultProps{
		Name:                    names.KeyVault,
		ResourceGroupName:       rg,
		Location:                loc,
		TenantID:                *client.TenantId(),
		PurgeProtection:         cfg.KeyVault.PurgeProtection,
		SoftDeleteRetentionDays: cfg.KeyVault.SoftDeleteRetentionDays,
		NetworkDefaultAction:    cfg.KeyVault.NetworkDefaultAction,
		IPRules:                 firewallRules(cfg.Network.AdminCIDRs, cfg.KeyVault.NetworkDefaultAction, deployers),
		SubnetIDs:               []string{*s.Network.Subnet.Id()},
		PreventDestroy:          cfg.Production,
		Tags:                    tags,
		Managers:                map[string]string{"deployer": *client.ObjectId()},
		Readers:                 map[string]string{"node": *s.NodeIdentity.Identity.PrincipalId()},
		SecretsVersion:          *revision.NumberValue(),
		Secrets: []security.Secret{
			{Name: SecretGitHubToken, Value: *githubToken.StringValue(), ContentType: "text/plain"},
			{Name: SecretIPFSPrivateKey, Value: *ipfsKey.StringValue(), ContentType: "text/plain"},
		},
	})

	s.Policies = security.NewPolicies(stack, "policies", security.PolicyProps{
		ResourceGroupID:        *s.ResourceGroup.Id(),
		NamePrefix:             cfg.NamePrefix + "-" + cfg.Environment,
		AllowedLocations:       cfg.AllowedLocations(),
		NoPrivilegedContainers: cfg.Policy.NoPrivilegedContainers,
		NoPrivilegeEscalation:  cfg.Policy.NoPrivilegeEscalation,
		KubernetesEffect:       cfg.Policy.KubernetesEffect,
	})

	if s.Workspace != nil {
		monitoring.NewContainerInsights(stack, "container-insights", monitoring.InsightsProps{
			Name:              "MSCI-" + loc + "-" + names.Cluster,
			ResourceGroupName: rg,
			Location:          loc,
			WorkspaceID:       *s.Workspace.Id(),
			ClusterID:         *s.Cluster.AKS.Id(),
			Tags:              tags,
		})
	}
	s.Alerts = monitoring.NewAlerts(stack, "alerts", monitoring.AlertsProps{
		ResourceGroupName:    rg,
		NamePrefix:           names.ActionGroup,
		ActionGroupShortName: names.ActionGroupShort,
		Emails:               cfg.Alerts.Emails,
		ClusterID:            *s.Cluster.AKS.Id(),
		Alerts:               monitoring.NodeAlerts(cfg.Alerts.CPUThresholdPercent, cfg.Alerts.MemoryThresholdPercent, cfg.Alerts.DiskThresholdPercent),
		Frequency:            cfg.Alerts.Frequency,
		WindowSize:           cfg.Alerts.WindowSize,
		Severity:             cfg.Alerts.Severity,
		Tags:                 tags,
	})
	if s.Workspace != nil {
		var actionGroup string
		if s.Alerts.ActionGroup != nil {
			actionGroup = *s.Alerts.ActionGroup.Id()
		}
		monitoring.NewVolumeAlert(stack, "ipfs-volume-alert", monitoring.VolumeAlertProps{
			Name:              names.ActionGroup + "-ipfs-volume",
			ResourceGroupName: rg,
			Location:          loc,
			WorkspaceID:       *s.Workspace.Id(),
			Namespace:         cfg.Workload.Namespace,
			ClaimName:         cfg.Workload.ClaimName,
			ThresholdPercent:  cfg.Alerts.VolumeThresholdPercent,
			Severity:          cfg.Alerts.Severity,
			ActionGroupID:     actionGroup,
			Tags:              tags,
		})
	}
	monitoring.NewBudget(stack, "budget", monitoring.BudgetProps{
		Name:                     names.Budget,
		ResourceGroupID:          *s.ResourceGroup.Id(),
		Amount:                   cfg.Budget.Amount,
		Emails:                   cfg.Budget.Emails,
		ActualThresholdPercent:   cfg.Budget.ActualThresholdPercent,
		ForecastThresholdPercent: cfg.Budget.ForecastThresholdPercent,
	})

	s.outputs()
	addMoves(stack, s.movesOfPinnedNames())
	guardrails.AttachConfig(stack, cfg)
	return s
}

// clusterProps maps the configuration onto the cluster construct.
func (s *AzureStack) clusterProps(client dataazurermclientconfig.DataAzurermClientConfig, deployers cdktf.TerraformVariable) cluster.Props {
	cfg := s.Config
	names := cfg.Names()
	k := cfg.Kubernetes
	props := cluster.Props{
		Name:              names.Cluster,
		DNSPrefix:         names.ClusterDNSPrefix,
		ResourceGroupName: *s.ResourceGroup.Name(),
		Location:          cfg.Location,
		NodeResourceGroup: names.NodeResourceGroup,
		IdentityName:      names.ClusterIdentity,
		Tags:              cfg.AllTags(),
		KubernetesVersion: k.Version,
		SkuTier:           k.SkuTier,
		NodePool: cluster.NodePool{
			Name:         "system",
			VMSize:       cfg.VMSize,
			Count:        cfg.NodeCount,
			OSDiskSizeGB: k.OSDiskSizeGB,
			SubnetID:     *s.Network.Subnet.Id(),
		},
		Network: cluster.Network{
			PodCIDR:      cfg.Network.PodCIDR,
			ServiceCIDR:  cfg.Network.ServiceCIDR,
			DNSServiceIP: cfg.Network.DNSServiceIP,
		},
		Upgrades: cluster.Upgrades{
			AutomaticChannel: k.AutomaticUpgradeChannel,
			NodeOSChannel:    k.NodeOSUpgradeChannel,
			Window: cluster.MaintenanceWindow{
				DayOfWeek:     k.MaintenanceWindow.DayOfWeek,
				StartTime:     k.MaintenanceWindow.StartTime,
				DurationHours: k.MaintenanceWindow.DurationHours,
				UTCOffset:     k.MaintenanceWindow.UTCOffset,
			},
		},
		Access: cluster.Access{
			TenantID:             *client.TenantId(),
			AdminGroupObjectIDs:  k.AdminGroupObjectIDs,
			ClusterAdmins:        map[string]string{"deployer": *client.ObjectId()},
			LocalAccountsEnabled: k.LocalAccountsEnabled,
		},
		RoleGrants: []cluster.RoleGrant{
			// AKS joins its nodes to the subnet (custom VNet).
			{Name: "subnet", Role: "Network Contributor", Scope: *s.Network.Subnet.Id()},
			// AKS attaches the static public IP to its load balancer; Microsoft
			// documents the grant on the IP's resource group.
			{Name: "ingress-ip", Role: "Network Contributor", Scope: *s.ResourceGroup.Id()},
			// The Azure Disk CSI driver attaches the data disk, which lives
			// outside the node resource group.
			{Name: "data-disk", Role: "Contributor", Scope: *s.DataDisk.Id()},
		},
		AzurePolicy: cfg.Policy.AzurePolicyAddon,
	}
	if len(cfg.Network.AdminCIDRs) > 0 {
		props.Access.AuthorizedIPRanges = cdktf.Token_AsList(cdktf.Fn_Concat(&[]interface{}{
			tfx.Strings(cfg.Network.AdminCIDRs),
			cdktf.Fn_Formatlist(jsii.String("%s/32"), &[]interface{}{deployers.ListValue()}),
		}), nil)
	}
	if s.Workspace != nil {
		props.LogAnalyticsWorkspaceID = *s.Workspace.Id()
	}
	return props
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

// firewallRules returns the admin CIDRs that the Key Vault and storage
// firewalls accept (public ranges only; a single host as a plain address,
// since the storage firewall refuses /31 and /32) followed, when the
// firewall denies by default, by the deployer's addresses (an open firewall
// needs no exception, and a rule per runner would change on every run).
func firewallRules(adminCIDRs []string, defaultAction string, deployers cdktf.TerraformVariable) *[]*string {
	var public []string
	for _, c := range adminCIDRs {
		p := netip.MustParsePrefix(c)
		if p.Addr().IsPrivate() || p.Addr().IsLoopback() {
			continue
		}
		if p.Bits() >= 31 {
			for a := p.Addr(); p.Contains(a); a = a.Next() {
				public = append(public, a.String())
			}
			continue
		}
		public = append(public, c)
	}
	if defaultAction != "Deny" {
		return tfx.Strings(public)
	}
	return cdktf.Token_AsList(cdktf.Fn_Concat(&[]interface{}{
		tfx.Strings(public), deployers.ListValue(),
	}), nil)
}
