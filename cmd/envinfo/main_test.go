package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

func TestWrite(t *testing.T) {
	for env, want := range map[string][]string{
		"prod": {"PRODUCTION='true'", "ENV_RESOURCE_GROUPS='perpetual-prod-rg perpetual-prod-snapshots-rg'", "FIREWALL_ADMIN_RULES='203.0.113.0/24'", "STATE_KEY_PREFIX='perpetual'", "DEPLOYER_IPS_NEEDED='true'", "FIREWALLS_DENY='true'"},
		"dev":  {"PRODUCTION='false'", "ENV_RESOURCE_GROUPS='perpetual-dev-rg'", "FIREWALL_ADMIN_RULES=''", "DEPLOYER_IPS_NEEDED='false'", "FIREWALLS_DENY='false'"},
	} {
		cfg, err := config.Load("../../testdata/config/" + env + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		write(&out, cfg, false)
		for _, w := range want {
			if !strings.Contains(out.String(), w+"\n") {
				t.Errorf("%s: no %s in\n%s", env, w, out.String())
			}
		}
	}
}

// TestDeployerIPsNeeded: each of the three ways an environment admits a
// deploying machine only by address.
func TestDeployerIPsNeeded(t *testing.T) {
	cfg, err := config.Load("../../testdata/config/dev.json")
	if err != nil {
		t.Fatal(err)
	}
	if deployerIPsNeeded(cfg) {
		t.Fatal("dev fixture: firewalls allow, no admin networks")
	}
	for name, change := range map[string]func(c *config.Config){
		"Key Vault denies": func(c *config.Config) { c.KeyVault.NetworkDefaultAction = "Deny" },
		"storage denies":   func(c *config.Config) { c.StorageAccount.NetworkDefaultAction = "Deny" },
		"admin networks":   func(c *config.Config) { c.Network.AdminCIDRs = []string{"203.0.113.0/24"} },
	} {
		c := *cfg
		change(&c)
		if !deployerIPsNeeded(&c) {
			t.Errorf("%s: DEPLOYER_IPS_NEEDED false", name)
		}
		if firewallsDeny(&c) != (name != "admin networks") {
			t.Errorf("%s: FIREWALLS_DENY %v", name, firewallsDeny(&c))
		}
	}
}

// copyFixtures writes the fixture environments, plus stage.json (a copy of
// the dev fixture with a state container of its own), into a new
// configuration directory.
func copyFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, from := range map[string]string{"dev.json": "dev.json", "prod.json": "prod.json", "stage.json": "dev.json"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/config", from))
		if err != nil {
			t.Fatal(err)
		}
		if name != from {
			b = bytes.Replace(b, []byte(`"tfstate-dev"`), []byte(`"tfstate-stage"`), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWriteList(t *testing.T) {
	dir := copyFixtures(t)
	for _, c := range []struct {
		kind   string
		asJSON bool
		want   string
	}{
		{"all", false, "dev\nprod\nstage\n"},
		{"production", false, "prod\n"},
		{"development", false, "dev\nstage\n"},
		{"all", true, `["dev","prod","stage"]` + "\n"},
		{"development", true, `["dev","stage"]` + "\n"},
		{"production", true, `["prod"]` + "\n"},
	} {
		var out bytes.Buffer
		if err := writeList(&out, dir, c.kind, c.asJSON); err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		if out.String() != c.want {
			t.Errorf("-list %s (json %v): %q, want %q", c.kind, c.asJSON, out.String(), c.want)
		}
	}
	// No environment of a kind: an empty array, which a workflow can test
	// for (a matrix must not be empty).
	if err := os.Remove(filepath.Join(dir, "prod.json")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeList(&out, dir, "production", true); err != nil || out.String() != "[]\n" {
		t.Errorf("no production environment: %q, %v", out.String(), err)
	}
	// What synthesis refuses, the list refuses: an invalid name, a kind
	// that does not exist.
	if err := os.WriteFile(filepath.Join(dir, "staging.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeList(&out, dir, "all", false); err == nil || !strings.Contains(err.Error(), "staging") {
		t.Errorf("staging.json listed: %v", err)
	}
	if err := writeList(&out, "../../testdata/config", "staging", false); err == nil {
		t.Error("-list staging accepted")
	}
}

// TestStackRequiredVars reads the golden stacks: the secrets have no
// default and must be set; deployer_ips and secrets_revision have one.
func TestStackRequiredVars(t *testing.T) {
	for stack, want := range map[string][]string{
		"dev":      {"github_token", "ipfs_private_key"},
		"dev-k8s":  {"github_token", "github_username", "ipfs_private_key"},
		"prod":     {"github_token", "ipfs_private_key"},
		"prod-k8s": {"github_token", "github_username"},
	} {
		dir := t.TempDir()
		b, err := os.ReadFile("../../stacks/testdata/" + stack + ".tf.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := writeRequiredVars(&out, []string{dir}); err != nil || out.String() != strings.Join(want, "\n")+"\n" {
			t.Errorf("%s: %q %v, want %v", stack, out.String(), err, want)
		}
	}
	if err := writeRequiredVars(io.Discard, []string{t.TempDir()}); err == nil {
		t.Error("no error without cdk.tf.json")
	}
}

// TestWriteRequiredVars: one stack's variables one a line; several stacks'
// lists in the order given, separated by an empty line, an empty list
// included; nothing at all when one stack cannot be read.
func TestWriteRequiredVars(t *testing.T) {
	stack := func(vars string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(`{"variable": {`+vars+`}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a := stack(`"b": {}, "a": {}, "c": {"default": 1}`)
	none := stack(`"d": {"default": "x"}`)
	z := stack(`"z": {"type": "string"}`)
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a}, "a\nb\n"},
		{[]string{none}, ""},
		{[]string{a, z}, "a\nb\n\nz\n"},
		{[]string{a, none, z}, "a\nb\n\n\nz\n"},
		{[]string{z, none}, "z\n\n"},
	} {
		var out bytes.Buffer
		if err := writeRequiredVars(&out, c.dirs); err != nil || out.String() != c.want {
			t.Errorf("%d stacks: %q %v, want %q", len(c.dirs), out.String(), err, c.want)
		}
	}
	var out bytes.Buffer
	if err := writeRequiredVars(&out, []string{a, t.TempDir()}); err == nil || out.Len() != 0 {
		t.Errorf("a stack without cdk.tf.json: %q %v", out.String(), err)
	}
}
