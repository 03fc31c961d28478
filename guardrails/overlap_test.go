package guardrails_test

import (
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/stacks"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// TestWhatTheRulesAddToTheOtherChecks shows, for each rule that overlaps
// configuration validation, the storage construct or trivy's scan, what it
// catches that they miss (docs/guardrails.md, "What the rules add"): the
// production fixture's configuration passes validation and its stack
// passes every rule; then the Key Vault or the storage account is changed
// as a construct could write it, which no configuration value shows and
// which the scan of make scan only sees later, if it runs at all, and
// exactly the rule breaks. ST-003's account keeps its containers private,
// which is all trivy's public-access check (AZU-0007) reads.
func TestWhatTheRulesAddToTheOtherChecks(t *testing.T) {
	cfgs, err := config.LoadDir("../testdata/config")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cfgs, func(c *config.Config) bool { return c.Production })
	if i < 0 {
		t.Fatal("no production environment in testdata/config")
	}
	cfg := cfgs[i]
	if problems := cfg.Validate(); len(problems) > 0 {
		t.Fatalf("the production fixture is invalid: %v", problems)
	}
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(t.TempDir())})
	raw := synthtest.StackJSON(t, stacks.NewAzureStack(app, cfg).Stack).Raw
	opts := guardrails.Options{Production: true, RequiredTags: cfg.Guardrails.RequiredTags}
	check := func(change func(*stackjson.Stack)) []string {
		s, err := stackjson.Parse(cfg.Environment, raw) // a fresh copy
		if err != nil {
			t.Fatal(err)
		}
		change(s)
		var rules []string
		for _, f := range guardrails.Check(s, opts) {
			rules = append(rules, f.Rule)
		}
		return rules
	}
	if broken := check(func(*stackjson.Stack) {}); len(broken) > 0 {
		t.Fatalf("the production fixture's stack breaks %v", broken)
	}
	for _, c := range []struct {
		rule, address, attr string
		value               any
	}{
		{"KV-001", "azurerm_key_vault.key-vault", "purge_protection_enabled", false},
		{"KV-002", "azurerm_key_vault.key-vault", "network_acls", map[string]any{"bypass": "AzureServices", "default_action": "Allow"}},
		{"ST-001", "azurerm_storage_account.storage-account", "https_traffic_only_enabled", false},
		{"ST-002", "azurerm_storage_account.storage-account", "min_tls_version", "TLS1_1"},
		{"ST-003", "azurerm_storage_account.storage-account", "allow_nested_items_to_be_public", true},
	} {
		broken := check(func(s *stackjson.Stack) {
			b, ok := s.Lookup(c.address)
			if !ok {
				t.Fatalf("no %s in the production stack", c.address)
			}
			b.Attrs[c.attr] = c.value
			for _, container := range s.Resources("azurerm_storage_container") {
				if access, _ := container.Get("container_access_type"); access != "private" {
					t.Fatalf("%s: container_access_type %v; the case needs private containers", container.Address(), access)
				}
			}
		})
		if !slices.Equal(broken, []string{c.rule}) {
			t.Errorf("%s = %v: broken %v, want %s alone", c.attr, c.value, broken, c.rule)
		}
	}
}
