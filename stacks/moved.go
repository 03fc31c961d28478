package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// move is a Terraform moved block: the resource at From in existing state is
// the one declared at To today.
type move struct{ From, To string }

// movesOfPinnedNames are the addresses that the pinned resources (see
// tfx.Pin) had when cdktf still derived them from construct paths. Keeping
// these moved blocks lets state written by those versions follow the new
// names instead of planning a delete and a create. Never remove an entry:
// an old state may be applied at any time.
func (s *AzureStack) movesOfPinnedNames() []move {
	moves := []move{
		{"azurerm_key_vault.key-vault_FE1F1979", "azurerm_key_vault.key-vault"},
		{"azurerm_key_vault_secret.key-vault_secret-github-token_E28639A1", "azurerm_key_vault_secret.key-vault-secret-github-token"},
		{"azurerm_key_vault_secret.key-vault_secret-ipfs-private-key_FAA25223", "azurerm_key_vault_secret.key-vault-secret-ipfs-private-key"},
		{"azurerm_public_ip.networking_ingress-ip_267A4489", "azurerm_public_ip.ingress-ip"},
		{"azurerm_kubernetes_cluster.cluster_aks_AB606D92", "azurerm_kubernetes_cluster.cluster"},
		{"azurerm_user_assigned_identity.cluster_identity_D25E7579", "azurerm_user_assigned_identity.cluster-identity"},
		{"azurerm_user_assigned_identity.node-identity_BBB24D3D", "azurerm_user_assigned_identity.node-identity"},
		{"azurerm_role_assignment.cluster_admin-deployer_32E23F47", "azurerm_role_assignment.cluster-admin-deployer"},
		{"azurerm_role_assignment.cluster_grant-data-disk_D3500CD3", "azurerm_role_assignment.cluster-grant-data-disk"},
		{"azurerm_role_assignment.cluster_grant-ingress-ip_741279C0", "azurerm_role_assignment.cluster-grant-ingress-ip"},
		{"azurerm_role_assignment.cluster_grant-subnet_77FABCA1", "azurerm_role_assignment.cluster-grant-subnet"},
	}
	if s.IngressIP.Zone != nil {
		moves = append(moves,
			move{"azurerm_dns_zone.networking_zone_2F54EE61", "azurerm_dns_zone.ingress-ip-dns-zone"},
			move{"azurerm_dns_a_record.networking_record_46E0F314", "azurerm_dns_a_record.ingress-ip-dns-record"},
		)
	}
	if s.Backup != nil {
		moves = append(moves,
			move{"azurerm_data_protection_backup_vault.backup_vault_A3268EAD", "azurerm_data_protection_backup_vault.backup-vault"},
			move{"azurerm_data_protection_backup_instance_disk.backup_instance_8FFBDEBE", "azurerm_data_protection_backup_instance_disk.backup-instance"},
			move{"azurerm_role_assignment.backup_disk-reader_C3490EA9", "azurerm_role_assignment.backup-disk-reader"},
			move{"azurerm_role_assignment.backup_snapshot-contributor_937FD191", "azurerm_role_assignment.backup-snapshot-contributor"},
		)
	}
	return moves
}

// addMoves writes moves as the stack's moved blocks.
func addMoves(stack cdktf.TerraformStack, moves []move) {
	blocks := make([]map[string]string, len(moves))
	for i, m := range moves {
		blocks[i] = map[string]string{"from": m.From, "to": m.To}
	}
	stack.AddOverride(jsii.String("moved"), blocks)
}
