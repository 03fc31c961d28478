package networking

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/subnet"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/virtualnetwork"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// virtualNetwork creates the VNet and the node subnet. The subnet is a
// resource of its own (not an inline block of the VNet) so that its NSG
// association and the cluster's role assignment can refer to it.
func (n *Networking) virtualNetwork(p Props) {
	n.VirtualNetwork = virtualnetwork.NewVirtualNetwork(n.Scope, jsii.String("vnet"), &virtualnetwork.VirtualNetworkConfig{
		Name:              jsii.String(p.VNetName),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Location:          jsii.String(p.Location),
		AddressSpace:      tfx.Strings([]string{p.AddressSpace}),
		Tags:              tfx.StringMap(p.Tags),
	})
	n.Subnet = subnet.NewSubnet(n.Scope, jsii.String("nodes"), &subnet.SubnetConfig{
		Name:               jsii.String(p.SubnetName),
		ResourceGroupName:  jsii.String(p.ResourceGroupName),
		VirtualNetworkName: n.VirtualNetwork.Name(),
		AddressPrefixes:    tfx.Strings([]string{p.SubnetCIDR}),
		ServiceEndpoints:   tfx.Strings(p.ServiceEndpoints),
	})
}
