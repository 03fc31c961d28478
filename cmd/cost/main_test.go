package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverBudgetNamesTheFile: an estimate over its budget's first alert
// fails, naming the stack, the amounts and the environment file to change.
func TestOverBudgetNamesTheFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "stacks", "testdata", "dev.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stack map[string]any
	if err := json.Unmarshal(raw, &stack); err != nil {
		t.Fatal(err)
	}
	budgets := stack["resource"].(map[string]any)["azurerm_consumption_budget_resource_group"].(map[string]any)
	for _, b := range budgets {
		b.(map[string]any)["amount"] = 10
	}
	dir := t.TempDir()
	write := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stacks/dev/cdk.tf.json", stack)
	write("manifest.json", map[string]any{"stacks": map[string]any{"dev": map[string]any{"synthesizedStackPath": "stacks/dev/cdk.tf.json"}}})

	err = run(io.Discard, dir, "envs")
	if err == nil {
		t.Fatal("an estimate over a $10 budget passed")
	}
	for _, want := range []string{"the estimate of dev, $", "passes its budget's first alert at $8.00 (80% of $10.00)", "raise budget.amount in " + filepath.Join("envs", "dev.json")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "<") {
		t.Errorf("a placeholder is left in %q", err)
	}
}
