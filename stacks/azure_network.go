package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/networking"
)

// newNetwork builds the VNet, the node subnet (with the Key Vault service
// endpoint the vault's firewall admits) and its NSG.
func newNetwork(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement) *networking.Network {
	names, n := cfg.Names(), cfg.Network
	return networking.NewNetwork(stack, "networking", networking.NetworkProps{
		Placement:         place,
		VNetName:          names.VirtualNetwork,
		AddressSpace:      n.VNetCIDR,
		SubnetName:        names.NodeSubnet,
		SubnetCIDR:        n.NodeSubnetCIDR,
		ServiceEndpoints:  []string{"Microsoft.KeyVault"},
		SecurityGroupName: names.SecurityGroup,
		PodCIDR:           n.PodCIDR,
		AdminCIDRs:        n.AdminCIDRs,
	})
}

// newIngressIP builds the node's public IP and DNS names, kept in
// production.
func newIngressIP(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement) *networking.IngressIP {
	names, n := cfg.Names(), cfg.Network
	return networking.NewIngressIP(stack, "ingress-ip", networking.IngressIPProps{
		Placement:      place,
		Name:           names.PublicIP,
		DNSLabel:       names.DNSLabel,
		DNSZone:        n.DNSZone,
		DNSRecordName:  n.DNSRecordName,
		PreventDestroy: cfg.Production,
	})
}
