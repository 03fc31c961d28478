package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
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
	r, err := load(write(t, reviewedPlan))
	if err != nil {
		t.Fatal(err)
	}
	c, err := load(write(t, `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["update"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if !report(&out, r, c) || !strings.Contains(out.String(), "matches the reviewed plan (1 changes)") {
		t.Errorf("no-ops and reads must not count:\n%s", out.String())
	}
}

func TestDifferentChangesAreRefused(t *testing.T) {
	r, _ := load(write(t, reviewedPlan))
	c, err := load(write(t, `{"resource_changes": [
	  {"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["delete", "create"]}},
	  {"address": "azurerm_managed_disk.data", "change": {"actions": ["delete"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if report(&out, r, c) {
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
	c2, _ := load(write(t, `{"resource_changes": []}`))
	out.Reset()
	if report(&out, r, c2) || !strings.Contains(out.String(), "reviewed as update, no longer planned") {
		t.Errorf("a vanished change must be reported:\n%s", out.String())
	}
}

func TestBadInput(t *testing.T) {
	if _, err := load(write(t, "not json")); err == nil || !strings.Contains(err.Error(), "not a terraform show -json plan") {
		t.Errorf("err = %v", err)
	}
}
