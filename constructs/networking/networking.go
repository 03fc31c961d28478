// Package networking builds the network of the perpetual node: a virtual
// network with a node subnet, the subnet's network security group, the
// Standard static public IP that the AKS-managed load balancer uses for the
// node's Service, and DNS for that IP.
package networking

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/dnsarecord"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/dnszone"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/networksecuritygroup"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/publicip"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/subnet"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/virtualnetwork"
)

// Props configures [New].
type Props struct {
	// ResourceGroupName and Location place every resource.
	ResourceGroupName string
	Location          string
	// Tags go on every taggable resource.
	Tags map[string]string

	// VNetName and AddressSpace (a CIDR, e.g. 10.0.0.0/16) define the VNet.
	VNetName     string
	AddressSpace string
	// SubnetName and SubnetCIDR define the node subnet inside the VNet.
	SubnetName string
	SubnetCIDR string
	// PodCIDR is the Azure CNI overlay pod range; the NSG admits it like the
	// VNet so that pod-to-pod traffic is not denied.
	PodCIDR string
	// ServiceEndpoints of the node subnet ("Microsoft.KeyVault"): traffic
	// from the nodes to those services then carries the subnet's identity,
	// which their firewalls can admit (free, unlike a private endpoint).
	ServiceEndpoints []string

	// SecurityGroupName names the subnet's NSG.
	SecurityGroupName string
	// AdminCIDRs may reach SSH (22) and the IPFS RPC API (5001). Empty: no
	// rule opens those ports at all.
	AdminCIDRs []string

	// PublicIPName names the Standard static IP of the node's Service and
	// DNSLabel its label: <DNSLabel>.<Location>.cloudapp.azure.com.
	PublicIPName string
	DNSLabel     string
	// DNSZone, when set, creates an Azure DNS zone with an A record
	// DNSRecordName ("@" for the apex) aliased to the public IP.
	DNSZone       string
	DNSRecordName string

	// PreventDestroy adds lifecycle.prevent_destroy to the public IP and
	// the DNS zone: DNS records, allow-lists and the node's peers point at
	// the address, and a new zone has new name servers.
	PreventDestroy bool
}

// Networking is the built network.
type Networking struct {
	// Scope is the construct that holds the resources below.
	Scope constructs.Construct

	VirtualNetwork virtualnetwork.VirtualNetwork
	Subnet         subnet.Subnet
	SecurityGroup  networksecuritygroup.NetworkSecurityGroup
	PublicIP       publicip.PublicIp
	// Zone and Record are nil without Props.DNSZone.
	Zone   dnszone.DnsZone
	Record dnsarecord.DnsARecord
}

// New builds the network described by props.
func New(scope constructs.Construct, id string, props Props) *Networking {
	n := &Networking{Scope: constructs.NewConstruct(scope, &id)}
	n.virtualNetwork(props)
	n.securityGroup(props)
	n.ingressIP(props)
	n.dns(props)
	return n
}
