package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// TestConfigurationRefusesWhatBreaksAGuardrail: for each way a
// configuration value can break a guardrail, configuration validation
// names the field and the rule, and the stack built from that value anyway
// does break the rule: the two checks agree, and validation is no stricter
// than the guardrail it stands in for.
func TestConfigurationRefusesWhatBreaksAGuardrail(t *testing.T) {
	synthesized(t)
	base := cfgs[0] // the development fixture
	cases := []struct {
		name, rule, path string
		change           func(c *config.Config)
	}{
		{"admin networks: the internet", "NET-001", "/network/adminCidrs/0", func(c *config.Config) {
			c.Network.AdminCIDRs = []string{"0.0.0.0/0"}
		}},
		{"pod range: a public /2", "NET-001", "/network/podCidr", func(c *config.Config) {
			c.Network.PodCIDR = "64.0.0.0/2"
		}},
		{"pod range with the admin networks", "NET-001", "/network/podCidr", func(c *config.Config) {
			c.Network.PodCIDR = "11.0.0.0/8"
			c.Network.AdminCIDRs = []string{"12.0.0.0/8"}
		}},
		{"a required tag no resource gets", "TAG-001", fmt.Sprintf("/guardrails/requiredTags/%d", len(base.Guardrails.RequiredTags)), func(c *config.Config) {
			c.Guardrails.RequiredTags = append(slices.Clone(c.Guardrails.RequiredTags), "cost-center")
		}},
		{"a tag named like a credential", "SEC-001", "/tags/password", func(c *config.Config) {
			c.Tags = maps.Clone(c.Tags)
			c.Tags["password"] = "none"
		}},
		{"a token in a tag", "SEC-001", "/tags/owner", func(c *config.Config) {
			c.Tags = maps.Clone(c.Tags)
			c.Tags["owner"] = "ghp_" + strings.Repeat("a1B2", 9)
		}},
	}
	// Never synthesized: the stacks' JSON is read in memory.
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(t.TempDir())})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := *base
			cfg.Environment = fmt.Sprintf("g%d", i)
			c.change(&cfg)

			var named bool
			for _, p := range cfg.Validate() {
				named = named || (p.Path == c.path && strings.Contains(p.Message, "guardrail "+c.rule))
			}
			if !named {
				t.Errorf("configuration validation does not name %s and %s: %v", c.path, c.rule, cfg.Validate())
			}

			doc := synthtest.StackJSON(t, NewAzureStack(app, &cfg).Stack)
			var broken bool
			for _, f := range guardrails.Check(doc, guardrails.Options{Production: cfg.Production, RequiredTags: cfg.Guardrails.RequiredTags}) {
				broken = broken || f.Rule == c.rule
			}
			if !broken {
				t.Errorf("the stack does not break %s: configuration validation is stricter than the guardrail", c.rule)
			}
		})
	}
}

// TestGuardrailsStopSynthesis: a stack that breaks a guardrail fails
// synthesis, naming the stack, the resource and the rule (the backstop for
// what configuration validation cannot see), and a waived rule lets it
// through, recorded in the stack's metadata with what it covered.
func TestGuardrailsStopSynthesis(t *testing.T) {
	synthesized(t)
	open := *cfgs[0]
	open.Environment = "open"
	open.Network.AdminCIDRs = []string{"0.0.0.0/0"}
	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(t.TempDir()), StackTraces: jsii.Bool(false)})
		NewAzureStack(app, &open)
		app.Synth()
		return ""
	}()
	for _, want := range []string{"[open] guardrail NET-001", "open/networking/rule-AllowSSHFromAdmins (", "allows port 22 from 0.0.0.0/0", "waive NET-001"} {
		if !strings.Contains(msg, want) {
			t.Errorf("synthesis error lacks %q:\n%s", want, msg)
		}
	}

	waived := open
	waived.Environment = "waived"
	reason := "a throwaway node reachable from anywhere for a demo"
	waived.Guardrails.Waivers = []config.Waiver{{Rule: "NET-001", Reason: reason}}
	dir := t.TempDir()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir), StackTraces: jsii.Bool(false)})
	NewAzureStack(app, &waived)
	app.Synth()
	raw, err := os.ReadFile(filepath.Join(dir, "stacks", "waived", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Meta struct {
			Guardrails guardrails.Metadata `json:"guardrails"`
		} `json:"//"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	g := doc.Meta.Guardrails
	if len(g.Waivers) != 1 || g.Waivers[0].Rule != "NET-001" || g.Waivers[0].Reason != reason || len(g.Waivers[0].Waived) == 0 {
		t.Errorf("recorded waivers %+v", g.Waivers)
	}
}
