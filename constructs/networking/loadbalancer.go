package networking

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/publicip"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// ingressIP creates the Standard static public IP of the node's Service.
//
// There is no azurerm_lb here, unlike in the design: AKS creates and owns the
// Standard load balancer of its LoadBalancer Services (the cluster's network
// profile selects the standard SKU), and a separate load balancer would be
// an orphan that nothing routes through. The Helm chart points its Service at
// this IP with the annotations
//
//	service.beta.kubernetes.io/azure-pip-name: <PublicIP name>
//	service.beta.kubernetes.io/azure-load-balancer-resource-group: <resource group>
//
// and the cluster identity is granted Network Contributor on the IP's
// resource group (package cluster) so that AKS may attach it.
func (n *Networking) ingressIP(p Props) {
	n.PublicIP = tfx.Pin(publicip.NewPublicIp(n.Scope, jsii.String("ingress-ip"), &publicip.PublicIpConfig{
		Name:              jsii.String(p.PublicIPName),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Location:          jsii.String(p.Location),
		Sku:               jsii.String("Standard"),
		AllocationMethod:  jsii.String("Static"),
		DomainNameLabel:   jsii.String(p.DNSLabel),
		Tags:              tfx.StringMap(p.Tags),
	}), *n.Scope.Node().Id()+"-ingress-ip")
}
