package networking

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/dnsarecord"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/dnszone"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// dns gives the public IP its names. The DNS label (set on the IP itself)
// always yields <label>.<region>.cloudapp.azure.com; with Props.DNSZone an
// Azure DNS zone is created too, with an alias A record that follows the IP.
// Delegate the domain to the zone's name servers (output dns_name_servers).
func (n *Networking) dns(p Props) {
	if p.DNSZone == "" {
		return
	}
	n.Zone = tfx.Pin(dnszone.NewDnsZone(n.Scope, jsii.String("zone"), &dnszone.DnsZoneConfig{
		Name:              jsii.String(p.DNSZone),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Tags:              tfx.StringMap(p.Tags),
		Lifecycle:         tfx.PreventDestroy(p.PreventDestroy),
	}), *n.Scope.Node().Id()+"-zone")
	n.Record = dnsarecord.NewDnsARecord(n.Scope, jsii.String("record"), &dnsarecord.DnsARecordConfig{
		Name:              jsii.String(p.DNSRecordName),
		ZoneName:          n.Zone.Name(),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Ttl:               tfx.Num(300),
		TargetResourceId:  n.PublicIP.Id(),
		Tags:              tfx.StringMap(p.Tags),
	})
}
