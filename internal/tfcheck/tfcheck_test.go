package tfcheck

import (
	"os"
	"strings"
	"testing"
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
	got := keepTest("azurerm_key_vault.key-vault")
	for _, want := range []string{`mock_provider "azurerm"`, "command = apply", `run "replace"`, "replace = [azurerm_key_vault.key-vault]"} {
		if !strings.Contains(got, want) {
			t.Errorf("generated test lacks %q:\n%s", want, got)
		}
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
