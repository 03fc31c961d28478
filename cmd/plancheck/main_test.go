package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
)

// write writes a plan into a file of its own; a plan without a format
// version (terraform show -json always writes one) gets 1.2.
func write(t *testing.T, content string) string {
	t.Helper()
	if !strings.Contains(content, `"format_version"`) && strings.HasPrefix(strings.TrimSpace(content), "{") {
		content = strings.Replace(content, "{", `{"format_version": "1.2", `, 1)
	}
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, content string) *plan {
	t.Helper()
	p, err := load(write(t, content))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const reviewedPlan = `{"resource_changes": [
  {"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["update"]}},
  {"address": "azurerm_key_vault.kv", "change": {"actions": ["no-op"]}},
  {"address": "data.azurerm_client_config.current", "change": {"actions": ["read"]}},
  {"address": "azurerm_managed_disk.data", "change": {"actions": ["no-op"]}}
]}`

func TestSameChangesMatch(t *testing.T) {
	r := mustLoad(t, reviewedPlan)
	c := mustLoad(t, `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["update"]}}]}`)
	var out bytes.Buffer
	if !compare(&out, r, c, false) || !strings.Contains(out.String(), "matches the reviewed plan (1 changes") {
		t.Errorf("no-ops and reads must not count:\n%s", out.String())
	}
}

func TestDifferentChangesAreRefused(t *testing.T) {
	r := mustLoad(t, reviewedPlan)
	c := mustLoad(t, `{"resource_changes": [
	  {"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["delete", "create"]}},
	  {"address": "azurerm_managed_disk.data", "change": {"actions": ["delete"]}}]}`)
	var out bytes.Buffer
	if compare(&out, r, c, false) {
		t.Fatal("a different plan matched")
	}
	for _, want := range []string{
		"azurerm_kubernetes_cluster.aks: delete,create, reviewed as update",
		"azurerm_managed_disk.data: delete, not in the reviewed plan",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
	out.Reset()
	if compare(&out, r, mustLoad(t, `{"resource_changes": []}`), false) || !strings.Contains(out.String(), "reviewed as update, no longer planned") {
		t.Errorf("a vanished change must be reported:\n%s", out.String())
	}
}

// clusterPlan is a plan of the cluster update every production plan has,
// made on a runner with address ip, with nodes nodes and an extra
// authorized range.
func clusterPlan(ip string, nodes int, extra string) string {
	ranges := `"203.0.113.0/24", "` + ip + `/32"`
	if extra != "" {
		ranges += `, "` + extra + `"`
	}
	return `{
  "format_version": "1.2",
  "variables": {"deployer_ips": {"value": ["` + ip + `"]}, "github_token": {"value": "ghp_SECRET_SENTINEL"}},
  "resource_changes": [
    {"address": "azurerm_kubernetes_cluster.aks", "type": "azurerm_kubernetes_cluster", "change": {
      "actions": ["update"],
      "before": {"default_node_pool": [{"node_count": 1}], "api_server_access_profile": [{"authorized_ip_ranges": ["203.0.113.0/24", "192.0.2.50/32"]}]},
      "after": {"default_node_pool": [{"node_count": ` + fmt.Sprint(nodes) + `}], "api_server_access_profile": [{"authorized_ip_ranges": [` + ranges + `]}], "kube_config_raw": "apiVersion: v1 SECRET_KUBECONFIG"},
      "after_unknown": {"default_node_pool": [{}], "api_server_access_profile": [{"authorized_ip_ranges": [false, false]}]},
      "after_sensitive": {"kube_config_raw": true}
    }},
    {"address": "azurerm_key_vault.kv", "type": "azurerm_key_vault", "change": {
      "actions": ["update"],
      "before": {"network_acls": [{"default_action": "Deny", "ip_rules": ["203.0.113.0/24"]}]},
      "after": {"network_acls": [{"default_action": "Deny", "ip_rules": ["` + ip + `", "203.0.113.0/24"]}]},
      "after_unknown": {}, "after_sensitive": {}
    }},
    {"address": "azurerm_key_vault_secret.token", "type": "azurerm_key_vault_secret", "change": {
      "actions": ["update"],
      "before": {"name": "github-token", "value": "ghp_OLD_SECRET_SENTINEL"},
      "after": {"name": "github-token", "value": "ghp_SECRET_SENTINEL"},
      "after_unknown": {}, "before_sensitive": {"value": true}, "after_sensitive": {"value": true}
    }}
  ],
  "output_changes": {"kube_config_raw": {"after": "SECRET_KUBECONFIG"}},
  "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [{"values": {"value": "ghp_OLD_SECRET_SENTINEL"}}]}}}
}`
}

func TestAfterIsComparedWithRunnerAddressesNormalized(t *testing.T) {
	reviewed := mustLoad(t, clusterPlan("198.51.100.7", 1, ""))
	cases := []struct {
		name    string
		current string
		want    []string // substrings of the report; nil for a match
	}{
		{"another runner, same changes", clusterPlan("198.51.100.99", 1, ""), nil},
		{"a node more", clusterPlan("198.51.100.99", 10, ""), []string{
			"azurerm_kubernetes_cluster.aks: default_node_pool[0].node_count would become 10, reviewed as 1"}},
		{"an authorized range more", clusterPlan("198.51.100.99", 1, "0.0.0.0/0"), []string{
			`azurerm_kubernetes_cluster.aks: api_server_access_profile[0].authorized_ip_ranges would become ["0.0.0.0/0","203.0.113.0/24"], reviewed as ["203.0.113.0/24"]`}},
		{"the reviewing runner's address is not a reviewed range", strings.ReplaceAll(clusterPlan("198.51.100.99", 1, "198.51.100.7"), `["198.51.100.99", "203`, `["198.51.100.99", "198.51.100.7", "203`), []string{
			`api_server_access_profile[0].authorized_ip_ranges would become ["198.51.100.7","203.0.113.0/24"]`,
			`azurerm_key_vault.kv: network_acls[0].ip_rules would become ["198.51.100.7","203.0.113.0/24"], reviewed as ["203.0.113.0/24"]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			ok := compare(&out, reviewed, mustLoad(t, c.current), false)
			if ok != (c.want == nil) {
				t.Errorf("match %v:\n%s", ok, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("missing %q in:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRedactKeepsNoSecret(t *testing.T) {
	raw := write(t, clusterPlan("198.51.100.7", 1, ""))
	var out, errs bytes.Buffer
	if code := run([]string{"-redact", raw}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, secret := range []string{"SECRET_SENTINEL", "SECRET_KUBECONFIG", "prior_state", "output_changes", `"github_token"`} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the redacted plan holds %q:\n%s", secret, out.String())
		}
	}
	for _, want := range []string{`"value": "(sensitive)"`, `"kube_config_raw": "(sensitive)"`, `"deployer_ips": {`, `"redacted": true`, `"format_version": "1.2"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the redacted plan lacks %q:\n%s", want, out.String())
		}
	}
	// A redacted reviewed plan compares like the raw one.
	var rep bytes.Buffer
	if !compare(&rep, mustLoad(t, out.String()), mustLoad(t, clusterPlan("198.51.100.99", 1, "")), false) {
		t.Errorf("redacted vs raw:\n%s", rep.String())
	}
	rep.Reset()
	if compare(&rep, mustLoad(t, out.String()), mustLoad(t, clusterPlan("198.51.100.99", 10, "")), false) {
		t.Errorf("redacted vs a different raw plan matched:\n%s", rep.String())
	}
	// A value marked sensitive on one side only is hidden on both.
	out.Reset()
	oneSide := `{"resource_changes": [{"address": "azurerm_key_vault_secret.s", "type": "azurerm_key_vault_secret", "change": {"actions": ["update"],
	  "before": {"value": "OLD_SECRET_SENTINEL", "tags": {"a": "b"}}, "after": {"value": "NEW_SECRET_SENTINEL", "tags": {"a": "c"}}, "after_unknown": {}, "after_sensitive": {"value": true}}}]}`
	if code := run([]string{"-redact", write(t, oneSide)}, &out, &errs); code != 0 || strings.Contains(out.String(), "SECRET_SENTINEL") || !strings.Contains(out.String(), `"a": "c"`) {
		t.Errorf("exit %d: a value marked in after_sensitive only:\n%s%s", code, out.String(), errs.String())
	}
	out.Reset()
	if code := run([]string{"-redact", write(t, strings.ReplaceAll(oneSide, `"after_sensitive"`, `"before_sensitive"`))}, &out, &errs); code != 0 || strings.Contains(out.String(), "SECRET_SENTINEL") {
		t.Errorf("exit %d: a value marked in before_sensitive only:\n%s%s", code, out.String(), errs.String())
	}
}

func TestDrift(t *testing.T) {
	update := func(typ, before, after, unknown string) string {
		return `{"variables": {"deployer_ips": {"value": ["198.51.100.99"]}}, "resource_changes": [{"address": "` + typ + `.x", "type": "` + typ + `", "change": {"actions": ["update"], "before": ` + before + `, "after": ` + after + `, "after_unknown": ` + unknown + `}}]}`
	}
	cluster := func(ranges string) string {
		return `{"api_server_access_profile": [{"authorized_ip_ranges": [` + ranges + `]}], "sku_tier": "Free"}`
	}
	cases := []struct {
		name  string
		plan  string
		drift bool
		want  string
	}{
		{"nothing planned", `{"resource_changes": [{"address": "a.b", "change": {"actions": ["no-op"]}}]}`, false, "no drift"},
		{"only the last deploy's runner in the authorized ranges", update("azurerm_kubernetes_cluster",
			cluster(`"203.0.113.0/24", "192.0.2.50/32"`), cluster(`"203.0.113.0/24", "198.51.100.99/32"`), `{}`),
			false, "ignored azurerm_kubernetes_cluster.x: only runner addresses differ (192.0.2.50)"},
		{"a range opened to the internet", update("azurerm_kubernetes_cluster",
			cluster(`"203.0.113.0/24", "0.0.0.0/0"`), cluster(`"203.0.113.0/24", "198.51.100.99/32"`), `{}`),
			true, "drift azurerm_kubernetes_cluster.x: update (api_server_access_profile[0].authorized_ip_ranges)"},
		{"the firewall in Azure's /32 form", update("azurerm_key_vault",
			`{"network_acls": [{"ip_rules": ["203.0.113.5/32", "198.51.100.99/32"]}]}`, `{"network_acls": [{"ip_rules": ["203.0.113.5", "198.51.100.99"]}]}`, `{}`),
			false, "ignored azurerm_key_vault.x: only runner addresses differ ()"},
		{"an attribute changed in the portal", update("azurerm_kubernetes_cluster",
			`{"sku_tier": "Standard"}`, `{"sku_tier": "Free"}`, `{}`), true, "drift azurerm_kubernetes_cluster.x: update (sku_tier)"},
		{"only values known after apply", update("azurerm_kubernetes_cluster",
			`{"sku_tier": "Free", "fqdn": "a"}`, `{"sku_tier": "Free"}`, `{"fqdn": true}`), false, "no drift"},
		{"a resource deleted outside Terraform", `{"resource_changes": [{"address": "azurerm_managed_disk.d", "change": {"actions": ["create"]}}]}`,
			true, "drift azurerm_managed_disk.d: create"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run([]string{"-drift", write(t, c.plan)}, &out, &errs)
			if (code == 1) != c.drift || code == 2 {
				t.Errorf("exit %d, drift %v\n%s%s", code, c.drift, out.String(), errs.String())
			}
			if !strings.Contains(out.String(), c.want) {
				t.Errorf("missing %q in:\n%s", c.want, out.String())
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	if _, err := load(write(t, "not json")); err == nil || !strings.Contains(err.Error(), "not a terraform show -json plan") {
		t.Errorf("err = %v", err)
	}
	// tfjson checks the format version: a plan without one is not a plan.
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte(`{"resource_changes": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(p); err == nil || !strings.Contains(err.Error(), "format version is missing") {
		t.Errorf("a plan without a format version: err = %v", err)
	}
	var out, errs bytes.Buffer
	for _, args := range [][]string{nil, {"one"}, {"-redact"}, {"-x", "a"}, {"a", "b", "c"}, {"-guard"}, {"-guard", "a", "b", "c"}} {
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestRemaining: after a partial apply, what is left must be part of the
// applied plan; a failed creation may come back as the replacement of a
// tainted resource; anything new is refused.
func TestRemaining(t *testing.T) {
	appliedJSON := `{"resource_changes": [
	  {"address": "azurerm_role_assignment.grant", "change": {"actions": ["create"], "after": {"role_definition_name": "Network Contributor"}}},
	  {"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["create"], "after": {"sku_tier": "Free"}}}]}`
	restJSON := `{"resource_changes": [
	  {"address": "azurerm_role_assignment.grant", "change": {"actions": ["no-op"]}},
	  {"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["create"], "after": {"sku_tier": "Free"}}}]}`
	applied, rest := mustLoad(t, appliedJSON), mustLoad(t, restJSON)
	var out bytes.Buffer
	if run([]string{"-remaining", write(t, appliedJSON), write(t, restJSON)}, &out, &out) != 0 {
		t.Errorf("the rest of the applied plan was refused:\n%s", out.String())
	}
	tainted := mustLoad(t, `{"resource_changes": [
	  {"address": "azurerm_kubernetes_cluster.aks", "action_reason": "replace_because_tainted", "change": {"actions": ["delete", "create"], "after": {"sku_tier": "Free"}}}]}`)
	out.Reset()
	if !compare(&out, applied, tainted, true) {
		t.Errorf("the replacement of a tainted creation was refused:\n%s", out.String())
	}
	for name, plan := range map[string]string{
		"new change":   `{"resource_changes": [{"address": "azurerm_managed_disk.data", "change": {"actions": ["delete"]}}]}`,
		"other values": `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["create"], "after": {"sku_tier": "Standard"}}}]}`,
		"other action": `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["delete", "create"], "after": {"sku_tier": "Free"}}}]}`,
	} {
		out.Reset()
		if compare(&out, applied, mustLoad(t, plan), true) {
			t.Errorf("%s: accepted as the rest of the applied plan:\n%s", name, out.String())
		}
	}
	out.Reset()
	if compare(&out, applied, rest, false) {
		t.Error("without -remaining, a plan missing applied changes must not match")
	}
}

// compareCase is a reviewed plan, the approved job's, and what compare
// says: "" for a match, else a line of its report.
type compareCase struct {
	name               string
	reviewed, approved string
	want               string
}

func compareCases(t *testing.T, cases []compareCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			ok := compare(&out, mustLoad(t, c.reviewed), mustLoad(t, c.approved), false)
			if ok != (c.want == "") || (c.want != "" && !strings.Contains(out.String(), c.want)) {
				t.Errorf("match %v, want %q:\n%s", ok, c.want, out.String())
			}
		})
	}
}

// firewallPlan is a plan of the Key Vault made by a runner with the
// addresses runner (none for the review, which no firewall lets in): the
// state holds the configured range and earlier, the configuration adds
// the runner, and extra, when set, is one more configured rule.
func firewallPlan(runner, earlier, extra string) string {
	before := `"203.0.113.0/24"`
	if earlier != "" {
		before += `, "` + earlier + `/32"`
	}
	after, ips := `"203.0.113.0/24"`, `[]`
	if runner != "" {
		after += `, "` + runner + `"`
		ips = `["` + runner + `"]`
	}
	if extra != "" {
		after += `, "` + extra + `"`
	}
	actions := `"update"`
	if before == after {
		actions = `"no-op"`
	}
	return `{"variables": {"deployer_ips": {"value": ` + ips + `}}, "resource_changes": [
	  {"address": "azurerm_key_vault.kv", "type": "azurerm_key_vault", "change": {"actions": [` + actions + `],
	    "before": {"network_acls": [{"default_action": "Deny", "ip_rules": [` + before + `]}]},
	    "after": {"network_acls": [{"default_action": "Deny", "ip_rules": [` + after + `]}]}, "after_unknown": {}}}]}`
}

// TestTheReviewHasNoRunner: the review is planned by a job no firewall
// lets in, so without a runner address; the approved job plans with its
// own. An update that does no more than let a runner in and earlier ones
// out counts as no change on either side, and anything else still counts.
func TestTheReviewHasNoRunner(t *testing.T) {
	cases := []compareCase{
		{"the review takes the last deploy's runner out, the approved job lets itself in",
			firewallPlan("", "192.0.2.50", ""), firewallPlan("198.51.100.99", "192.0.2.50", ""), ""},
		{"nothing to take out: the review changes nothing, the approved job lets itself in",
			firewallPlan("", "", ""), firewallPlan("198.51.100.99", "", ""), ""},
		{"the approved job, admitted by network.adminCidrs, takes the earlier runner out",
			firewallPlan("", "192.0.2.50", ""), firewallPlan("", "192.0.2.50", ""), ""},
		{"another address than the runner's is let in",
			firewallPlan("", "192.0.2.50", ""), firewallPlan("198.51.100.99", "192.0.2.50", "198.51.100.200"),
			`azurerm_key_vault.kv: network_acls[0].ip_rules would become ["198.51.100.200","203.0.113.0/24"], reviewed as ["203.0.113.0/24"]`},
		{"a range is let in",
			firewallPlan("", "", ""), firewallPlan("198.51.100.99", "", "0.0.0.0/0"),
			"azurerm_key_vault.kv: update, not in the reviewed plan"},
		{"a reviewed range is no longer let in",
			firewallPlan("", "", "198.51.100.0/24"), firewallPlan("198.51.100.99", "", ""),
			"azurerm_key_vault.kv: network_acls[0].ip_rules would become"},
	}
	compareCases(t, cases)
	// The cluster scaled, reviewed without a runner and approved with one:
	// the runner's address adds an entry to the authorized ranges and to
	// what after_unknown says of them, and neither counts.
	aks := func(runner string, unknown string) string {
		ranges, ips := `"203.0.113.0/24"`, `[]`
		if runner != "" {
			ranges += `, "` + runner + `/32"`
			ips = `["` + runner + `"]`
		}
		return `{"variables": {"deployer_ips": {"value": ` + ips + `}}, "resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "type": "azurerm_kubernetes_cluster", "change": {"actions": ["update"],
		  "before": {"default_node_pool": [{"node_count": 1}], "api_server_access_profile": [{"authorized_ip_ranges": ["203.0.113.0/24"]}]},
		  "after": {"default_node_pool": [{"node_count": 2}], "api_server_access_profile": [{"authorized_ip_ranges": [` + ranges + `]}]},
		  "after_unknown": {"default_node_pool": [{}], "api_server_access_profile": [{"authorized_ip_ranges": [` + unknown + `]}]}}}]}`
	}
	var out bytes.Buffer
	if !compare(&out, mustLoad(t, aks("", "false")), mustLoad(t, aks("198.51.100.99", "false, false")), false) {
		t.Errorf("the runner's entry in after_unknown counted:\n%s", out.String())
	}
	// An update that changes nothing known is no runner's: it counts.
	out.Reset()
	update := `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "type": "azurerm_kubernetes_cluster", "change": {"actions": ["update"], "before": {"sku_tier": "Free", "fqdn": "a"}, "after": {"sku_tier": "Free"}, "after_unknown": {"fqdn": true}}}]}`
	if compare(&out, mustLoad(t, `{"resource_changes": []}`), mustLoad(t, update), false) {
		t.Errorf("an update of values known after apply was taken for runner addresses:\n%s", out.String())
	}
}

// guardPlan is a plan with one change of a resource of type typ.
func guardPlan(typ string, actions ...string) string {
	return `{"resource_changes": [{"address": "` + typ + `.x", "mode": "managed", "type": "` + typ + `", "change": {"actions": ["` + strings.Join(actions, `", "`) + `"]}}]}`
}

// TestGuard: a production plan may not delete or replace data or the
// cluster, in whichever order the replacement goes, unless the run lists
// the address with a reason.
func TestGuard(t *testing.T) {
	guardedTypes := append(slices.Clone(facts.DataResources), "azurerm_kubernetes_cluster")
	for _, typ := range guardedTypes {
		for _, actions := range [][]string{{"delete"}, {"delete", "create"}, {"create", "delete"}} {
			var out, errs bytes.Buffer
			code := run([]string{"-guard", write(t, guardPlan(typ, actions...))}, &out, &errs)
			if code != 1 || !strings.Contains(out.String(), "REFUSED: the plan") || !strings.Contains(out.String(), typ+".x ("+strings.Join(actions, ",")+")") {
				t.Errorf("%s %v: exit %d\n%s%s", typ, actions, code, out.String(), errs.String())
			}
		}
		for _, actions := range [][]string{{"update"}, {"create"}, {"no-op"}, {"read"}, {"forget"}} {
			var out, errs bytes.Buffer
			if code := run([]string{"-guard", write(t, guardPlan(typ, actions...))}, &out, &errs); code != 0 {
				t.Errorf("%s %v: exit %d\n%s%s", typ, actions, code, out.String(), errs.String())
			}
		}
	}
	// Anything else may go.
	for _, typ := range []string{"azurerm_role_assignment", "azurerm_key_vault_secret", "kubernetes_namespace_v1"} {
		for _, actions := range [][]string{{"delete"}, {"delete", "create"}, {"create", "delete"}} {
			var out, errs bytes.Buffer
			if code := run([]string{"-guard", write(t, guardPlan(typ, actions...))}, &out, &errs); code != 0 {
				t.Errorf("%s %v: exit %d\n%s%s", typ, actions, code, out.String(), errs.String())
			}
		}
	}
	// Every guarded address is named, whatever else the plan does; a data
	// source of a guarded type is only read.
	plan := `{"resource_changes": [
	  {"address": "azurerm_managed_disk.data", "mode": "managed", "type": "azurerm_managed_disk", "action_reason": "delete_because_no_resource_config", "change": {"actions": ["delete"]}},
	  {"address": "azurerm_kubernetes_cluster.aks", "mode": "managed", "type": "azurerm_kubernetes_cluster", "action_reason": "replace_because_cannot_update", "change": {"actions": ["create", "delete"]}},
	  {"address": "azurerm_public_ip.ingress", "mode": "managed", "type": "azurerm_public_ip", "deposed": "00000001", "change": {"actions": ["delete"]}},
	  {"address": "azurerm_role_assignment.grant", "mode": "managed", "type": "azurerm_role_assignment", "change": {"actions": ["delete"]}},
	  {"address": "data.azurerm_managed_disk.d", "mode": "data", "type": "azurerm_managed_disk", "change": {"actions": ["read"]}}]}`
	file := write(t, plan)
	var out, errs bytes.Buffer
	if code := run([]string{"-guard", file}, &out, &errs); code != 1 {
		t.Errorf("exit %d\n%s%s", code, out.String(), errs.String())
	}
	contains := func(s string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("missing %q in:\n%s", w, s)
			}
		}
	}
	contains(out.String(),
		"REFUSED: the plan deletes azurerm_managed_disk.data (delete, delete_because_no_resource_config)",
		"REFUSED: the plan replaces azurerm_kubernetes_cluster.aks (create,delete, replace_because_cannot_update)",
		"REFUSED: the plan deletes an earlier object (deposed 00000001) of azurerm_public_ip.ingress (delete)",
		"3 deletion(s) or replacement(s) of data or of the cluster refused")
	if strings.Contains(out.String(), "role_assignment") || strings.Contains(out.String(), "data.azurerm") {
		t.Errorf("an unguarded change was named:\n%s", out.String())
	}

	// Allowed with reasons: through, and said so; an allowance the plan
	// does not need is noted.
	allowed := filepath.Join(t.TempDir(), "allowed")
	if err := os.WriteFile(allowed, []byte("# allowed deletions\n\nazurerm_managed_disk.data the disk moved to a new address, data restored from the backup\nazurerm_kubernetes_cluster.aks   a new node OS needs a new cluster\nazurerm_public_ip.ingress the old address is released\nazurerm_key_vault.kv not in this plan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"-guard", file, allowed}, &out, &errs); code != 0 {
		t.Errorf("allowed: exit %d\n%s%s", code, out.String(), errs.String())
	}
	contains(out.String(),
		"allowed: the plan deletes azurerm_managed_disk.data (delete, delete_because_no_resource_config): the disk moved to a new address, data restored from the backup",
		"allowed: the plan replaces azurerm_kubernetes_cluster.aks (create,delete, replace_because_cannot_update): a new node OS needs a new cluster",
		"note: azurerm_key_vault.kv is allowed to be deleted or replaced, and this plan does neither",
		"no data resource or cluster is deleted or replaced without an allowance")
	// Two of three allowed: the third is still refused.
	if err := os.WriteFile(allowed, []byte("azurerm_managed_disk.data moved\nazurerm_public_ip.ingress released\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"-guard", file, allowed}, &out, &errs); code != 1 || !strings.Contains(out.String(), "REFUSED: the plan replaces azurerm_kubernetes_cluster.aks") {
		t.Errorf("partly allowed: exit %d\n%s", code, out.String())
	}
	// An address without a reason is bad input.
	if err := os.WriteFile(allowed, []byte("azurerm_managed_disk.data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errs.Reset()
	if code := run([]string{"-guard", file, allowed}, &out, &errs); code != 2 || !strings.Contains(errs.String(), `"azurerm_managed_disk.data" has no reason`) {
		t.Errorf("no reason: exit %d\n%s", code, errs.String())
	}
}

// grantPlan is a plan by the identity planner (its object ID, as
// data.azurerm_client_config read it) of the deployer's two grants, held
// by holder: the cluster admin role and the Key Vault access policy, whose
// principal Azure cannot change in place; roleName is the role.
func grantPlan(planner, holder, roleName string) string {
	action := func(changed bool) string {
		if changed {
			return `"delete", "create"`
		}
		return `"no-op"`
	}
	grant := `{"address": "azurerm_role_assignment.admin", "mode": "managed", "type": "azurerm_role_assignment", "change": {"actions": [` + action(planner != holder || roleName != "Azure Kubernetes Service RBAC Cluster Admin") + `],
	  "before": {"id": "/ra/1", "principal_id": "` + holder + `", "principal_type": "ServicePrincipal", "role_definition_name": "Azure Kubernetes Service RBAC Cluster Admin", "scope": "/aks"},
	  "after": {"principal_id": "` + planner + `", "role_definition_name": "` + roleName + `", "scope": "/aks"},
	  "after_unknown": {"id": true, "principal_type": true}}}`
	policy := `{"address": "azurerm_key_vault_access_policy.manager", "mode": "managed", "type": "azurerm_key_vault_access_policy", "change": {"actions": [` + action(planner != holder) + `],
	  "before": {"id": "/kv/p", "object_id": "` + holder + `", "tenant_id": "t", "secret_permissions": ["Get", "Set"]},
	  "after": {"object_id": "` + planner + `", "tenant_id": "t", "secret_permissions": ["Get", "Set"]},
	  "after_unknown": {"id": true}}}`
	return `{"format_version": "1.2", "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
	  {"address": "data.azurerm_client_config.current", "mode": "data", "type": "azurerm_client_config", "name": "current", "values": {"object_id": "` + planner + `", "tenant_id": "t"}}]}}},
	  "resource_changes": [` + grant + `, ` + policy + `]}`
}

// TestTheReviewIsPlannedByAnotherIdentity: the stacks grant "the
// deployer" (whoever plans) the cluster's admin role and the Key Vault;
// the review is planned by the identity that only reads, the apply by the
// one that writes. Handing those grants to the identity that plans counts
// as no change on either side; anything else about them still counts.
func TestTheReviewIsPlannedByAnotherIdentity(t *testing.T) {
	const reader, writer, human = "11111111-0000-0000-0000-00000000000r", "22222222-0000-0000-0000-00000000000w", "33333333-0000-0000-0000-00000000000h"
	const admin = "Azure Kubernetes Service RBAC Cluster Admin"
	cases := []compareCase{
		{"the pipeline applied last", grantPlan(reader, writer, admin), grantPlan(writer, writer, admin), ""},
		{"someone deployed by hand", grantPlan(reader, human, admin), grantPlan(writer, human, admin), ""},
		{"another role, reviewed", grantPlan(reader, writer, "Owner"), grantPlan(writer, writer, "Owner"), ""},
		{"another role, not reviewed", grantPlan(reader, writer, admin), grantPlan(writer, writer, "Owner"),
			`azurerm_role_assignment.admin: role_definition_name would become "Owner", reviewed as "Azure Kubernetes Service RBAC Cluster Admin"`},
	}
	compareCases(t, cases)
	// The redacted review keeps who planned it.
	var red, errs bytes.Buffer
	if code := run([]string{"-redact", write(t, grantPlan(reader, writer, admin))}, &red, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	var out bytes.Buffer
	if !compare(&out, mustLoad(t, red.String()), mustLoad(t, grantPlan(writer, writer, admin)), false) {
		t.Errorf("redacted review vs the approved plan:\n%s\n%s", out.String(), red.String())
	}
	// The drift check, by the reader, ignores the grants it would take
	// over, saying from whom; a replacement of anything else is drift.
	out.Reset()
	if code := run([]string{"-drift", write(t, grantPlan(reader, writer, admin))}, &out, &errs); code != 0 ||
		!strings.Contains(out.String(), "ignored azurerm_role_assignment.admin: delete,create hands a grant of the deployer to the identity that checks, in place of "+writer) {
		t.Errorf("drift of the deployer's grants: exit %d\n%s", code, out.String())
	}
	out.Reset()
	disk := `{"resource_changes": [{"address": "azurerm_managed_disk.d", "type": "azurerm_managed_disk", "action_reason": "replace_because_tainted", "change": {"actions": ["delete", "create"], "before": {"id": "/d", "size": 5}, "after": {"size": 5}, "after_unknown": {"id": true}}}]}`
	if code := run([]string{"-drift", write(t, disk)}, &out, &errs); code != 1 || !strings.Contains(out.String(), "drift azurerm_managed_disk.d: delete,create") {
		t.Errorf("a replaced disk: exit %d\n%s", code, out.String())
	}
}

// A plan without runner addresses redacts to an empty list, as Terraform
// writes a list variable, not to null.
func TestRedactWritesNoRunnerAsAnEmptyList(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-redact", write(t, `{"resource_changes": []}`)}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), `"value": []`) {
		t.Errorf("deployer_ips is not an empty list:\n%s", out.String())
	}
}
