package guardrails

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/keyvault"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/keyvaultsecret"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/manageddisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/networksecurityrule"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/storageaccount"
	kubeprovider "github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/provider"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/secretv1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

var (
	app    cdktf.App
	stacks int // numbers the test stacks, whose names must be unique
)

func TestMain(m *testing.M) {
	synthtest.Main(func() int { return run(m) })
}

// run runs the tests with an app whose stacks are read in memory, never
// written, and leaves nothing in $TMPDIR: no output directory (and
// synthtest.Main removes jsii's runtime).
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "guardrails-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	app = cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir)})
	return m.Run()
}

var goodTags = map[string]string{"project": "p", "environment": "test", "managed-by": "cdktf"}

var required = []string{"project", "environment", "managed-by"}

// options are the rules' options and waivers of each test stack, by name.
var options = map[string]struct {
	opts    Options
	waivers []Waiver
}{}

// synth evaluates the rules on the stack's Terraform JSON, as the stacks'
// validation does just before writing it, and returns the messages of the
// broken rules, one a line, or "" when none is broken.
func synth(t *testing.T, stack cdktf.TerraformStack) string {
	t.Helper()
	broken, _ := evaluate(t, stack)
	return strings.Join(broken, "\n")
}

// evaluate runs Evaluate on the stack's Terraform JSON.
func evaluate(t *testing.T, stack cdktf.TerraformStack) ([]string, Metadata) {
	t.Helper()
	o := options[*stack.Node().Id()]
	return Evaluate(synthtest.StackJSON(t, stack), o.opts, o.waivers)
}

func newStack(t *testing.T, production bool, waivers ...Waiver) cdktf.TerraformStack {
	stacks++
	name := fmt.Sprintf("%s-%d", strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")), stacks)
	stack := synthtest.NewAzureStack(app, name)
	kubeprovider.NewKubernetesProvider(stack, jsii.String("kubernetes"), &kubeprovider.KubernetesProviderConfig{})
	options[name] = struct {
		opts    Options
		waivers []Waiver
	}{Options{Production: production, RequiredTags: required}, waivers}
	return stack
}

func nsgRule(stack cdktf.TerraformStack, id, port, source string) {
	networksecurityrule.NewNetworkSecurityRule(stack, jsii.String(id), &networksecurityrule.NetworkSecurityRuleConfig{
		Name: jsii.String(id), ResourceGroupName: jsii.String("rg"), NetworkSecurityGroupName: jsii.String("nsg"),
		Priority: jsii.Number(100), Direction: jsii.String("Inbound"), Access: jsii.String("Allow"), Protocol: jsii.String("Tcp"),
		SourcePortRange: jsii.String("*"), DestinationPortRange: jsii.String(port),
		SourceAddressPrefix: jsii.String(source), DestinationAddressPrefix: jsii.String("*"),
	})
}

type vaultOpts struct {
	purge   bool
	action  string
	protect bool
}

func vault(stack cdktf.TerraformStack, o vaultOpts) {
	keyvault.NewKeyVault(stack, jsii.String("vault"), &keyvault.KeyVaultConfig{
		Name: jsii.String("kv"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"),
		TenantId: jsii.String("tenant"), SkuName: jsii.String("standard"),
		PurgeProtectionEnabled: jsii.Bool(o.purge),
		NetworkAcls:            &keyvault.KeyVaultNetworkAcls{Bypass: jsii.String("AzureServices"), DefaultAction: jsii.String(o.action)},
		Tags:                   tfx.StringMap(goodTags), Lifecycle: tfx.PreventDestroy(o.protect),
	})
}

type accountOpts struct {
	https   bool
	tls     string
	public  bool
	protect bool
}

func account(stack cdktf.TerraformStack, o accountOpts) {
	storageaccount.NewStorageAccount(stack, jsii.String("account"), &storageaccount.StorageAccountConfig{
		Name: jsii.String("stdata"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"),
		AccountTier: jsii.String("Standard"), AccountReplicationType: jsii.String("LRS"),
		HttpsTrafficOnlyEnabled: jsii.Bool(o.https), MinTlsVersion: jsii.String(o.tls), AllowNestedItemsToBePublic: jsii.Bool(o.public),
		Tags: tfx.StringMap(goodTags), Lifecycle: tfx.PreventDestroy(o.protect),
	})
}

var safeAccount = accountOpts{https: true, tls: "TLS1_2", public: false, protect: true}

// wantBroken asserts that the rule is broken, naming the resource's
// construct path (which starts with the stack's name) and the rule, with
// the detail and the waiver's advice.
func wantBroken(t *testing.T, stack cdktf.TerraformStack, rule, path, detail string) {
	t.Helper()
	msg := synth(t, stack)
	if msg == "" {
		t.Fatalf("no rule broken; want %s broken by %s", rule, path)
	}
	for _, want := range []string{
		"guardrail " + rule,
		*stack.Node().Id() + "/" + path + " (",
		detail,
		"waive " + rule,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestNET001AdminPortFromTheInternet(t *testing.T) {
	for _, c := range []struct{ port, source, detail string }{
		{"22", "Internet", "allows port 22 from Internet"},
		{"5001", "*", "allows port 5001 from *"},
		{"6443", "0.0.0.0/0", "allows port 6443 from 0.0.0.0/0"},
		{"6000-7000", "Any", "allows port 6443 (range 6000-7000) from Any"},
		{"*", "Internet", "allows all ports from Internet"},
	} {
		t.Run(c.port+" from "+c.source, func(t *testing.T) {
			stack := newStack(t, false)
			nsgRule(stack, "rule", c.port, c.source)
			wantBroken(t, stack, "NET-001", "rule", c.detail)
		})
	}
	t.Run("allowed", func(t *testing.T) {
		stack := newStack(t, false)
		nsgRule(stack, "swarm", "4001", "Internet")
		nsgRule(stack, "ssh", "22", "203.0.113.0/24")
		nsgRule(stack, "kube", "6443", "VirtualNetwork")
		if msg := synth(t, stack); msg != "" {
			t.Errorf("safe rules rejected:\n%s", msg)
		}
	})
}

// TestNET001TheInternetInAnySplit: the internet split into networks is
// still the internet, in one rule or over several.
func TestNET001TheInternetInAnySplit(t *testing.T) {
	t.Run("one rule", func(t *testing.T) {
		stack := newStack(t, false)
		nsgRuleFrom(stack, "rule", "22", "0.0.0.0/1", "128.0.0.0/1")
		wantBroken(t, stack, "NET-001", "rule", "allows port 22 from 0.0.0.0/1, 128.0.0.0/1, which covers 3702258688 public IPv4 addresses (more than a /8 of IPv4")
	})
	t.Run("specific networks", func(t *testing.T) {
		stack := newStack(t, false)
		nsgRuleFrom(stack, "rule", "22", "203.0.113.0/24", "198.51.100.0/24", "1.0.0.0/9")
		if msg := synth(t, stack); msg != "" {
			t.Errorf("specific networks rejected:\n%s", msg)
		}
	})

	rule := func(name, port string, sources ...any) map[string]any {
		return map[string]any{"name": name, "access": "Allow", "direction": "Inbound", "destination_port_range": port, "source_address_prefixes": sources}
	}
	stack := func(rules ...map[string]any) *stackjson.Stack {
		byName := map[string]any{}
		for _, r := range rules {
			byName[r["name"].(string)] = r
		}
		return &stackjson.Stack{JSON: map[string]any{"resource": map[string]any{"azurerm_network_security_rule": byName}}}
	}
	findings := Check(stack(
		rule("a", "22", "1.0.0.0/8", "203.0.113.0/24"),
		rule("b", "20-25", "2.0.0.0/8"),
		rule("c", "4001", "3.0.0.0/8"), // not an admin port
	), Options{})
	var got []string
	for _, f := range findings {
		got = append(got, f.String())
	}
	want := []string{
		"azurerm_network_security_rule.a (azurerm_network_security_rule.a): rule a allows port 22 from 1.0.0.0/8, 203.0.113.0/24, and with rules b the networks admitted to port 22 cover 33554432 public IPv4 addresses (more than a /8 of IPv4 or a /32 of IPv6 is the internet)",
		"azurerm_network_security_rule.b (azurerm_network_security_rule.b): rule b allows port 22 from 2.0.0.0/8, and with rules a the networks admitted to port 22 cover 33554432 public IPv4 addresses (more than a /8 of IPv4 or a /32 of IPv6 is the internet)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("split over rules:\n got %q\nwant %q", got, want)
	}
	if f := Check(stack(rule("a", "22", "1.0.0.0/8"), rule("b", "4001", "2.0.0.0/8")), Options{}); len(f) != 0 {
		t.Errorf("a /8 to SSH and another to the swarm port: %v", f)
	}
	if f := Check(stack(rule("a", "*", "2a00::/32"), rule("b", "22", "2a01::/32")), Options{}); len(f) != 2 {
		t.Errorf("two IPv6 /32s: %v", f)
	}
}

func nsgRuleFrom(stack cdktf.TerraformStack, id, port string, sources ...string) {
	networksecurityrule.NewNetworkSecurityRule(stack, jsii.String(id), &networksecurityrule.NetworkSecurityRuleConfig{
		Name: jsii.String(id), ResourceGroupName: jsii.String("rg"), NetworkSecurityGroupName: jsii.String("nsg"),
		Priority: jsii.Number(100), Direction: jsii.String("Inbound"), Access: jsii.String("Allow"), Protocol: jsii.String("Tcp"),
		SourcePortRange: jsii.String("*"), DestinationPortRange: jsii.String(port),
		SourceAddressPrefixes: tfx.Strings(sources), DestinationAddressPrefix: jsii.String("*"),
	})
}

func TestKV001PurgeProtection(t *testing.T) {
	stack := newStack(t, true)
	vault(stack, vaultOpts{purge: false, action: "Deny", protect: true})
	wantBroken(t, stack, "KV-001", "vault", "purge_protection_enabled is not true")

	dev := newStack(t, false)
	vault(dev, vaultOpts{purge: false, action: "Allow"})
	if msg := synth(t, dev); msg != "" {
		t.Errorf("development vault rejected:\n%s", msg)
	}
}

func TestKV002OpenFirewall(t *testing.T) {
	stack := newStack(t, true)
	vault(stack, vaultOpts{purge: true, action: "Allow", protect: true})
	wantBroken(t, stack, "KV-002", "vault", `network_acls.default_action is "Allow"`)
}

func TestST001HTTP(t *testing.T) {
	stack := newStack(t, false)
	account(stack, accountOpts{https: false, tls: "TLS1_2"})
	wantBroken(t, stack, "ST-001", "account", "accepts plain HTTP")
}

func TestST002OldTLS(t *testing.T) {
	stack := newStack(t, false)
	account(stack, accountOpts{https: true, tls: "TLS1_0"})
	wantBroken(t, stack, "ST-002", "account", "min_tls_version is TLS1_0")
}

func TestST003PublicBlobs(t *testing.T) {
	stack := newStack(t, false)
	account(stack, accountOpts{https: true, tls: "TLS1_2", public: true})
	wantBroken(t, stack, "ST-003", "account", "allow_nested_items_to_be_public is not false")
}

func TestDATA001PreventDestroy(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func(cdktf.TerraformStack)
		path  string
	}{
		{"disk", func(s cdktf.TerraformStack) {
			manageddisk.NewManagedDisk(s, jsii.String("disk"), &manageddisk.ManagedDiskConfig{
				Name: jsii.String("d"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"),
				StorageAccountType: jsii.String("Premium_LRS"), CreateOption: jsii.String("Empty"), DiskSizeGb: jsii.Number(1),
				Tags: tfx.StringMap(goodTags),
			})
		}, "disk"},
		{"account", func(s cdktf.TerraformStack) {
			account(s, accountOpts{https: true, tls: "TLS1_2", protect: false})
		}, "account"},
		{"vault", func(s cdktf.TerraformStack) { vault(s, vaultOpts{purge: true, action: "Deny"}) }, "vault"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := newStack(t, true)
			c.build(stack)
			wantBroken(t, stack, "DATA-001", c.path, "no lifecycle.prevent_destroy")
		})
	}
	t.Run("protected", func(t *testing.T) {
		stack := newStack(t, true)
		account(stack, safeAccount)
		vault(stack, vaultOpts{purge: true, action: "Deny", protect: true})
		if msg := synth(t, stack); msg != "" {
			t.Errorf("protected data rejected:\n%s", msg)
		}
	})
}

func TestTAG001RequiredTags(t *testing.T) {
	stack := newStack(t, false)
	resourcegroup.NewResourceGroup(stack, jsii.String("untagged"), &resourcegroup.ResourceGroupConfig{
		Name: jsii.String("rg"), Location: jsii.String("eastus"),
	})
	resourcegroup.NewResourceGroup(stack, jsii.String("partly"), &resourcegroup.ResourceGroupConfig{
		Name: jsii.String("rg2"), Location: jsii.String("eastus"), Tags: tfx.StringMap(map[string]string{"project": "p"}),
	})
	wantBroken(t, stack, "TAG-001", "untagged", "missing required tags project, environment, managed-by")
	wantBroken(t, stack, "TAG-001", "partly", "missing required tags environment, managed-by")
}

func TestSEC001LiteralCredentials(t *testing.T) {
	t.Run("kubernetes secret", func(t *testing.T) {
		stack := newStack(t, false)
		secretv1.NewSecretV1(stack, jsii.String("secret"), &secretv1.SecretV1Config{
			Metadata:       &secretv1.SecretV1Metadata{Name: jsii.String("s")},
			DataWo:         &map[string]*string{"token": jsii.String("hunter2")},
			DataWoRevision: jsii.Number(1),
		})
		wantBroken(t, stack, "SEC-001", "secret", "token is a literal")
	})
	t.Run("token shape anywhere", func(t *testing.T) {
		stack := newStack(t, false)
		resourcegroup.NewResourceGroup(stack, jsii.String("rg"), &resourcegroup.ResourceGroupConfig{
			Name: jsii.String("rg"), Location: jsii.String("eastus"),
			Tags: tfx.StringMap(map[string]string{"project": "p", "environment": "e", "managed-by": "ghp_" + strings.Repeat("a1B2", 9)}),
		})
		wantBroken(t, stack, "SEC-001", "rg", "looks like a GitHub token")
	})
	t.Run("sensitive variable with a default", func(t *testing.T) {
		stack := newStack(t, false)
		cdktf.NewTerraformVariable(stack, jsii.String("github_token"), &cdktf.TerraformVariableConfig{
			Type: jsii.String("string"), Sensitive: jsii.Bool(true), Default: jsii.String("hunter2"),
		})
		msg := synth(t, stack)
		if !strings.Contains(msg, "guardrail SEC-001") || !strings.Contains(msg, "a sensitive variable has a literal default") {
			t.Errorf("want SEC-001 on the variable's default, got:\n%s", msg)
		}
	})
	t.Run("references pass", func(t *testing.T) {
		stack := newStack(t, false)
		v := cdktf.NewTerraformVariable(stack, jsii.String("token"), &cdktf.TerraformVariableConfig{Type: jsii.String("string"), Sensitive: jsii.Bool(true)})
		secretv1.NewSecretV1(stack, jsii.String("secret"), &secretv1.SecretV1Config{
			Metadata:       &secretv1.SecretV1Metadata{Name: jsii.String("s")},
			DataWo:         &map[string]*string{"token": v.StringValue()},
			DataWoRevision: jsii.Number(1),
		})
		if msg := synth(t, stack); msg != "" {
			t.Errorf("a secret from a variable was rejected:\n%s", msg)
		}
	})
}

// TestSEC002WriteOnlySecrets: a secret written through data or value would
// rest in state and in saved plans, even from a sensitive variable.
func TestSEC002WriteOnlySecrets(t *testing.T) {
	stack := newStack(t, false)
	v := cdktf.NewTerraformVariable(stack, jsii.String("token"), &cdktf.TerraformVariableConfig{Type: jsii.String("string"), Sensitive: jsii.Bool(true)})
	secretv1.NewSecretV1(stack, jsii.String("secret"), &secretv1.SecretV1Config{
		Metadata: &secretv1.SecretV1Metadata{Name: jsii.String("s")},
		Data:     &map[string]*string{"token": v.StringValue()},
	})
	keyvaultsecret.NewKeyVaultSecret(stack, jsii.String("kv-secret"), &keyvaultsecret.KeyVaultSecretConfig{
		Name: jsii.String("token"), KeyVaultId: jsii.String("/vaults/kv"), Value: v.StringValue(),
	})
	wantBroken(t, stack, "SEC-002", "secret", "data keeps the secret in state and plans; write it through data_wo")
	wantBroken(t, stack, "SEC-002", "kv-secret", "value keeps the secret in state and plans; write it through value_wo")
}

// TestWaiverIsRecorded: a waived rule is not broken, and the waiver, its
// reason and what it covered are in the metadata; the rules checked are
// those that apply.
func TestWaiverIsRecorded(t *testing.T) {
	reason := "dev node reachable from a travelling laptop; holds no data"
	stack := newStack(t, false, Waiver{Rule: "NET-001", Reason: reason}, Waiver{Rule: "ST-001", Reason: "nothing of the kind in this stack"})
	nsgRule(stack, "ssh", "22", "Internet")
	broken, g := evaluate(t, stack)
	if len(broken) != 0 {
		t.Errorf("a waived rule is broken:\n%s", strings.Join(broken, "\n"))
	}
	if len(g.Waivers) != 2 || g.Waivers[0].Rule != "NET-001" || g.Waivers[0].Reason != reason {
		t.Fatalf("waivers %+v", g.Waivers)
	}
	if len(g.Waivers[0].Waived) != 1 || !strings.Contains(g.Waivers[0].Waived[0], "allows port 22 from Internet") {
		t.Errorf("waived findings %v", g.Waivers[0].Waived)
	}
	if g.Waivers[1].Waived == nil || len(g.Waivers[1].Waived) != 0 {
		t.Errorf("a waiver that covered nothing: %#v, want an empty list", g.Waivers[1].Waived)
	}
	var ids []string
	for _, r := range Applicable(false) {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(g.Rules, ids) {
		t.Errorf("rules checked %v, want %v", g.Rules, ids)
	}
}

func TestPortInRange(t *testing.T) {
	for spec, want := range map[string]bool{"22": true, "20-25": true, "23": false, "1-21": false, "x": false, "22-x": false} {
		if got := portInRange(22, spec); got != want {
			t.Errorf("portInRange(22, %q) = %v", spec, got)
		}
	}
}

// TestDocsShowEveryRule keeps docs/guardrails.md's table generated from
// Rules: UPDATE_SNAPSHOTS=1 (make golden) rewrites it.
func TestDocsShowEveryRule(t *testing.T) {
	golden.Section(t, "../docs/guardrails.md", "<!-- guardrails.Rules: begin -->\n", "<!-- guardrails.Rules: end -->",
		Table(), "rules table")
}

// TestRulesAreDeclaredOnce: IDs are unique, and each has both texts.
func TestRulesAreDeclaredOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] || r.Summary == "" || r.Checks == "" {
			t.Errorf("rule %+v: duplicate or incomplete", r)
		}
		seen[r.ID] = true
	}
}
