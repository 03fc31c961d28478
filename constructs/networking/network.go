// Package networking builds the network of the perpetual node: the virtual
// network with its node subnet and the subnet's network security group
// (Network), and the Standard static public IP of the node's Service with
// its DNS names (IngressIP).
package networking

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/networksecuritygroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/networksecurityrule"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/subnet"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/subnetnetworksecuritygroupassociation"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/virtualnetwork"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// NetworkProps configures [NewNetwork].
type NetworkProps struct {
	azure.Placement

	// VNetName and AddressSpace (a CIDR, e.g. 10.0.0.0/16) define the VNet.
	VNetName     string
	AddressSpace string
	// SubnetName and SubnetCIDR define the node subnet inside the VNet.
	SubnetName string
	SubnetCIDR string
	// ServiceEndpoints of the node subnet ("Microsoft.KeyVault"): traffic
	// from the nodes to those services then carries the subnet's identity,
	// which their firewalls can admit (free, unlike a private endpoint).
	ServiceEndpoints []string

	// SecurityGroupName names the subnet's NSG.
	SecurityGroupName string
	// PodCIDR is the Azure CNI overlay pod range; the NSG admits it like the
	// VNet so that pod-to-pod traffic is not denied.
	PodCIDR string
	// AdminCIDRs may reach SSH (22) and the IPFS RPC API (5001). Empty: no
	// rule opens those ports at all.
	AdminCIDRs []string
}

// Network is the virtual network, the node subnet and its NSG.
type Network struct {
	constructs.Construct
	VNet          virtualnetwork.VirtualNetwork
	Subnet        subnet.Subnet
	SecurityGroup networksecuritygroup.NetworkSecurityGroup
}

// NewNetwork builds, with the Terraform names id+"-vnet", "-nodes", "-nsg",
// "-rule-<rule name>" and "-nsg-association", the VNet, the node subnet as a resource of its own (not
// an inline block of the VNet, so that its NSG association and the
// cluster's role assignment can refer to it), the NSG with one
// azurerm_network_security_rule per rule of [SecurityRules] (not inline
// blocks, which Terraform JSON requires to list every attribute), and the
// NSG's association with the subnet.
func NewNetwork(scope constructs.Construct, id string, p NetworkProps) *Network {
	n := &Network{Construct: constructs.NewConstruct(scope, &id)}
	n.VNet = tfx.Pin(virtualnetwork.NewVirtualNetwork(n.Construct, jsii.String("vnet"), &virtualnetwork.VirtualNetworkConfig{
		Name:              jsii.String(p.VNetName),
		ResourceGroupName: p.GroupName(),
		Location:          p.Region(),
		AddressSpace:      tfx.Strings([]string{p.AddressSpace}),
		Tags:              p.TagMap(),
	}), id+"-vnet")
	n.Subnet = tfx.Pin(subnet.NewSubnet(n.Construct, jsii.String("nodes"), &subnet.SubnetConfig{
		Name:               jsii.String(p.SubnetName),
		ResourceGroupName:  p.GroupName(),
		VirtualNetworkName: n.VNet.Name(),
		AddressPrefixes:    tfx.Strings([]string{p.SubnetCIDR}),
		ServiceEndpoints:   tfx.Strings(p.ServiceEndpoints),
	}), id+"-nodes")
	n.SecurityGroup = tfx.Pin(networksecuritygroup.NewNetworkSecurityGroup(n.Construct, jsii.String("nsg"), &networksecuritygroup.NetworkSecurityGroupConfig{
		Name:              jsii.String(p.SecurityGroupName),
		ResourceGroupName: p.GroupName(),
		Location:          p.Region(),
		Tags:              p.TagMap(),
	}), id+"-nsg")
	for _, r := range SecurityRules(p.AdminCIDRs, p.PodCIDR) {
		cfg := &networksecurityrule.NetworkSecurityRuleConfig{
			Name:                     jsii.String(r.Name),
			ResourceGroupName:        p.GroupName(),
			NetworkSecurityGroupName: n.SecurityGroup.Name(),
			Priority:                 tfx.Num(r.Priority),
			Direction:                jsii.String("Inbound"),
			Access:                   jsii.String(r.Access),
			Protocol:                 jsii.String(r.Protocol),
			SourcePortRange:          jsii.String("*"),
			DestinationPortRange:     jsii.String(r.Port),
			DestinationAddressPrefix: jsii.String(r.Destination),
			Description:              jsii.String(r.Description),
		}
		if len(r.Sources) == 1 {
			cfg.SourceAddressPrefix = jsii.String(r.Sources[0])
		} else {
			cfg.SourceAddressPrefixes = tfx.Strings(r.Sources)
		}
		tfx.Pin(networksecurityrule.NewNetworkSecurityRule(n.Construct, jsii.String("rule-"+r.Name), cfg), id+"-rule-"+r.Name)
	}
	tfx.Pin(subnetnetworksecuritygroupassociation.NewSubnetNetworkSecurityGroupAssociation(n.Construct, jsii.String("nsg-association"),
		&subnetnetworksecuritygroupassociation.SubnetNetworkSecurityGroupAssociationConfig{
			SubnetId:               n.Subnet.Id(),
			NetworkSecurityGroupId: n.SecurityGroup.Id(),
		}), id+"-nsg-association")
	return n
}
