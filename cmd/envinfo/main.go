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
		{"PROVIDER_AUTH", c.Kubernetes.ProviderAuth},
		{"BACKEND_TYPE", c.Backend.Type},
		{"STATE_RESOURCE_GROUP", c.Backend.ResourceGroupName},
		{"STATE_STORAGE_ACCOUNT", c.Backend.StorageAccountName},
		{"STATE_CONTAINER", c.Backend.ContainerName},
		{"STATE_KEY_PREFIX", c.Backend.KeyPrefix},
	}
	for _, v := range vars {
		if github {
			fmt.Fprintf(w, "%s=%s\n", v[0], v[1])
			continue
		}
		fmt.Fprintf(w, "%s='%s'\n", v[0], strings.ReplaceAll(v[1], "'", `'\''`))
	}
}
