package main

// tfcheck live (make ktest): every in-cluster stack on a real Kubernetes
// API server, a local control plane started once (tools/kubelive). Each
// stack's live sets run with `terraform test`, azurerm data sources mocked
// and the kubernetes provider pointed by the test files at that control
// plane only (context kubelive.Context of KUBE_CONFIG_PATH). Each file
// applies the stack for real, asserts on the objects read back and
// destroys everything; afterwards nothing it created may remain.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/kubelive"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/tfcheck"
)

// Test sets of tfcheck live.
const (
	SetLive             = "kubernetes-live"                // every in-cluster stack
	SetLiveClaims       = "kubernetes-live-claims"         // every in-cluster stack: claims that cannot bind
	SetLiveDevSecrets   = "kubernetes-live-dev-secrets"    // with workload.devSecrets
	SetLiveNoDevSecrets = "kubernetes-live-no-dev-secrets" // without
	SetLivePodPolicies  = "kubernetes-live-pod-policies"   // with pod policies that deny
)

// liveSets returns the live test sets of an environment's in-cluster stack.
func liveSets(cfg *config.Config) []string {
	sets := []string{SetLive, SetLiveClaims}
	if podPoliciesDeny(cfg.Policy) {
		sets = append(sets, SetLivePodPolicies)
	}
	if cfg.Workload.DevSecrets {
		return append(sets, SetLiveDevSecrets)
	}
	return append(sets, SetLiveNoDevSecrets)
}

// podPoliciesDeny reports whether the environment's pod policies refuse
// the Pods that SetLivePodPolicies tries.
func podPoliciesDeny(p config.Policy) bool {
	return p.NoPrivilegeEscalation && p.NoPrivilegedContainers && p.AzurePolicyAddon && p.KubernetesEffect == "Deny"
}

// liveExpectedErrors returns the runs of an environment's live sets whose
// apply must fail.
//
// In claim_replaced (SetLiveClaims) the claim never binds and the apply
// fails at its create timeout. The kubernetes provider means to report
// "timeout while waiting for state to become 'Bound'", but may fetch the
// claim's events with the expiring context and report that instead
// ("context deadline exceeded", "would exceed context deadline":
// hashicorp/terraform-provider-kubernetes#2171); any of these passes.
//
// In escalating_init_container (SetLivePodPolicies) the API server refuses
// a Pod whose init container may escalate its privileges.
func liveExpectedErrors(cfg *config.Config) []tfcheck.ExpectedError {
	errs := []tfcheck.ExpectedError{{
		Run:     "claim_replaced",
		Address: "kubernetes_persistent_volume_claim_v1.ipfs-volume-claim",
		Message: regexp.MustCompile(`context deadline|waiting for state to become 'Bound'`),
	}}
	if podPoliciesDeny(cfg.Policy) {
		errs = append(errs, tfcheck.ExpectedError{
			Run:     "escalating_init_container",
			Address: "kubernetes_pod_v1.node",
			Message: regexp.MustCompile(`ValidatingAdmissionPolicy 'azure-policy-no-privilege-escalation' .*denied request`),
		})
	}
	return errs
}

// live holds the flags of tfcheck live.
var live struct {
	assets       string
	binderSync   time.Duration
	claimTimeout time.Duration
}

// claimTimeoutOverride returns a Terraform override file that sets the
// create timeout of every claim that waits until bound to timeout, or nil
// when there is none. The stacks wait workload.ClaimBindTimeout for a
// binder that passes every 15 s; the local binder passes every second
// (-binder-sync), so a claim that binds must do so sooner (stricter runs)
// and one that cannot fails in seconds.
func claimTimeoutOverride(stack *stackjson.Stack, timeout time.Duration) ([]byte, error) {
	claims := map[string]any{}
	for _, c := range stack.Resources("kubernetes_persistent_volume_claim_v1") {
		if wait, _ := c.Get("wait_until_bound"); wait == true {
			claims[c.ID] = map[string]any{"timeouts": map[string]string{"create": timeout.String()}}
		}
	}
	if len(claims) == 0 {
		return nil, nil
	}
	return json.MarshalIndent(map[string]any{"resource": map[string]any{"kubernetes_persistent_volume_claim_v1": claims}}, "", "  ")
}

// startControlPlane starts the control plane and points the runner's
// terraform at it.
func startControlPlane(ctx context.Context, r *tfcheck.Runner) (*kubelive.ControlPlane, error) {
	if live.assets == "" {
		return nil, errors.New("set KUBEBUILDER_ASSETS (or -assets) to the directory of etcd, kube-apiserver and kube-controller-manager; see README, Testing")
	}
	dir := filepath.Join(r.Work, "control-plane")
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	cp, err := kubelive.Start(ctx, kubelive.Options{Assets: live.assets, Dir: dir, BinderSyncPeriod: live.binderSync})
	if err != nil {
		return nil, err
	}
	fmt.Printf("control plane: Kubernetes %s from %s, up in %.1fs (controllers: %s; volume binder sync every %s; logs in %s)\n",
		cp.Version, live.assets, time.Since(start).Seconds(), strings.Join(kubelive.Controllers, ", "), live.binderSync, dir)
	r.Env = append(r.Env, "KUBE_CONFIG_PATH="+cp.Kubeconfig)
	return cp, nil
}

// liveTest runs the live sets of stack s and checks that its destroy left
// nothing behind, also when a test failed.
func liveTest(ctx context.Context, r *tfcheck.Runner, cp *kubelive.ControlPlane, s tfcheck.Stack) error {
	before, err := cp.Objects(ctx)
	if err != nil {
		return err
	}
	rep, testErr := r.Test(ctx, s)
	if rep != nil {
		printTimings(rep)
	}
	if ctx.Err() != nil {
		return testErr
	}
	after, err := cp.Objects(ctx)
	if err != nil {
		return errors.Join(testErr, err)
	}
	if left := kubelive.Added(before, after); len(left) > 0 {
		return errors.Join(testErr, fmt.Errorf("%s: left on the API server after destroy: %s", s.Name, strings.Join(left, ", ")))
	}
	if testErr != nil {
		return testErr
	}
	fmt.Printf("  %d runs passed, %d failed as they must; nothing left on the API server after destroy\n", rep.Passed, len(s.ExpectedErrors))
	return nil
}

// printTimings prints how long each file's runs and cleanup took.
func printTimings(rep *tfcheck.Report) {
	var file string
	var line []string
	var total time.Duration
	flush := func() {
		if file != "" {
			fmt.Printf("  %s %.1fs: %s\n", file, total.Seconds(), strings.Join(line, ", "))
		}
	}
	for _, t := range rep.Timings {
		i := strings.LastIndex(t.Key, "/")
		f, name := filepath.Base(t.Key[:i]), t.Key[i+1:]
		if f != file {
			flush()
			file, line, total = f, nil, 0
		}
		line = append(line, fmt.Sprintf("%s %.1fs", name, t.Elapsed.Seconds()))
		total += t.Elapsed
	}
	flush()
}
