// Command envinfo prints what the scripts and workflows need to know about
// an environment, derived from its validated configuration, as shell
// assignments (KEY='value'), so that no script repeats a resource name:
//
//	eval "$(go run ./cmd/envinfo dev)"
//	go run ./cmd/envinfo -github prod >> "$GITHUB_ENV"
package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

func main() {
	dir := flag.String("config", "config", "directory of the environment files")
	github := flag.Bool("github", false, "write KEY=value lines for $GITHUB_ENV instead of shell assignments")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: envinfo [-config DIR] ENVIRONMENT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	cfg, err := config.Load(filepath.Join(*dir, flag.Arg(0)+".json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	write(os.Stdout, cfg, *github)
}

func write(w io.Writer, c *config.Config, github bool) {
	n := c.Names()
	vars := [][2]string{
		{"ENVIRONMENT", c.Environment},
		{"PRODUCTION", fmt.Sprint(c.Production)},
		{"AZURE_STACK", c.Environment},
		{"K8S_STACK", c.K8sStackName()},
		{"LOCATION", c.Location},
		{"RESOURCE_GROUP", n.ResourceGroup},
		{"CLUSTER_NAME", n.Cluster},
		{"KEY_VAULT_NAME", n.KeyVault},
		{"STORAGE_ACCOUNT_NAME", n.StorageAccount},
		{"LOCAL_ACCOUNTS", fmt.Sprint(c.Kubernetes.LocalAccountsEnabled)},
		{"PROVIDER_AUTH", string(c.Kubernetes.ProviderAuth)},
		{"BACKEND_TYPE", string(c.Backend.Type)},
		{"STATE_RESOURCE_GROUP", c.Backend.ResourceGroupName},
		{"STATE_STORAGE_ACCOUNT", c.Backend.StorageAccountName},
		{"STATE_CONTAINER", c.Backend.ContainerName},
		{"STATE_KEY_PREFIX", c.Backend.KeyPrefix},
		// The resource groups the Azure stack creates: the scope of the
		// environment's deploying identity (scripts/setup.sh).
		{"ENV_RESOURCE_GROUPS", strings.Join(resourceGroups(c), " ")},
		// The firewall entries the configuration keeps: any other address
		// in the Key Vault or storage firewall is a runner's (firewall.sh
		// sweep removes those).
		{"FIREWALL_ADMIN_RULES", strings.Join(firewallAdminRules(c.Network.AdminCIDRs), " ")},
	}
	for _, v := range vars {
		if github {
			fmt.Fprintf(w, "%s=%s\n", v[0], v[1])
			continue
		}
		fmt.Fprintf(w, "%s='%s'\n", v[0], strings.ReplaceAll(v[1], "'", `'\''`))
	}
}

// resourceGroups lists the resource groups the environment's Azure stack
// creates (stacks.NewAzureStack): the main one and, with backups, the one
// for the disk's snapshots. The node resource group belongs to AKS.
func resourceGroups(c *config.Config) []string {
	n := c.Names()
	rgs := []string{n.ResourceGroup}
	if c.EnableBackups {
		rgs = append(rgs, n.SnapshotResourceGroup)
	}
	return rgs
}

// firewallAdminRules returns the admin CIDRs as the Key Vault and storage
// firewalls hold them, in the canonical form firewall.sh compares (no /32):
// public ranges only, a /31 or /32 as its addresses. It mirrors
// stacks.firewallRules, which cannot be imported here without the
// provider bindings.
func firewallAdminRules(adminCIDRs []string) []string {
	var out []string
	for _, c := range adminCIDRs {
		p, err := netip.ParsePrefix(c)
		if err != nil || p.Addr().IsPrivate() || p.Addr().IsLoopback() {
			continue
		}
		if p.Bits() >= 31 {
			for a := p.Masked().Addr(); p.Contains(a); a = a.Next() {
				out = append(out, a.String())
			}
			continue
		}
		out = append(out, p.String())
	}
	return out
}
