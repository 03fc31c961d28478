package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// output declares a stack output with a fixed name.
func output(stack cdktf.TerraformStack, name string, value any, description string, sensitive bool) {
	cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{
		Value:       value,
		Description: jsii.String(description),
		Sensitive:   jsii.Bool(sensitive),
	})
}

// outputs exports what the Helm package, the in-cluster stack and operators
// need from the Azure stack.
func (s *AzureStack) outputs() {
	st := s.Stack
	aks := s.Cluster.AKS
	ip := s.IngressIP.Address
	output(st, "resource_group_name", s.ResourceGroup.Name(), "Resource group of the environment (and of the cluster).", false)
	output(st, "cluster_name", aks.Name(), "AKS cluster name.", false)
	output(st, "cluster_resource_group", s.ResourceGroup.Name(), "Resource group of the AKS cluster.", false)
	output(st, "node_resource_group", aks.NodeResourceGroup(), "Resource group AKS manages for the nodes.", false)
	output(st, "oidc_issuer_url", aks.OidcIssuerUrl(), "OIDC issuer of the cluster (workload identity).", false)
	output(st, "kube_config_raw", aks.KubeConfigRaw(), "Raw kubeconfig of the cluster user (Microsoft Entra ID; use kubelogin).", true)
	output(st, "ingress_ip_address", ip.IpAddress(), "Static public IP of the node's LoadBalancer Service.", false)
	output(st, "ingress_ip_name", ip.Name(), "Name of that IP: the Service annotation service.beta.kubernetes.io/azure-pip-name.", false)
	output(st, "ingress_ip_resource_group", s.ResourceGroup.Name(), "Its resource group: the annotation service.beta.kubernetes.io/azure-load-balancer-resource-group.", false)
	output(st, "ingress_fqdn", ip.Fqdn(), "DNS name of the IP: <label>.<region>.cloudapp.azure.com.", false)
	output(st, "ipfs_announce_addresses", s.IngressIP.AnnounceAddresses(), "kubo's Addresses.Announce: the node's swarm addresses on the static IP (its outbound traffic leaves from another address).", false)
	if s.IngressIP.Zone != nil {
		output(st, "dns_zone_name_servers", s.IngressIP.Zone.NameServers(), "Name servers to delegate the DNS zone to.", false)
		output(st, "dns_record_fqdn", s.IngressIP.Record.Fqdn(), "A record of the node in the DNS zone.", false)
	}
	output(st, "ipfs_disk_id", s.DataDisk.Disk.Id(), "Managed disk of the IPFS data.", false)
	output(st, "ipfs_disk_name", s.DataDisk.Disk.Name(), "Name of that disk.", false)
	output(st, "node_identity_client_id", s.NodeIdentity.Identity.ClientId(), "Client ID of the node's workload identity (service account annotation).", false)
	output(st, "node_identity_name", s.NodeIdentity.Identity.Name(), "Name of the node's workload identity.", false)
	output(st, "key_vault_name", s.KeyVault.Vault.Name(), "Key Vault holding github-token and ipfs-private-key.", false)
	output(st, "key_vault_uri", s.KeyVault.Vault.VaultUri(), "URI of that Key Vault.", false)
	output(st, "tenant_id", s.KeyVault.Vault.TenantId(), "Microsoft Entra tenant.", false)
	output(st, "storage_account_name", s.Storage.StorageAccount.Name(), "Storage account for logs and backups.", false)
	if s.Logs != nil {
		output(st, "log_analytics_workspace_id", s.Logs.Workspace.Id(), "Log Analytics workspace of Container Insights.", false)
	}
	if s.Backup != nil {
		output(st, "backup_vault_name", s.Backup.Vault.Name(), "Data Protection backup vault of the IPFS disk.", false)
	}
}
