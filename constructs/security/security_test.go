package security

import (
	"encoding/json"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/subnet"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

func build(app cdktf.App, id string, deny bool) {
	stack := synthtest.NewAzureStack(app, id)
	place := synthtest.Placement(stack)
	secret := cdktf.NewTerraformVariable(stack, jsii.String("secret"), &cdktf.TerraformVariableConfig{Type: jsii.String("string"), Sensitive: jsii.Bool(true)})
	nodes := subnet.NewSubnet(stack, jsii.String("nodes"), &subnet.SubnetConfig{
		Name: jsii.String("nodes"), ResourceGroupName: jsii.String("rg"), VirtualNetworkName: jsii.String("vnet"),
		AddressPrefixes: &[]*string{jsii.String("10.0.1.0/24")},
	})
	action := "Allow"
	if deny {
		action = "Deny"
	}
	client := synthtest.Client(stack)
	kv := NewKeyVault(stack, "vault", KeyVaultProps{
		Placement: place, Name: "kv", Tenant: client,
		PurgeProtection: deny, SoftDeleteRetentionDays: 90, NetworkDefaultAction: action,
		IPRules: []string{"203.0.113.0/24"}, Subnets: []azure.Scope{nodes}, PreventDestroy: deny,
	})
	kv.GrantSecretsRead("node", azure.Principal{ObjectID: "node-oid", ServicePrincipal: true})
	kv.GrantSecretsWrite("deployer", azure.CurrentClient(client))
	kv.AddSecret(Secret{Name: "github-token", Value: *secret.StringValue(), ContentType: "text/plain", Version: 2})
	NewWorkloadIdentity(stack, "identity", WorkloadIdentityProps{
		Placement: place, Name: "node",
		Cluster: issuer{}, Namespace: "perpetual", ServiceAccount: "perpetual-node",
	})
	NewPolicies(stack, "policies", PoliciesProps{
		ResourceGroup: place.ResourceGroup, NamePrefix: "p", AllowedLocations: []string{"eastus"},
		NoPrivilegedContainers: deny, NoPrivilegeEscalation: deny, KubernetesEffect: "Deny",
	})
}

// issuer stands for the cluster.
type issuer struct{}

func (issuer) OidcIssuerUrl() *string { return jsii.String("https://issuer.example/") }

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	build(app, "locked", true)
	build(app, "relaxed", false)
})

func TestVault(t *testing.T) {
	kv := synth(t)["locked"].Named(t, "azurerm_key_vault", "kv")
	kv.Equal(t, "sku_name", "standard")
	kv.Equal(t, "tenant_id", "${data.azurerm_client_config.current.tenant_id}")
	kv.Equal(t, "purge_protection_enabled", true)
	kv.Equal(t, "soft_delete_retention_days", 90)
	kv.Equal(t, "network_acls", map[string]any{"bypass": "AzureServices", "default_action": "Deny", "ip_rules": []string{"203.0.113.0/24"},
		"virtual_network_subnet_ids": []string{synthtest.Ref(synth(t)["locked"].Named(t, "azurerm_subnet", "nodes"), "id")}})
	kv.Equal(t, "lifecycle.prevent_destroy", true)
	kv.Equal(t, "enabled_for_deployment", false)
	kv.Equal(t, "enabled_for_disk_encryption", false)
	kv.Equal(t, "enabled_for_template_deployment", false)

	r := synth(t)["relaxed"].Named(t, "azurerm_key_vault", "kv")
	r.Equal(t, "purge_protection_enabled", false)
	r.Equal(t, "network_acls.default_action", "Allow")
}

// Who reads and who writes secrets is decided by role assignments on the
// vault, which the vault's own principals cannot change: Azure RBAC, and
// no access policy, inline or separate.
func TestAccessIsAzureRBAC(t *testing.T) {
	doc := synth(t)["locked"]
	kv := doc.Named(t, "azurerm_key_vault", "kv")
	kv.Equal(t, "rbac_authorization_enabled", true)
	if kv.Has("access_policy") || doc.Count("azurerm_key_vault_access_policy") > 0 {
		t.Error("the vault has access policies")
	}
	reader := doc.Where(t, "azurerm_role_assignment", "principal_id", "node-oid")
	reader.Equal(t, "role_definition_name", SecretsUserRole)
	reader.Equal(t, "scope", synthtest.Ref(kv, "id"))
	reader.Equal(t, "principal_type", "ServicePrincipal")
	writer := doc.Where(t, "azurerm_role_assignment", "principal_id", "${data.azurerm_client_config.current.object_id}")
	writer.Equal(t, "role_definition_name", SecretsOfficerRole)
	writer.Equal(t, "scope", synthtest.Ref(kv, "id"))

	secret := doc.Named(t, "azurerm_key_vault_secret", "github-token")
	secret.Equal(t, "value_wo", "${var.secret}")
	secret.Equal(t, "value_wo_version", 2)
	if secret.Has("value") {
		t.Error("the secret has value: it would rest in state")
	}
	secret.Equal(t, "content_type", "text/plain")
	// The deploying principal writes the secret: its role comes first.
	synthtest.ContainsAll(t, "secret depends_on", secret.Strs(t, "depends_on"), writer.Address())
}

func TestWorkloadIdentity(t *testing.T) {
	id := synth(t)["locked"].Named(t, "azurerm_user_assigned_identity", "node")
	fed := synth(t)["locked"].Only(t, "azurerm_federated_identity_credential")
	fed.Equal(t, "user_assigned_identity_id", synthtest.Ref(id, "id"))
	fed.Equal(t, "issuer", "https://issuer.example/")
	fed.Equal(t, "subject", "system:serviceaccount:perpetual:perpetual-node")
	fed.Equal(t, "audience", []string{"api://AzureADTokenExchange"})
	for _, a := range synth(t)["locked"].Resources("azurerm_role_assignment") {
		if p, _ := a.Get("principal_id"); p == synthtest.Ref(id, "principal_id") {
			t.Errorf("%s: the node identity needs no role of its own (images come from ghcr.io)", a.Address())
		}
	}
}

func TestPolicies(t *testing.T) {
	params := func(b synthtest.Block) map[string]map[string]any {
		var p map[string]map[string]any
		if err := json.Unmarshal([]byte(b.Str(t, "parameters")), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	loc := synth(t)["locked"].Where(t, "azurerm_resource_group_policy_assignment", "policy_definition_id", AllowedLocationsPolicyID)
	loc.Equal(t, "resource_group_id", synthtest.Ref(synth(t)["locked"].Named(t, "azurerm_resource_group", "rg"), "id"))
	if got := params(loc)["listOfAllowedLocations"]["value"]; compact(got) != `["eastus"]` {
		t.Errorf("allowed locations %v", got)
	}
	for _, id := range []string{NoPrivilegedContainersPolicyID, NoPrivilegeEscalationPolicyID} {
		a := synth(t)["locked"].Where(t, "azurerm_resource_group_policy_assignment", "policy_definition_id", id)
		if got := params(a)["effect"]["value"]; got != "Deny" {
			t.Errorf("%s effect %v, want Deny", id, got)
		}
	}
	if n := synth(t)["relaxed"].Count("azurerm_resource_group_policy_assignment"); n != 1 {
		t.Errorf("relaxed: %d assignments, want only allowed locations", n)
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
