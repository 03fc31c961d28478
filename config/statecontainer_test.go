package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoTwoEnvironmentsShareAStateContainer: each environment keeps its
// state in a container of its own (its identities have roles on it only);
// LoadDir refuses two files with the same container of the same account,
// in one line naming both files.
func TestNoTwoEnvironmentsShareAStateContainer(t *testing.T) {
	backend := func(account, container string) string {
		return `{"backend": {"type": "azurerm", "resourceGroupName": "state-rg", "storageAccountName": "` + account + `", "containerName": "` + container + `"}}`
	}
	dir := func(files map[string]string) string {
		d := t.TempDir()
		for name, patch := range files {
			if err := os.WriteFile(filepath.Join(d, name), with(t, minimal, patch), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}

	d := dir(map[string]string{"dev.json": backend("statestore", "tfstate"), "stage.json": backend("statestore", "tfstate"), "test.json": backend("statestore", "tfstate")})
	_, err := LoadDir(d)
	if err == nil {
		t.Fatal("three environments in one state container were accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		filepath.Join(d, "stage.json") + `: /backend/containerName = "tfstate": is also the state container of dev (` + filepath.Join(d, "dev.json") + `) in the storage account statestore;`,
		filepath.Join(d, "test.json") + `: /backend/containerName = "tfstate": is also the state container of dev (` + filepath.Join(d, "dev.json") + `) in the storage account statestore;`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d problems, want %d:\n%s", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], `such as "tfstate-`) {
			t.Errorf("problem %d:\n%s\nwant it to start with\n%s", i, lines[i], w)
		}
	}

	// A container of its own each, or the same name in other accounts, or
	// local state: accepted.
	for name, files := range map[string]map[string]string{
		"own containers":  {"dev.json": backend("statestore", "tfstate-dev"), "stage.json": backend("statestore", "tfstate-stage")},
		"other accounts":  {"dev.json": backend("statestore", "tfstate"), "stage.json": backend("otherstore", "tfstate")},
		"local and local": {"dev.json": `{}`, "stage.json": `{}`},
	} {
		if _, err := LoadDir(dir(files)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The environments of this repository and its fixtures are apart.
	for _, d := range []string{".", "../testdata/config"} {
		if _, err := LoadDir(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}
