package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

func TestFirewallAdminRules(t *testing.T) {
	got := firewallAdminRules([]string{"203.0.113.0/24", "198.51.100.7/32", "198.51.100.10/31", "10.0.0.0/8", "192.168.1.1/32"})
	want := []string{"203.0.113.0/24", "198.51.100.7", "198.51.100.10", "198.51.100.11"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (private ranges are never in a public firewall)", got, want)
	}
}

func TestWrite(t *testing.T) {
	for env, want := range map[string][]string{
		"prod": {"PRODUCTION='true'", "ENV_RESOURCE_GROUPS='perpetual-prod-rg perpetual-prod-snapshots-rg'", "FIREWALL_ADMIN_RULES='203.0.113.0/24'", "STATE_KEY_PREFIX='perpetual'"},
		"dev":  {"PRODUCTION='false'", "ENV_RESOURCE_GROUPS='perpetual-dev-rg'", "FIREWALL_ADMIN_RULES=''"},
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
