package workload

import (
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// identity and disk stand for the azurerm data sources of the in-cluster
// stack.
type identity struct{}

func (identity) ClientId() *string { return jsii.String("client-id") }
func (identity) TenantId() *string { return jsii.String("tenant-id") }

type disk struct{ size *float64 }

func (disk) Id() *string            { return jsii.String("/disks/data") }
func (d disk) DiskSizeGb() *float64 { return d.size }

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	stack := synthtest.NewKubernetesStack(app, "workload")
	v := func(name, typ string) cdktf.TerraformVariable {
		return cdktf.NewTerraformVariable(stack, jsii.String(name), &cdktf.TerraformVariableConfig{Type: jsii.String(typ)})
	}
	user, token, diskSize := v("user", "string"), v("token", "string"), v("disk_size_gb", "number")
	ns := NewNamespace(stack, "ns", NamespaceProps{Name: "perpetual", Labels: map[string]string{"app.kubernetes.io/part-of": "perpetual-node"}})
	NewSecret(stack, "secret", SecretProps{Name: "perpetual-secrets", Namespace: ns, Data: map[string]string{"github-token": *token.StringValue()}, Revision: 4})
	pull := NewPullSecret(stack, "pull", PullSecretProps{Name: "github-registry-secret", Namespace: ns, Username: *user.StringValue(), Token: *token.StringValue(), Revision: 3})
	NewServiceAccount(stack, "sa", ServiceAccountProps{Name: "perpetual-node", Namespace: ns, Identity: identity{}, PullSecrets: []*Secret{pull}})
	NewVolume(stack, "volume", VolumeProps{VolumeName: "data", ClaimName: "ipfs-data", Namespace: ns, Disk: disk{diskSize.NumberValue()}, SizeGB: 5})

	// The same constructs one level deeper in the tree.
	nested := synthtest.NewKubernetesStack(app, "nested")
	group := constructs.NewConstruct(nested, jsii.String("group"))
	nns := NewNamespace(group, "ns", NamespaceProps{Name: "perpetual"})
	NewServiceAccount(group, "sa", ServiceAccountProps{Name: "perpetual-node", Namespace: nns, Identity: identity{}})
	NewSecret(group, "secret", SecretProps{Name: "s", Namespace: nns, Revision: 1})
	NewVolume(group, "volume", VolumeProps{VolumeName: "data", ClaimName: "ipfs-data", Namespace: nns, Disk: disk{jsii.Number(5)}, SizeGB: 5})
})

func TestObjects(t *testing.T) {
	doc := synth(t)["workload"]
	ns := doc.Only(t, "kubernetes_namespace_v1")
	ns.Equal(t, "metadata.name", "perpetual")
	ns.Equal(t, "metadata.labels", map[string]string{"app.kubernetes.io/part-of": "perpetual-node"})

	sa := doc.Only(t, "kubernetes_service_account_v1")
	sa.Equal(t, "metadata.name", "perpetual-node")
	sa.Equal(t, "metadata.namespace", synthtest.Ref(ns, "metadata[0].name"))
	sa.Equal(t, "metadata.annotations", map[string]string{ClientIDAnnotation: "client-id", TenantIDAnnotation: "tenant-id"})
	// The account refers to the pull secret, not to its name: Terraform
	// creates the secret first.
	sa.Equal(t, "image_pull_secret", []map[string]string{{"name": synthtest.Ref(doc.Where(t, "kubernetes_secret_v1", "type", "kubernetes.io/dockerconfigjson"), "metadata[0].name")}})
}

func TestSecretIsWriteOnly(t *testing.T) {
	s := synth(t)["workload"].Where(t, "kubernetes_secret_v1", "type", "Opaque")
	s.Equal(t, "metadata.name", "perpetual-secrets")
	s.Equal(t, "data_wo", map[string]string{"github-token": "${var.token}"})
	s.Equal(t, "data_wo_revision", 4)
	if s.Has("data") {
		t.Error("the Secret has data: it would rest in state")
	}
}

func TestPullSecretIsBuiltByTerraform(t *testing.T) {
	doc := synth(t)["workload"]
	s := doc.Where(t, "kubernetes_secret_v1", "type", "kubernetes.io/dockerconfigjson")
	s.Equal(t, "metadata.name", "github-registry-secret")
	s.Equal(t, "metadata.namespace", synthtest.Ref(doc.Only(t, "kubernetes_namespace_v1"), "metadata[0].name"))
	if s.Has("data") {
		t.Error("the Secret has data: the credentials would rest in state")
	}
	s.Equal(t, "data_wo_revision", 3)
	data, _ := s.Value(t, "data_wo").(map[string]any)
	cfg, _ := data[".dockerconfigjson"].(string)
	want := `${jsonencode({"auths" = {"ghcr.io" = {"auth" = base64encode(join(":", [var.user, var.token])), "password" = var.token, "username" = var.user}}})}`
	if cfg != want {
		t.Errorf(".dockerconfigjson = %s\nwant %s", cfg, want)
	}
	if !strings.HasPrefix(cfg, "${") || !strings.HasSuffix(cfg, "}") {
		t.Error("the config must be one Terraform expression, not a literal")
	}
}

// Every object is named after its construct's id, wherever the construct
// sits in the tree: moving a construct never replaces the objects.
func TestTerraformNames(t *testing.T) {
	want := []string{
		"kubernetes_namespace_v1.ns",
		"kubernetes_persistent_volume_claim_v1.volume-claim",
		"kubernetes_persistent_volume_v1.volume",
		"kubernetes_secret_v1.secret",
		"kubernetes_service_account_v1.sa",
	}
	for _, stack := range []string{"workload", "nested"} {
		for _, a := range want {
			if !synth(t)[stack].Declares(a) {
				t.Errorf("%s: no %s", stack, a)
			}
		}
	}
	if !synth(t)["workload"].Declares("kubernetes_secret_v1.pull") {
		t.Error("workload: no kubernetes_secret_v1.pull")
	}
}

func TestVolumeAndClaim(t *testing.T) {
	pv := synth(t)["workload"].Only(t, "kubernetes_persistent_volume_v1")
	pv.Equal(t, "metadata.name", "data")
	spec := "spec.0."
	pv.Equal(t, spec+"persistent_volume_reclaim_policy", "Retain")
	pv.Equal(t, spec+"access_modes", []string{"ReadWriteOnce"})
	pv.Equal(t, spec+"capacity.storage", "5Gi")
	pv.Equal(t, spec+"storage_class_name", StorageClass)
	pv.Equal(t, spec+"persistent_volume_source.csi.driver", "disk.csi.azure.com")
	pv.Equal(t, spec+"persistent_volume_source.csi.volume_handle", "/disks/data")
	nsName := synthtest.Ref(synth(t)["workload"].Only(t, "kubernetes_namespace_v1"), "metadata[0].name")
	pv.Equal(t, spec+"claim_ref", map[string]string{"name": "ipfs-data", "namespace": nsName})

	pvc := synth(t)["workload"].Only(t, "kubernetes_persistent_volume_claim_v1")
	pvc.Equal(t, "metadata.name", "ipfs-data")
	pvc.Equal(t, "metadata.namespace", nsName)
	pvc.Equal(t, "spec.volume_name", synthtest.Ref(pv, "metadata[0].name"))
	pvc.Equal(t, "spec.storage_class_name", StorageClass)
	pvc.Equal(t, "spec.access_modes", []string{"ReadWriteOnce"})
	pvc.Equal(t, "spec.resources.requests.storage", "5Gi")
}

// A deploy fails when the claim cannot bind: apply waits for the binding,
// and a disk smaller than the volume is refused before anything is applied
// (the binder does not compare sizes for a pre-bound pair).
func TestClaimMustBind(t *testing.T) {
	pvc := synth(t)["workload"].Only(t, "kubernetes_persistent_volume_claim_v1")
	pvc.Equal(t, "wait_until_bound", true)
	pvc.Equal(t, "timeouts.create", ClaimBindTimeout)
	pv := synth(t)["workload"].Only(t, "kubernetes_persistent_volume_v1")
	pv.Equal(t, "lifecycle.precondition.0.condition", "${(var.disk_size_gb >= 5)}")
	pv.Equal(t, "lifecycle.precondition.0.error_message", "The data disk has ${var.disk_size_gb} GiB, less than the 5 GiB (storageSize) that the volume declares and its claim requests; Kubernetes would bind the claim all the same. Deploy the Azure stack first: it sizes the disk from storageSize.")
}
