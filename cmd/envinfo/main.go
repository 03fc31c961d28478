// Command envinfo prints what the scripts and workflows need to know about
// the environments, from their validated configuration, so that none of
// them repeats an environment's or a resource's name.
//
// One environment, as shell assignments (KEY='value'), or KEY=value lines
// for $GITHUB_ENV:
//
//	eval "$(go run ./cmd/envinfo dev)"
//	go run ./cmd/envinfo -github prod >> "$GITHUB_ENV"
//
// The environments of the configuration directory, one name a line, or as a
// JSON array for a workflow's matrix (scripts/environments.sh):
//
//	go run ./cmd/envinfo -list all
//	go run ./cmd/envinfo -list production -json
//
// The variables a synthesized stack declares without a default, which must
// be set (TF_VAR_<name>) before it is planned, one a line:
//
//	go run ./cmd/envinfo -required-vars cdktf.out/stacks/dev
//
// Several stacks in one call (one process instead of one a stack): each
// stack's variables, in the order of the directories, the lists separated
// by an empty line (an empty list is empty); nothing when one cannot be read:
//
//	go run ./cmd/envinfo -required-vars cdktf.out/stacks/dev cdktf.out/stacks/dev-k8s
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

func main() {
	dir := flag.String("config", "config", "directory of the environment files")
	github := flag.Bool("github", false, "write KEY=value lines for $GITHUB_ENV instead of shell assignments")
	list := flag.String("list", "", "list the environments instead: all, production or development")
	asJSON := flag.Bool("json", false, "with -list: print a JSON array (for a workflow matrix)")
	requiredVars := flag.String("required-vars", "", "print the variables that the stack synthesized in this directory declares without a default (more directories may follow as arguments)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: envinfo [-config DIR] [-github] ENVIRONMENT")
		fmt.Fprintln(os.Stderr, "       envinfo [-config DIR] -list all|production|development [-json]")
		fmt.Fprintln(os.Stderr, "       envinfo -required-vars STACK_DIR [STACK_DIR ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	var err error
	switch {
	case *requiredVars != "":
		err = writeRequiredVars(os.Stdout, append([]string{*requiredVars}, flag.Args()...))
	case *list != "" && flag.NArg() == 0:
		err = writeList(os.Stdout, *dir, *list, *asJSON)
	case *list == "" && flag.NArg() == 1: // ENVIRONMENT
		var cfg *config.Config
		if cfg, err = config.Load(filepath.Join(*dir, flag.Arg(0)+".json")); err == nil {
			write(os.Stdout, cfg, *github)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// writeList prints the names of the environments of dir of the given kind
// (all, production, development) in name order, each validated as synthesis
// validates it so that a list never names one that make synth rejects.
func writeList(w io.Writer, dir, kind string, asJSON bool) error {
	if kind != "all" && kind != "production" && kind != "development" {
		return fmt.Errorf("-list %q: want all, production or development", kind)
	}
	cfgs, err := config.LoadDir(dir)
	if err != nil {
		return err
	}
	names := []string{}
	for _, c := range cfgs {
		if kind == "all" || c.Production == (kind == "production") {
			names = append(names, c.Environment)
		}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(names)
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

// writeRequiredVars prints the variables without a default of the stacks
// synthesized in dirs, which the scripts check first because Terraform
// cannot plan without them (-input=false): sorted, one a line, each stack's
// list after the previous one and an empty line; nothing when a stack
// cannot be read.
func writeRequiredVars(w io.Writer, dirs []string) error {
	var b strings.Builder
	for i, dir := range dirs {
		stack, err := stackjson.ReadFile(filepath.Base(dir), filepath.Join(dir, "cdk.tf.json"))
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		for _, v := range stack.Blocks("variable", "") {
			if !v.Has("default") {
				b.WriteString(v.ID + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func write(w io.Writer, c *config.Config, github bool) {
	n := c.Names()
	// The resource groups the Azure stack creates (AKS owns the node
	// resource group): the scope of the deploying identity (scripts/setup.sh).
	resourceGroups := n.ResourceGroup
	if c.EnableBackups {
		resourceGroups += " " + n.SnapshotResourceGroup // the disk snapshots'
	}
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
		{"ENV_RESOURCE_GROUPS", resourceGroups},
		// Any other address in the Key Vault or storage firewall is a
		// runner's, which firewall.sh sweep removes.
		{"FIREWALL_ADMIN_RULES", strings.Join(c.Network.PublicAdminRules(), " ")},
		{"FIREWALLS_DENY", fmt.Sprint(firewallsDeny(c))},
		{"DEPLOYER_IPS_NEEDED", fmt.Sprint(deployerIPsNeeded(c))},
	}
	for _, v := range vars {
		if github {
			fmt.Fprintf(w, "%s=%s\n", v[0], v[1])
			continue
		}
		fmt.Fprintf(w, "%s='%s'\n", v[0], strings.ReplaceAll(v[1], "'", `'\''`))
	}
}

// deployerIPsNeeded reports whether a machine outside network.adminCidrs
// must be named in TF_VAR_deployer_ips to deploy: firewalls deny by
// default, or the API server is limited to authorized ranges (whenever
// adminCidrs is set).
func deployerIPsNeeded(c *config.Config) bool {
	return firewallsDeny(c) || len(c.Network.AdminCIDRs) > 0
}

// firewallsDeny reports whether the Key Vault or the storage firewall
// denies by default, so a pipeline job must open them to its runner
// (firewall.sh).
func firewallsDeny(c *config.Config) bool {
	return c.KeyVault.NetworkDefaultAction == "Deny" || c.StorageAccount.NetworkDefaultAction == "Deny"
}
