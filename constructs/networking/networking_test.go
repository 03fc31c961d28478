package networking

import (
	"slices"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// build adds a stack with the network and the ingress IP.
func build(app cdktf.App, id string, admins []string, zone string, protect bool) {
	stack := synthtest.NewAzureStack(app, id)
	place := synthtest.Placement(stack)
	NewNetwork(stack, "networking", NetworkProps{
		Placement:         place,
		VNetName:          "vnet",
		AddressSpace:      "10.0.0.0/16",
		SubnetName:        "nodes",
		SubnetCIDR:        "10.0.1.0/24",
		ServiceEndpoints:  []string{"Microsoft.KeyVault"},
		SecurityGroupName: "nsg",
		PodCIDR:           "10.244.0.0/16",
		AdminCIDRs:        admins,
	})
	NewIngressIP(stack, "ingress-ip", IngressIPProps{
		Placement:      place,
		Name:           "pip",
		DNSLabel:       "perpetual-test",
		DNSZone:        zone,
		DNSRecordName:  "ipfs",
		PreventDestroy: protect,
	})
}

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	build(app, "admins", []string{"203.0.113.0/24", "198.51.100.7/32"}, "ipfs.example.com", true)
	build(app, "no-admins", nil, "", false)
})

func TestRuleOrder(t *testing.T) {
	rules := SecurityRules([]string{"203.0.113.0/24"}, "10.244.0.0/16")
	var names []string
	for i, r := range rules {
		names = append(names, r.Name)
		if i > 0 && rules[i-1].Priority >= r.Priority {
			t.Errorf("%s (%d) does not come after %s (%d)", r.Name, r.Priority, rules[i-1].Name, rules[i-1].Priority)
		}
		if r.Priority < 100 || r.Priority > 4096 {
			t.Errorf("%s: priority %d outside Azure's custom range 100-4096", r.Name, r.Priority)
		}
	}
	deny := rules[len(rules)-1]
	if deny.Name != "DenyAllInbound" || deny.Access != "Deny" || deny.Priority != 4000 {
		t.Errorf("last rule %+v, want DenyAllInbound at 4000", deny)
	}
	// The load balancer's probes and VNet traffic must be allowed before
	// any deny, since Azure's own allow rules (65000, 65001) come later.
	for _, tag := range []string{"AzureLoadBalancer", "VirtualNetwork", "10.244.0.0/16"} {
		i := slices.IndexFunc(rules, func(r Rule) bool { return r.Access == "Allow" && slices.Contains(r.Sources, tag) && r.Port == "*" })
		if i < 0 || rules[i].Priority >= deny.Priority {
			t.Errorf("no allow-all rule for %s before the deny: %v", tag, names)
		}
	}
}

func TestSecurityRulesInTheStack(t *testing.T) {
	nsg := synth(t)["admins"].Named(t, "azurerm_network_security_group", "nsg")
	rules := synth(t)["admins"].Resources("azurerm_network_security_rule")
	if want := len(SecurityRules([]string{"x"}, "y")); len(rules) != want {
		t.Fatalf("%d rules, want %d", len(rules), want)
	}
	for _, r := range rules {
		r.Equal(t, "network_security_group_name", synthtest.Ref(nsg, "name"))
		r.Equal(t, "direction", "Inbound")
	}
	check := func(name, protocol, port, access string, priority int) synthtest.Block {
		r := synth(t)["admins"].Named(t, "azurerm_network_security_rule", name)
		r.Equal(t, "protocol", protocol)
		r.Equal(t, "destination_port_range", port)
		r.Equal(t, "access", access)
		r.Equal(t, "priority", priority)
		return r
	}
	check("AllowAzureLoadBalancerInBound", "*", "*", "Allow", 100).Equal(t, "source_address_prefix", "AzureLoadBalancer")
	check("AllowVnetInBound", "*", "*", "Allow", 110).Equal(t, "source_address_prefix", "VirtualNetwork")
	check("AllowPodCidrInBound", "*", "*", "Allow", 120).Equal(t, "source_address_prefix", "10.244.0.0/16")
	check("AllowIPFSSwarmTcp", "Tcp", "4001", "Allow", 200).Equal(t, "source_address_prefix", "Internet")
	check("AllowIPFSSwarmUdp", "Udp", "4001", "Allow", 210).Equal(t, "source_address_prefix", "Internet")
	check("AllowIPFSGateway", "Tcp", "8080", "Allow", 220)
	check("AllowHTTP", "Tcp", "80", "Allow", 230)
	check("AllowHTTPS", "Tcp", "443", "Allow", 240)
	check("AllowIPFSAPIFromAdmins", "Tcp", "5001", "Allow", 300).Equal(t, "source_address_prefixes", []string{"203.0.113.0/24", "198.51.100.7/32"})
	check("AllowSSHFromAdmins", "Tcp", "22", "Allow", 310).Equal(t, "source_address_prefixes", []string{"203.0.113.0/24", "198.51.100.7/32"})
	kube := check("AllowKubeAPI", "Tcp", "6443", "Allow", 400)
	kube.Equal(t, "source_address_prefix", "VirtualNetwork")
	kube.Equal(t, "destination_address_prefix", "VirtualNetwork")
	check("DenyAllInbound", "*", "*", "Deny", 4000).Equal(t, "source_address_prefix", "*")

	assoc := synth(t)["admins"].Only(t, "azurerm_subnet_network_security_group_association")
	assoc.Equal(t, "network_security_group_id", synthtest.Ref(nsg, "id"))
	assoc.Equal(t, "subnet_id", synthtest.Ref(synth(t)["admins"].Only(t, "azurerm_subnet"), "id"))
}

func TestNoAdminCIDRsNoAdminPorts(t *testing.T) {
	for _, r := range synth(t)["no-admins"].Resources("azurerm_network_security_rule") {
		port := r.Str(t, "destination_port_range")
		if (port == PortSSH || port == PortIPFSAPI) && r.Str(t, "access") == "Allow" {
			t.Errorf("%s opens port %s without admin CIDRs", r.Address(), port)
		}
		if r.Str(t, "access") == "Allow" && port == "*" && r.Has("source_address_prefix") && r.Str(t, "source_address_prefix") == "*" {
			t.Errorf("%s allows everything from everywhere", r.Address())
		}
	}
}

func TestVirtualNetwork(t *testing.T) {
	vnet := synth(t)["admins"].Named(t, "azurerm_virtual_network", "vnet")
	vnet.Equal(t, "address_space", []string{"10.0.0.0/16"})
	vnet.Equal(t, "tags", map[string]string{"project": "p"})
	subnet := synth(t)["admins"].Named(t, "azurerm_subnet", "nodes")
	subnet.Equal(t, "address_prefixes", []string{"10.0.1.0/24"})
	subnet.Equal(t, "virtual_network_name", synthtest.Ref(vnet, "name"))
	subnet.Equal(t, "service_endpoints", []string{"Microsoft.KeyVault"})
}

func TestIngressIPAndDNS(t *testing.T) {
	if n := synth(t)["admins"].Count("azurerm_lb"); n != 0 {
		t.Errorf("%d azurerm_lb: AKS owns the load balancer, an extra one would be an orphan", n)
	}
	ip := synth(t)["admins"].Named(t, "azurerm_public_ip", "pip")
	ip.Equal(t, "sku", "Standard")
	ip.Equal(t, "allocation_method", "Static")
	ip.Equal(t, "domain_name_label", "perpetual-test")
	ip.Equal(t, "lifecycle.prevent_destroy", true)
	ip.Equal(t, "lifecycle.ignore_changes", []string{
		`tags["k8s-azure-cluster-name"]`, `tags["k8s-azure-dns-label-service"]`, `tags["k8s-azure-service"]`})
	open := synth(t)["no-admins"].Named(t, "azurerm_public_ip", "pip")
	open.Equal(t, "lifecycle.prevent_destroy", false)
	open.Equal(t, "lifecycle.ignore_changes", ip.Value(t, "lifecycle.ignore_changes"))

	zone := synth(t)["admins"].Named(t, "azurerm_dns_zone", "ipfs.example.com")
	record := synth(t)["admins"].Only(t, "azurerm_dns_a_record")
	record.Equal(t, "name", "ipfs")
	record.Equal(t, "zone_name", synthtest.Ref(zone, "name"))
	record.Equal(t, "target_resource_id", synthtest.Ref(ip, "id"))
	zone.Equal(t, "lifecycle.prevent_destroy", true)

	if synth(t)["no-admins"].Count("azurerm_dns_zone")+synth(t)["no-admins"].Count("azurerm_dns_a_record") != 0 {
		t.Error("a DNS zone without Props.DNSZone")
	}
	synth(t)["no-admins"].Named(t, "azurerm_public_ip", "pip").Equal(t, "domain_name_label", "perpetual-test")
}
