// Command tfcheck runs the real Terraform and providers on the synthesized
// stacks, with no Azure credentials:
//
//	tfcheck validate   terraform init -backend=false + terraform validate
//	tfcheck test       terraform test: a mocked apply of every stack
//	tfcheck live       terraform test of every in-cluster stack on a local
//	                   Kubernetes control plane (see live.go)
//
// The providers come from the filesystem mirror named by TF_CLI_CONFIG_FILE
// (scripts/provider-mirror.sh builds one from the providers' tagged
// sources), else from that script's default mirror
// (~/.cache/terraform-provider-mirror) when present, else from the
// Terraform registry.
//
// Test files live in tftest/<set>/; a stack's configuration decides which
// sets run (testSets). For every data resource of a stack
// (guardrails.DataResources) a generated test plans its replacement, which
// production must refuse (lifecycle.prevent_destroy) and other environments
// must allow.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/kubelive"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/tfcheck"
)

func main() {
	out := flag.String("out", "cdktf.out", "synthesized output directory")
	configDir := flag.String("config", "config", "directory of the environment files")
	tests := flag.String("tests", "tftest", "directory of the test sets and mocks")
	work := flag.String("work", ".tfcheck", "working directories of the stacks (git-ignored)")
	flag.StringVar(&live.assets, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "live: directory of etcd, kube-apiserver and kube-controller-manager (envtest layout)")
	flag.DurationVar(&live.binderSync, "binder-sync", time.Second, "live: kube-controller-manager --pvclaimbinder-sync-period (its default is 15s)")
	flag.DurationVar(&live.claimTimeout, "claim-timeout", 10*time.Second, "live: how long an apply waits for a claim to bind (the stacks wait workload.ClaimBindTimeout)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: tfcheck [flags] validate|test|live [stack ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || !slices.Contains([]string{"validate", "test", "live"}, flag.Arg(0)) {
		flag.Usage()
		os.Exit(2)
	}
	// An interrupt or a termination stops terraform, then the control plane.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, flag.Arg(0), flag.Args()[1:], *out, *configDir, *tests, *work)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tfcheck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, mode string, only []string, out, configDir, tests, work string) (err error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.11 or newer")
	}
	r := &tfcheck.Runner{Terraform: tf, Tests: tests, Log: os.Stdout}
	if mode == "live" {
		// make tftest and make ktest may run at the same time.
		work = filepath.Join(work, "live")
	}
	if r.Work, err = filepath.Abs(work); err != nil {
		return err
	}
	v, err := r.Version()
	if err != nil {
		return err
	}
	if tfcheck.Less(v, tfcheck.MinVersion) {
		return fmt.Errorf("terraform %d.%d.%d is too old; the stacks need %d.%d or newer", v[0], v[1], v[2], tfcheck.MinVersion[0], tfcheck.MinVersion[1])
	}
	fmt.Println("providers:", providerSource(r))

	cfgs, err := config.LoadDir(configDir)
	if err != nil {
		return err
	}
	stacks, err := plan(cfgs, out, mode == "live")
	if err != nil {
		return err
	}
	var cp *kubelive.ControlPlane
	if mode == "live" {
		if cp, err = startControlPlane(ctx, r); err != nil {
			return err
		}
		defer func() {
			start := time.Now()
			if serr := cp.Stop(); serr != nil {
				err = errors.Join(err, serr)
			}
			fmt.Printf("control plane stopped (%.1fs)\n", time.Since(start).Seconds())
		}()
	}
	var failed []string
	for _, s := range stacks {
		if len(only) > 0 && !slices.Contains(only, s.Name) {
			continue
		}
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
		start := time.Now()
		fmt.Printf("%s %s\n", mode, s.Name)
		switch mode {
		case "validate":
			err = r.Validate(ctx, s)
		case "test":
			var rep *tfcheck.Report
			rep, err = r.Test(ctx, s)
			if err == nil {
				fmt.Printf("  %d runs passed, %d replacements of data resources %s\n", rep.Passed, len(s.DataResources),
					map[bool]string{true: "refused by prevent_destroy", false: "planned (not production)"}[s.Production])
			}
		case "live":
			err = liveTest(ctx, r, cp, s)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = append(failed, s.Name)
			continue
		}
		fmt.Printf("  ok (%.1fs)\n", time.Since(start).Seconds())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s failed for %q", mode, failed)
	}
	return nil
}

// providerSource names where terraform init finds the providers, pointing
// TF_CLI_CONFIG_FILE at the default mirror when nothing else was chosen.
func providerSource(r *tfcheck.Runner) string {
	f := os.Getenv("TF_CLI_CONFIG_FILE")
	if _, err := os.Stat(f); f != "" && err == nil {
		return "as configured in TF_CLI_CONFIG_FILE=" + f
	}
	if home, err := os.UserHomeDir(); err == nil {
		rc := filepath.Join(home, ".cache", "terraform-provider-mirror", "terraformrc")
		if _, err := os.Stat(rc); err == nil {
			r.Env = append(r.Env, "TF_CLI_CONFIG_FILE="+rc)
			if f != "" {
				return "filesystem mirror (TF_CLI_CONFIG_FILE=" + rc + "; " + f + " does not exist)"
			}
			return "filesystem mirror (TF_CLI_CONFIG_FILE=" + rc + ")"
		}
	}
	// One download of each provider for all stacks.
	r.Env = append(r.Env, "TF_PLUGIN_CACHE_DIR="+filepath.Join(r.Work, ".plugin-cache"))
	_ = os.MkdirAll(filepath.Join(r.Work, ".plugin-cache"), 0o755)
	return "the Terraform registry"
}

// Test sets: directories under tftest/ whose files run against a stack.
const (
	SetAzure           = "azure"            // every Azure stack
	SetAzureProduction = "azure-production" // Azure stacks of production environments
	SetAzureBackups    = "azure-backups"    // with enableBackups
	SetAzureLogs       = "azure-log-analytics"
	SetAzureUpgrades   = "azure-upgrade-channel"  // with an automatic upgrade channel
	SetKubernetes      = "kubernetes"             // every in-cluster stack
	SetDevSecrets      = "kubernetes-dev-secrets" // with workload.devSecrets
)

// testSets returns the test sets of an environment's two stacks.
func testSets(cfg *config.Config) (azure, kubernetes []string) {
	azure = []string{SetAzure}
	if cfg.Production {
		azure = append(azure, SetAzureProduction)
	}
	if cfg.EnableBackups {
		azure = append(azure, SetAzureBackups)
	}
	if cfg.Monitoring == config.MonitoringLogAnalytics {
		azure = append(azure, SetAzureLogs)
	}
	if cfg.Kubernetes.UpgradeChannel() != "" {
		azure = append(azure, SetAzureUpgrades)
	}
	kubernetes = []string{SetKubernetes}
	if cfg.Workload.DevSecrets {
		kubernetes = append(kubernetes, SetDevSecrets)
	}
	return azure, kubernetes
}

// plan lists the stacks of every environment with their test sets and data
// resources; for the live tests, the in-cluster stacks only.
func plan(cfgs []*config.Config, out string, liveMode bool) ([]tfcheck.Stack, error) {
	m, err := stackjson.Manifest(out)
	if err != nil {
		return nil, fmt.Errorf("%w (run make synth first)", err)
	}
	var stacks []tfcheck.Stack
	for _, cfg := range cfgs {
		var envStacks []tfcheck.Stack
		if liveMode {
			envStacks = []tfcheck.Stack{{Name: cfg.K8sStackName(), Sets: liveSets(cfg), ExpectedErrors: liveExpectedErrors(cfg)}}
		} else {
			azureSets, k8sSets := testSets(cfg)
			envStacks = []tfcheck.Stack{
				{Name: cfg.Environment, Sets: azureSets},
				{Name: cfg.K8sStackName(), Sets: k8sSets},
			}
		}
		for _, s := range envStacks {
			st, ok := m[s.Name]
			if !ok {
				return nil, fmt.Errorf("%s: stack %s is not in %s; synthesize again", cfg.File, s.Name, out)
			}
			s.Config = filepath.Join(out, st.SynthesizedStackPath)
			s.Production = cfg.Production
			doc, err := stackjson.ReadFile(s.Name, s.Config)
			if err != nil {
				return nil, err
			}
			if liveMode {
				// No data resources: their generated tests are mocked runs.
				s.Override, err = claimTimeoutOverride(doc, live.claimTimeout)
			} else {
				s.DataResources = dataResources(doc)
				if slices.Contains(s.Sets, SetAzureUpgrades) {
					s.Variants, err = upgradeVariants(doc)
				}
			}
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, s)
		}
	}
	return stacks, nil
}

// upgradeVariants returns the variant "aks-moved" of an Azure stack: the
// cluster and its node pool one minor version ahead, as an AKS upgrade
// leaves them, and that version as the output aks_kubernetes_version.
func upgradeVariants(stack *stackjson.Stack) (map[string][]byte, error) {
	doc, err := stackjson.Parse(stack.Name, stack.Raw) // a copy to change
	if err != nil {
		return nil, err
	}
	aks, _ := doc.Lookup("azurerm_kubernetes_cluster.cluster")
	pool, _ := aks.Get("default_node_pool")
	pools, _ := pool.(map[string]any)
	version, _ := aks.Get("kubernetes_version")
	var major, minor int
	if _, err := fmt.Sscanf(fmt.Sprint(version), "%d.%d", &major, &minor); err != nil || pools == nil {
		return nil, fmt.Errorf("%s: no azurerm_kubernetes_cluster.cluster with a kubernetes_version and a default_node_pool", stack.Name)
	}
	newer := fmt.Sprintf("%d.%d", major, minor+1)
	aks.Attrs["kubernetes_version"] = newer
	pools["orchestrator_version"] = newer
	outputs, _ := doc.JSON["output"].(map[string]any)
	if outputs == nil {
		outputs = map[string]any{}
		doc.JSON["output"] = outputs
	}
	outputs["aks_kubernetes_version"] = map[string]any{"value": newer}
	variant, err := json.MarshalIndent(doc.JSON, "", "  ")
	return map[string][]byte{"aks-moved": variant}, err
}

// dataResources lists the addresses of the stack's guardrails.DataResources.
func dataResources(stack *stackjson.Stack) []string {
	var addrs []string
	for _, typ := range guardrails.DataResources {
		for _, r := range stack.Resources(typ) {
			addrs = append(addrs, r.Address())
		}
	}
	return addrs
}
