package networking

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/publicip"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

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
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			PreventDestroy: jsii.Bool(p.PreventDestroy),
			IgnoreChanges:  tfx.Strings(ignoredIPTags()),
		},
	}), *n.Scope.Node().Id()+"-ingress-ip")
}

// CloudProviderIPTags are the tags the Azure cloud provider in the cluster
// writes on a public IP that a LoadBalancer Service uses: which cluster and
// Service hold it, and which Service owns its DNS label.
var CloudProviderIPTags = []string{"k8s-azure-cluster-name", "k8s-azure-dns-label-service", "k8s-azure-service"}

// ignoredIPTags are the lifecycle.ignore_changes entries that leave those
// tags to the cloud provider: removing them would detach the IP from its
// Service.
func ignoredIPTags() []string {
	out := make([]string, len(CloudProviderIPTags))
	for i, k := range CloudProviderIPTags {
		out[i] = `tags["` + k + `"]`
	}
	return out
}
