package networking

// Rule is one inbound rule of the node subnet's NSG.
type Rule struct {
	Name     string
	Priority int
	// Protocol is "Tcp", "Udp" or "*".
	Protocol string
	// Port is the destination port or "*".
	Port string
	// Sources are CIDRs or service tags ("Internet", "VirtualNetwork",
	// "AzureLoadBalancer", "*").
	Sources     []string
	Destination string
	// Access is "Allow" or "Deny".
	Access      string
	Description string
}

// Public ports of the node, open to the internet.
const (
	PortIPFSSwarm   = "4001"
	PortIPFSGateway = "8080"
	PortHTTP        = "80"
	PortHTTPS       = "443"
	// Admin ports: only from NetworkProps.AdminCIDRs.
	PortIPFSAPI = "5001"
	PortSSH     = "22"
	// PortKubeAPI is reachable from inside the VNet only.
	PortKubeAPI = "6443"
)

// SecurityRules returns the inbound rules of the node subnet in priority
// order, ending with a deny of everything else:
//
//   - AzureLoadBalancer, VirtualNetwork and the pod CIDR are allowed first.
//     Azure's default allow rules for them (65000, 65001) are evaluated after
//     every custom rule, so a deny-all at 4000 would otherwise drop the load
//     balancer's health probes (from 168.63.129.16) and traffic between
//     nodes and pods.
//   - The IPFS swarm port is open for TCP and UDP: QUIC is IPFS's main
//     transport.
//   - The IPFS RPC API (5001, full control of the node) and SSH (22) are open
//     only to the admin CIDRs, and not at all without them.
func SecurityRules(adminCIDRs []string, podCIDR string) []Rule {
	rules := []Rule{
		{Name: "AllowAzureLoadBalancerInBound", Priority: 100, Protocol: "*", Port: "*", Sources: []string{"AzureLoadBalancer"}, Destination: "*", Access: "Allow",
			Description: "Load balancer health probes; Azure's own allow rule (65001) comes after the deny below."},
		{Name: "AllowVnetInBound", Priority: 110, Protocol: "*", Port: "*", Sources: []string{"VirtualNetwork"}, Destination: "VirtualNetwork", Access: "Allow",
			Description: "Traffic inside the virtual network; Azure's own allow rule (65000) comes after the deny below."},
		{Name: "AllowPodCidrInBound", Priority: 120, Protocol: "*", Port: "*", Sources: []string{podCIDR}, Destination: "*", Access: "Allow",
			Description: "Azure CNI overlay pod traffic, which does not carry VNet addresses."},
		{Name: "AllowIPFSSwarmTcp", Priority: 200, Protocol: "Tcp", Port: PortIPFSSwarm, Sources: []string{"Internet"}, Destination: "*", Access: "Allow",
			Description: "IPFS swarm (TCP)."},
		{Name: "AllowIPFSSwarmUdp", Priority: 210, Protocol: "Udp", Port: PortIPFSSwarm, Sources: []string{"Internet"}, Destination: "*", Access: "Allow",
			Description: "IPFS swarm over QUIC and WebTransport (UDP)."},
		{Name: "AllowIPFSGateway", Priority: 220, Protocol: "Tcp", Port: PortIPFSGateway, Sources: []string{"Internet"}, Destination: "*", Access: "Allow",
			Description: "IPFS HTTP gateway."},
		{Name: "AllowHTTP", Priority: 230, Protocol: "Tcp", Port: PortHTTP, Sources: []string{"Internet"}, Destination: "*", Access: "Allow",
			Description: "HTTP."},
		{Name: "AllowHTTPS", Priority: 240, Protocol: "Tcp", Port: PortHTTPS, Sources: []string{"Internet"}, Destination: "*", Access: "Allow",
			Description: "HTTPS."},
	}
	if len(adminCIDRs) > 0 {
		rules = append(rules,
			Rule{Name: "AllowIPFSAPIFromAdmins", Priority: 300, Protocol: "Tcp", Port: PortIPFSAPI, Sources: adminCIDRs, Destination: "*", Access: "Allow",
				Description: "IPFS RPC API: full control of the node, admin networks only."},
			Rule{Name: "AllowSSHFromAdmins", Priority: 310, Protocol: "Tcp", Port: PortSSH, Sources: adminCIDRs, Destination: "*", Access: "Allow",
				Description: "SSH, admin networks only."},
		)
	}
	return append(rules,
		Rule{Name: "AllowKubeAPI", Priority: 400, Protocol: "Tcp", Port: PortKubeAPI, Sources: []string{"VirtualNetwork"}, Destination: "VirtualNetwork", Access: "Allow",
			Description: "Kubernetes API inside the virtual network."},
		Rule{Name: "DenyAllInbound", Priority: 4000, Protocol: "*", Port: "*", Sources: []string{"*"}, Destination: "*", Access: "Deny",
			Description: "Everything else."},
	)
}
