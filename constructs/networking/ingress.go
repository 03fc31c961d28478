package networking

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dnsarecord"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dnszone"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/publicip"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// IngressIPProps configures [NewIngressIP].
type IngressIPProps struct {
	azure.Placement

	// Name of the public IP, and DNSLabel its label:
	// <DNSLabel>.<Location>.cloudapp.azure.com.
	Name     string
	DNSLabel string
	// DNSZone, when set, creates an Azure DNS zone with an A record
	// DNSRecordName ("@" for the apex) aliased to the IP. Delegate the
	// domain to the zone's name servers.
	DNSZone       string
	DNSRecordName string
	// PreventDestroy adds lifecycle.prevent_destroy to the IP and the zone:
	// DNS records, allow-lists and the node's peers point at the address,
	// and a new zone has new name servers.
	PreventDestroy bool
}

// IngressIP is the node's public address and its DNS names.
type IngressIP struct {
	constructs.Construct
	Address publicip.PublicIp
	// Zone and Record are nil without IngressIPProps.DNSZone.
	Zone   dnszone.DnsZone
	Record dnsarecord.DnsARecord
}

// CloudProviderIPTags are the tags the Azure cloud provider in the cluster
// writes on a public IP that a LoadBalancer Service uses: which cluster and
// Service hold it, and which Service owns its DNS label.
var CloudProviderIPTags = []string{"k8s-azure-cluster-name", "k8s-azure-dns-label-service", "k8s-azure-service"}

// NewIngressIP creates the Standard static public IP of the node's Service,
// named id in Terraform (id+"-dns-zone" and id+"-dns-record" for the zone
// and its record).
//
// AKS creates and owns the Standard load balancer of LoadBalancer Services,
// so there is no load balancer here: the Helm chart points its Service at
// this IP with the annotations
//
//	service.beta.kubernetes.io/azure-pip-name: <Name>
//	service.beta.kubernetes.io/azure-load-balancer-resource-group: <resource group>
//
// and the cluster identity needs Network Contributor on the IP's resource
// group to attach it. The tags the cloud provider then writes on the IP
// (CloudProviderIPTags) are left to it: removing them would detach the IP
// from its Service.
func NewIngressIP(scope constructs.Construct, id string, p IngressIPProps) *IngressIP {
	ip := &IngressIP{Construct: constructs.NewConstruct(scope, &id)}
	ignored := make([]string, len(CloudProviderIPTags))
	for i, k := range CloudProviderIPTags {
		ignored[i] = `tags["` + k + `"]`
	}
	ip.Address = tfx.Pin(publicip.NewPublicIp(ip.Construct, jsii.String("ip"), &publicip.PublicIpConfig{
		Name:              jsii.String(p.Name),
		ResourceGroupName: p.GroupName(),
		Location:          p.Region(),
		Sku:               jsii.String("Standard"),
		AllocationMethod:  jsii.String("Static"),
		DomainNameLabel:   jsii.String(p.DNSLabel),
		Tags:              p.TagMap(),
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			PreventDestroy: jsii.Bool(p.PreventDestroy),
			IgnoreChanges:  tfx.Strings(ignored),
		},
	}), id)
	if p.DNSZone == "" {
		return ip
	}
	ip.Zone = tfx.Pin(dnszone.NewDnsZone(ip.Construct, jsii.String("zone"), &dnszone.DnsZoneConfig{
		Name:              jsii.String(p.DNSZone),
		ResourceGroupName: p.GroupName(),
		Tags:              p.TagMap(),
		Lifecycle:         tfx.PreventDestroy(p.PreventDestroy),
	}), id+"-dns-zone")
	ip.Record = tfx.Pin(dnsarecord.NewDnsARecord(ip.Construct, jsii.String("record"), &dnsarecord.DnsARecordConfig{
		Name:              jsii.String(p.DNSRecordName),
		ZoneName:          ip.Zone.Name(),
		ResourceGroupName: p.GroupName(),
		Ttl:               tfx.Num(300),
		TargetResourceId:  ip.Address.Id(),
		Tags:              p.TagMap(),
	}), id+"-dns-record")
	return ip
}

// AnnounceAddresses are the libp2p addresses the node must announce for
// peers to reach it through this IP: the swarm port over TCP and QUIC (a
// Terraform list expression). The node's outbound connections leave through
// the cluster load balancer's own outbound IP, which AKS manages and which
// is not this one, so the addresses peers observe for the node are not
// dialable; kubo's Addresses.Announce set to these (the Azure stack's output
// ipfs_announce_addresses) replaces them.
func (ip *IngressIP) AnnounceAddresses() *[]*string {
	return cdktf.Token_AsList(cdktf.Fn_Formatlist(jsii.String("/ip4/%s/%s"), &[]interface{}{
		ip.Address.IpAddress(),
		tfx.Strings([]string{"tcp/" + PortIPFSSwarm, "udp/" + PortIPFSSwarm + "/quic-v1"}),
	}), nil)
}
