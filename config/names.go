package config

import (
	"cmp"
	"strings"
)

// Names are the Azure and Kubernetes names of an environment's resources.
// Both stacks derive them from the configuration, so the in-cluster stack
// finds the Azure resources without reading the other stack's state.
type Names struct {
	ResourceGroup         string
	SnapshotResourceGroup string
	NodeResourceGroup     string
	VirtualNetwork        string
	NodeSubnet            string
	SecurityGroup         string
	PublicIP              string
	DNSLabel              string
	Cluster               string
	ClusterDNSPrefix      string
	ClusterIdentity       string
	NodeIdentity          string
	DataDisk              string
	StorageAccount        string
	KeyVault              string
	BackupVault           string
	LogAnalytics          string
	ActionGroup           string
	ActionGroupShort      string
	Budget                string
}

// Names derives the resource names of the environment.
func (c *Config) Names() Names {
	base := c.NamePrefix + "-" + c.Environment
	suffix := ""
	if c.UniqueSuffix != "" {
		suffix = "-" + c.UniqueSuffix
	}
	short := c.NamePrefix + c.Environment
	return Names{
		ResourceGroup:         base + "-rg",
		SnapshotResourceGroup: base + "-snapshots-rg",
		NodeResourceGroup:     base + "-nodes-rg",
		VirtualNetwork:        base + "-vnet",
		NodeSubnet:            "nodes",
		SecurityGroup:         base + "-nodes-nsg",
		PublicIP:              base + "-ingress-pip",
		DNSLabel:              cmp.Or(c.Network.DNSLabel, base+suffix),
		Cluster:               base + "-aks",
		ClusterDNSPrefix:      base,
		ClusterIdentity:       base + "-aks-identity",
		NodeIdentity:          base + "-node-identity",
		DataDisk:              base + "-ipfs-data",
		StorageAccount:        "st" + strings.ReplaceAll(c.NamePrefix+c.Environment+c.UniqueSuffix, "-", ""),
		KeyVault:              base + "-kv" + suffix,
		BackupVault:           base + "-backup-vault",
		LogAnalytics:          base + "-logs",
		ActionGroup:           base + "-alerts",
		ActionGroupShort:      short[:min(len(short), 12)],
		Budget:                base + "-budget",
	}
}
