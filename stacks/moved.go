package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// move is a Terraform moved block: the resource at From in existing state is
// the one declared at To today.
type move struct{ From, To string }

// earlierAddresses are the addresses that resources of the Azure stack had
// in earlier versions of this project, when cdktf derived them from
// construct paths (name_<hash>), before every resource got a fixed name
// (tfx.Pin: <construct id>, or <construct id>-<part>). The moved blocks
// let state written by those versions follow the names instead of planning
// a delete and a create. Never remove an entry: an old state may be applied
// at any time.
var earlierAddresses = []move{
	{"azurerm_key_vault.key-vault_FE1F1979", "azurerm_key_vault.key-vault"},
	{"azurerm_key_vault_secret.key-vault_secret-github-token_E28639A1", "azurerm_key_vault_secret.key-vault-secret-github-token"},
	{"azurerm_key_vault_secret.key-vault_secret-ipfs-private-key_FAA25223", "azurerm_key_vault_secret.key-vault-secret-ipfs-private-key"},
	{"azurerm_public_ip.networking_ingress-ip_267A4489", "azurerm_public_ip.ingress-ip"},
	{"azurerm_dns_zone.networking_zone_2F54EE61", "azurerm_dns_zone.ingress-ip-dns-zone"},
	{"azurerm_dns_a_record.networking_record_46E0F314", "azurerm_dns_a_record.ingress-ip-dns-record"},
	{"azurerm_kubernetes_cluster.cluster_aks_AB606D92", "azurerm_kubernetes_cluster.cluster"},
	{"azurerm_user_assigned_identity.cluster_identity_D25E7579", "azurerm_user_assigned_identity.cluster-identity"},
	{"azurerm_user_assigned_identity.node-identity_BBB24D3D", "azurerm_user_assigned_identity.node-identity"},
	{"azurerm_data_protection_backup_vault.backup_vault_A3268EAD", "azurerm_data_protection_backup_vault.backup-vault"},
	{"azurerm_data_protection_backup_instance_disk.backup_instance_8FFBDEBE", "azurerm_data_protection_backup_instance_disk.backup-instance"},
	{"azurerm_data_protection_backup_policy_disk.backup_policy_3CB714DA", "azurerm_data_protection_backup_policy_disk.backup-policy"},
	{"azurerm_role_assignment.cluster_admin-deployer_32E23F47", "azurerm_role_assignment.cluster-admin-deployer"},
	{"azurerm_role_assignment.cluster_grant-data-disk_D3500CD3", "azurerm_role_assignment.cluster-grant-data-disk"},
	{"azurerm_role_assignment.cluster_grant-ingress-ip_741279C0", "azurerm_role_assignment.cluster-grant-ingress-ip"},
	{"azurerm_role_assignment.cluster_grant-subnet_77FABCA1", "azurerm_role_assignment.cluster-grant-subnet"},
	{"azurerm_role_assignment.backup_disk-reader_C3490EA9", "azurerm_role_assignment.backup-disk-reader"},
	{"azurerm_role_assignment.backup_snapshot-contributor_937FD191", "azurerm_role_assignment.backup-snapshot-contributor"},
	{"azurerm_federated_identity_credential.node-identity_federation_19D6028F", "azurerm_federated_identity_credential.node-identity-federation"},
	{"azurerm_virtual_network.networking_vnet_395C19C9", "azurerm_virtual_network.networking-vnet"},
	{"azurerm_subnet.networking_nodes_6268897C", "azurerm_subnet.networking-nodes"},
	{"azurerm_network_security_group.networking_nsg_B7F2B7E3", "azurerm_network_security_group.networking-nsg"},
	{"azurerm_subnet_network_security_group_association.networking_nsg-association_A54857D4", "azurerm_subnet_network_security_group_association.networking-nsg-association"},
	{"azurerm_network_security_rule.networking_rule-AllowAzureLoadBalancerInBound_DC08F0B7", "azurerm_network_security_rule.networking-rule-AllowAzureLoadBalancerInBound"},
	{"azurerm_network_security_rule.networking_rule-AllowVnetInBound_1F0AF8FD", "azurerm_network_security_rule.networking-rule-AllowVnetInBound"},
	{"azurerm_network_security_rule.networking_rule-AllowPodCidrInBound_E09065EB", "azurerm_network_security_rule.networking-rule-AllowPodCidrInBound"},
	{"azurerm_network_security_rule.networking_rule-AllowIPFSSwarmTcp_09806C1A", "azurerm_network_security_rule.networking-rule-AllowIPFSSwarmTcp"},
	{"azurerm_network_security_rule.networking_rule-AllowIPFSSwarmUdp_71D41DD2", "azurerm_network_security_rule.networking-rule-AllowIPFSSwarmUdp"},
	{"azurerm_network_security_rule.networking_rule-AllowIPFSGateway_7DBDF4B7", "azurerm_network_security_rule.networking-rule-AllowIPFSGateway"},
	{"azurerm_network_security_rule.networking_rule-AllowHTTP_BA44F6F5", "azurerm_network_security_rule.networking-rule-AllowHTTP"},
	{"azurerm_network_security_rule.networking_rule-AllowHTTPS_2DDEEB3D", "azurerm_network_security_rule.networking-rule-AllowHTTPS"},
	{"azurerm_network_security_rule.networking_rule-AllowIPFSAPIFromAdmins_2E3A0C13", "azurerm_network_security_rule.networking-rule-AllowIPFSAPIFromAdmins"},
	{"azurerm_network_security_rule.networking_rule-AllowSSHFromAdmins_0A3CC624", "azurerm_network_security_rule.networking-rule-AllowSSHFromAdmins"},
	{"azurerm_network_security_rule.networking_rule-AllowKubeAPI_43C76498", "azurerm_network_security_rule.networking-rule-AllowKubeAPI"},
	{"azurerm_network_security_rule.networking_rule-DenyAllInbound_2E09492E", "azurerm_network_security_rule.networking-rule-DenyAllInbound"},
	{"azurerm_monitor_action_group.alerts_action-group_63C7DD8F", "azurerm_monitor_action_group.alerts-action-group"},
	{"azurerm_monitor_metric_alert.alerts_node-cpu_9CDD7DA9", "azurerm_monitor_metric_alert.alerts-node-cpu"},
	{"azurerm_monitor_metric_alert.alerts_node-memory_76D90224", "azurerm_monitor_metric_alert.alerts-node-memory"},
	{"azurerm_monitor_metric_alert.alerts_node-disk_9EE9AD07", "azurerm_monitor_metric_alert.alerts-node-disk"},
	{"azurerm_resource_group_policy_assignment.policies_allowed-locations_45A59DC1", "azurerm_resource_group_policy_assignment.policies-allowed-locations"},
	{"azurerm_resource_group_policy_assignment.policies_no-privileged-containers_D25AE438", "azurerm_resource_group_policy_assignment.policies-no-privileged-containers"},
	{"azurerm_resource_group_policy_assignment.policies_no-privilege-escalation_AEADFCEC", "azurerm_resource_group_policy_assignment.policies-no-privilege-escalation"},
}

// addMoves writes the moves whose destination the stack declares as its
// moved blocks (Terraform refuses a moved block to an undeclared resource).
func addMoves(stack cdktf.TerraformStack, moves []move) {
	declared := map[string]bool{}
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *cdktf.TerraformResource_IsTerraformResource(c) {
			r := c.(cdktf.TerraformResource)
			declared[*r.TerraformResourceType()+"."+*r.FriendlyUniqueId()] = true
		}
	}
	var blocks []map[string]string
	for _, m := range moves {
		if declared[m.To] {
			blocks = append(blocks, map[string]string{"from": m.From, "to": m.To})
		}
	}
	stack.AddOverride(jsii.String("moved"), blocks)
}
