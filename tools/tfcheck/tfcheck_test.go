package tfcheck

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixtures are `terraform test -json` outputs of this project's prod
// and dev stacks (Terraform 1.11.4, azurerm 4.31.0, mocked), trimmed of
// timestamps, plans and snippets.

var prodData = []string{
	"azurerm_managed_disk.ipfs-data",
	"azurerm_storage_account.storage-account",
	"azurerm_key_vault.key-vault",
	"azurerm_public_ip.networking-ingress-ip",
	"azurerm_data_protection_backup_vault.backup-vault",
	"azurerm_data_protection_backup_instance_disk.backup-instance",
}

var devData = []string{
	"azurerm_managed_disk.ipfs-data",
	"azurerm_storage_account.storage-account",
	"azurerm_key_vault.key-vault",
	"azurerm_public_ip.networking-ingress-ip",
}

func report(t *testing.T, fixture string, edit func(string) string) *Report {
	t.Helper()
	b, err := os.ReadFile("testdata/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if edit != nil {
		if text = edit(text); text == string(b) {
			t.Fatal("the edit changed nothing")
		}
	}
	rep, err := ParseReport(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestProductionReportPasses(t *testing.T) {
	rep := report(t, "prod.jsonl", nil)
	if p := rep.Check(Stack{Name: "prod", Production: true, DataResources: prodData}); len(p) > 0 {
		t.Fatalf("problems in a good report:\n%s", strings.Join(p, "\n"))
	}
	for i, addr := range prodData {
		key := "tests/keep-0" + string(rune('1'+i)) + ".tftest.hcl/" + KeepRun
		if got := rep.Refused[key]; len(got) != 1 || got[0] != addr {
			t.Errorf("%s refused %q, want %s", key, got, addr)
		}
	}
	if len(rep.TeardownRefused) == 0 {
		t.Error("no cleanup refusals parsed; production cleanup always meets prevent_destroy")
	}
}

func TestDevelopmentReportPasses(t *testing.T) {
	rep := report(t, "dev.jsonl", nil)
	if p := rep.Check(Stack{Name: "dev", DataResources: devData}); len(p) > 0 {
		t.Fatalf("problems in a good report:\n%s", strings.Join(p, "\n"))
	}
}

func TestChecksThatFail(t *testing.T) {
	prod := Stack{Name: "prod", Production: true, DataResources: prodData}
	cases := []struct {
		name    string
		fixture string
		stack   Stack
		edit    func(string) string
		want    string
	}{
		{
			name: "production data resource not protected", fixture: "prod.jsonl", stack: prod,
			// The replacement of the disk planned instead of refused.
			edit: func(s string) string {
				return strings.Replace(s, `"run":"replace","progress":"complete","status":"error"`, `"run":"replace","progress":"complete","status":"pass"`, 1)
			},
			want: "was not refused by prevent_destroy",
		},
		{
			name: "the same report read as development", fixture: "prod.jsonl", stack: Stack{Name: "prod", DataResources: prodData},
			edit: func(s string) string { return s + "\n" },
			want: "failed in a non-production stack",
		},
		{
			name: "failed assertion", fixture: "dev.jsonl", stack: Stack{Name: "dev", DataResources: devData},
			edit: func(s string) string {
				return strings.Replace(s, `"run":"apply","progress":"complete","status":"pass"`, `"run":"apply","progress":"complete","status":"fail"`, 1)
			},
			want: "run tests/azure-apply.tftest.hcl/apply: fail",
		},
		{
			name: "no summary", fixture: "dev.jsonl", stack: Stack{Name: "dev", DataResources: devData},
			edit: func(s string) string { return strings.ReplaceAll(s, `"type":"test_summary"`, `"type":"other"`) },
			want: "no test summary",
		},
		{
			name: "cleanup refused in development", fixture: "prod.jsonl", stack: Stack{Name: "dev", DataResources: prodData},
			edit: func(s string) string { return s + "\n" },
			want: "which is not a production data resource",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := report(t, c.fixture, c.edit).Check(c.stack)
			if !strings.Contains(strings.Join(p, "\n"), c.want) {
				t.Errorf("problems %q lack %q", p, c.want)
			}
		})
	}
}

func TestKeepTestNamesTheResource(t *testing.T) {
	// An Azure stack requires azurerm only; a mock of another provider is an
	// error in Terraform 1.15 ("unknown provider").
	providers, err := requiredProviders("dev", []byte(`{"terraform": {"required_providers": {"azurerm": {"source": "hashicorp/azurerm", "version": "4.81.0"}}}}`))
	if err != nil || !slices.Equal(providers, []string{"azurerm"}) {
		t.Fatalf("requiredProviders = %q, %v; want [azurerm]", providers, err)
	}
	got := keepTest("azurerm_key_vault.key-vault", providers)
	for _, want := range []string{`mock_provider "azurerm"`, "command = apply", `run "replace"`, "replace = [azurerm_key_vault.key-vault]"} {
		if !strings.Contains(got, want) {
			t.Errorf("generated test lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `mock_provider "kubernetes"`) {
		t.Errorf("generated test mocks a provider the stack does not require:\n%s", got)
	}
	if keepAddress("tests/keep-02.tftest.hcl", devData) != devData[1] || keepAddress("tests/keep-09.tftest.hcl", devData) != "?" {
		t.Error("keepAddress does not map file numbers to addresses")
	}
}

func TestParseVersion(t *testing.T) {
	v, err := ParseVersion("1.11.4")
	if err != nil || v != [3]int{1, 11, 4} {
		t.Fatalf("%v %v", v, err)
	}
	if !Less([3]int{1, 10, 9}, MinVersion) || Less([3]int{1, 11, 0}, MinVersion) {
		t.Error("MinVersion comparison")
	}
	if _, err := ParseVersion("dev"); err == nil {
		t.Error("accepted a version without numbers")
	}
}

// dev-k8s-live.jsonl is the `terraform test -json` output of make ktest
// for dev-k8s (Terraform 1.11.4, kubernetes 2.37.1 on a 1.35.4 API
// server), trimmed of plans, snippets and progress lines.

var claimReplaced = ExpectedError{
	Run:     "claim_replaced",
	Address: "kubernetes_persistent_volume_claim_v1.ipfs-volume-claim",
	Message: regexp.MustCompile(`context deadline|to become 'Bound'`),
}

func TestLiveReportPasses(t *testing.T) {
	rep := report(t, "dev-k8s-live.jsonl", nil)
	if p := rep.Check(Stack{Name: "dev-k8s", ExpectedErrors: []ExpectedError{claimReplaced}}); len(p) > 0 {
		t.Fatalf("problems in a good report:\n%s", strings.Join(p, "\n"))
	}
	var waited, cleanups time.Duration
	for _, tm := range rep.Timings {
		switch {
		case strings.HasSuffix(tm.Key, "/claim_replaced"):
			waited = tm.Elapsed
		case strings.HasSuffix(tm.Key, "/cleanup"):
			cleanups += tm.Elapsed
		}
	}
	if waited < time.Minute || waited > 2*time.Minute || cleanups <= 0 {
		t.Errorf("timings: claim_replaced %s (the claim's 1m timeout), cleanups %s; all: %v", waited, cleanups, rep.Timings)
	}
}

// The provider words the expired wait in more than one way.
func TestExpectedErrorVariants(t *testing.T) {
	rep := report(t, "dev-k8s-live.jsonl", func(s string) string {
		return strings.Replace(s, "client rate limiter Wait returned an error: context deadline exceeded", "client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline", 1)
	})
	if p := rep.Check(Stack{Name: "dev-k8s", ExpectedErrors: []ExpectedError{claimReplaced}}); len(p) > 0 {
		t.Errorf("problems: %q", p)
	}
}

func TestExpectedErrors(t *testing.T) {
	live := Stack{Name: "dev-k8s", ExpectedErrors: []ExpectedError{claimReplaced}}
	cases := []struct {
		name  string
		stack Stack
		edit  func(string) string
		want  string
	}{
		{
			name: "an error nobody expects", stack: Stack{Name: "dev-k8s"},
			edit: func(s string) string { return s + "\n" },
			want: "claim_replaced: error: kubernetes_persistent_volume_claim_v1.ipfs-volume-claim: client rate limiter",
		},
		{
			name: "the claim bound after all", stack: live,
			edit: func(s string) string {
				return strings.Replace(s, `"run":"claim_replaced","progress":"complete","status":"error"`, `"run":"claim_replaced","progress":"complete","status":"pass"`, 1)
			},
			want: "expected an error of kubernetes_persistent_volume_claim_v1.ipfs-volume-claim",
		},
		{
			name: "the error came from elsewhere", stack: live,
			edit: func(s string) string {
				return strings.Replace(s, `"address":"kubernetes_persistent_volume_claim_v1.ipfs-volume-claim"`, `"address":"kubernetes_persistent_volume_v1.ipfs-volume"`, 1)
			},
			want: "expected an error of kubernetes_persistent_volume_claim_v1.ipfs-volume-claim",
		},
		{
			name: "the failing run was renamed", stack: Stack{Name: "dev-k8s", ExpectedErrors: []ExpectedError{claimReplaced, {Run: "gone", Address: "x", Message: regexp.MustCompile("x")}}},
			edit: func(s string) string { return s + "\n" },
			want: "run gone, which must fail, did not run",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := report(t, "dev-k8s-live.jsonl", c.edit).Check(c.stack)
			if !strings.Contains(strings.Join(p, "\n"), c.want) {
				t.Errorf("problems %q lack %q", p, c.want)
			}
		})
	}
}

// Terraform never sees the caller's Kubernetes client settings: a test
// reaches only the cluster its own provider configuration names.
func TestNoClusterFromTheCaller(t *testing.T) {
	t.Setenv("KUBECONFIG", "/home/someone/.kube/config")
	t.Setenv("KUBE_CONFIG_PATH", "/home/someone/.kube/config")
	t.Setenv("KUBE_HOST", "https://prod.example")
	t.Setenv("TFCHECK_KEEP", "1")
	env := clientFreeEnviron()
	for _, kv := range env {
		if strings.HasPrefix(kv, "KUBE_") || strings.HasPrefix(kv, "KUBECONFIG=") {
			t.Errorf("%s reaches terraform", kv)
		}
	}
	if !slices.Contains(env, "TFCHECK_KEEP=1") {
		t.Error("other variables were dropped too")
	}
}

// A stack's override file is written into its working copy, and is gone
// again when a later run of the stack has none.
func TestOverrideFile(t *testing.T) {
	tests := t.TempDir()
	for _, d := range []string{"mocks", "set"} {
		if err := os.MkdirAll(filepath.Join(tests, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(t.TempDir(), "cdk.tf.json")
	fakeTerraform := filepath.Join(t.TempDir(), "terraform")
	for name, body := range map[string]string{
		filepath.Join(tests, "set", "a.tftest.hcl"): "",
		config:        "{}",
		fakeTerraform: "#!/bin/sh\nexit 0\n",
	} {
		if err := os.WriteFile(name, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := &Runner{Terraform: fakeTerraform, Work: t.TempDir(), Tests: tests, Log: io.Discard}
	s := Stack{Name: "k8s", Config: config, Sets: []string{"set"}, Override: []byte(`{"resource":{}}`)}
	dir, err := r.prepare(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, OverrideFile)); err != nil || string(b) != `{"resource":{}}` {
		t.Errorf("override file: %q, %v", b, err)
	}
	s.Override = nil
	if _, err := r.prepare(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, OverrideFile)); !os.IsNotExist(err) {
		t.Errorf("the override of an earlier run is still there (%v)", err)
	}
}
