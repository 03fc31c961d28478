package stacks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/workload"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

func TestKubernetesStacksDependOnAzureStacks(t *testing.T) {
	synthesized(t)
	b, err := os.ReadFile(filepath.Join(out.Dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Stacks map[string]struct {
			Dependencies []string `json:"dependencies"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "prod"} {
		if deps := manifest.Stacks[env+"-k8s"].Dependencies; !slices.Equal(deps, []string{env}) {
			t.Errorf("%s-k8s depends on %v, want [%s]", env, deps, env)
		}
		if deps := manifest.Stacks[env].Dependencies; len(deps) != 0 {
			t.Errorf("%s depends on %v", env, deps)
		}
	}
	// No cross-stack references: no remote state, found by name instead.
	for _, doc := range []*synthtest.Doc{devK8s, prodK} {
		if len(doc.DataSources("terraform_remote_state")) != 0 {
			t.Errorf("%s reads another stack's state", doc.Name)
		}
	}
}

func TestKubernetesProviderFromDataSource(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{devK8s, prodK} {
		env := strings.TrimSuffix(doc.Name, "-k8s")
		aks := doc.DataSource(t, "azurerm_kubernetes_cluster")
		aks.Equal(t, "name", "perpetual-"+env+"-aks")
		aks.Equal(t, "resource_group_name", "perpetual-"+env+"-rg")
		p := doc.Provider(t, "kubernetes")
		p.Equal(t, "host", synthtest.DataRef(aks, "kube_config[0].host"))
		p.Equal(t, "cluster_ca_certificate", "${base64decode("+strings.Trim(synthtest.DataRef(aks, "kube_config[0].cluster_ca_certificate"), "${}")+")}")
		p.Equal(t, "exec.0.command", "kubelogin")
		p.Equal(t, "exec.0.api_version", "client.authentication.k8s.io/v1beta1")
		p.Equal(t, "exec.0.args", []string{"get-token", "--login", "${var." + facts.VarKubeloginLogin + "}", "--server-id", AKSServerID})
		// The pipeline overrides the configured mode (TF_VAR_kubelogin_login).
		doc.Variable(t, facts.VarKubeloginLogin).Equal(t, "default", "azurecli")
		for _, k := range []string{"token", "password", "client_key", "client_certificate", "config_path"} {
			if p.Has(k) {
				t.Errorf("%s: kubernetes provider has %s; credentials come from kubelogin", doc.Name, k)
			}
		}
		// Every attribute is a reference or an expression, never a literal
		// credential.
		for k, v := range p.Attrs {
			if s, ok := v.(string); ok && !strings.HasPrefix(s, "${") {
				t.Errorf("%s: kubernetes provider %s = %q is a literal", doc.Name, k, s)
			}
		}
	}
}

func TestPullSecret(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{devK8s, prodK} {
		s := doc.Where(t, "kubernetes_secret_v1", "metadata.name", "github-registry-secret")
		s.Equal(t, "type", "kubernetes.io/dockerconfigjson")
		ns := doc.Only(t, "kubernetes_namespace_v1")
		ns.Equal(t, "metadata.name", "perpetual")
		s.Equal(t, "metadata.namespace", synthtest.Ref(ns, "metadata[0].name"))
		s.Equal(t, "data_wo_revision", "${var."+facts.VarSecretsRevision+"}")
		data, _ := s.Value(t, "data_wo").(map[string]any)
		cfg, _ := data[".dockerconfigjson"].(string)
		for _, ref := range []string{"var.github_token", "var.github_username", "jsonencode(", "base64encode("} {
			if !strings.Contains(cfg, ref) {
				t.Errorf("%s: .dockerconfigjson %s lacks %s", doc.Name, cfg, ref)
			}
		}
		for _, v := range []string{facts.VarGitHubToken, facts.VarGitHubUsername} {
			doc.Variable(t, v).Equal(t, "sensitive", true)
			doc.Variable(t, v).Equal(t, "ephemeral", true)
		}
	}
}

func TestServiceAccountAndVolume(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{devK8s, prodK} {
		env := strings.TrimSuffix(doc.Name, "-k8s")
		id := doc.DataSource(t, "azurerm_user_assigned_identity")
		id.Equal(t, "name", "perpetual-"+env+"-node-identity")
		sa := doc.Only(t, "kubernetes_service_account_v1")
		sa.Equal(t, "metadata.name", "perpetual-node")
		sa.Equal(t, "metadata.annotations", map[string]string{
			workload.ClientIDAnnotation: synthtest.DataRef(id, "client_id"),
			workload.TenantIDAnnotation: synthtest.DataRef(id, "tenant_id"),
		})
		pull := doc.Where(t, "kubernetes_secret_v1", "metadata.name", "github-registry-secret")
		sa.Equal(t, "image_pull_secret", []map[string]string{{"name": synthtest.Ref(pull, "metadata[0].name")}})

		disk := doc.DataSource(t, "azurerm_managed_disk")
		disk.Equal(t, "name", "perpetual-"+env+"-ipfs-data")
		pv := doc.Only(t, "kubernetes_persistent_volume_v1")
		pv.Equal(t, "spec.0.persistent_volume_source.csi.volume_handle", synthtest.DataRef(disk, "id"))
		pv.Equal(t, "spec.0.persistent_volume_source.csi.driver", workload.DiskCSIDriver)
		pv.Equal(t, "spec.0.persistent_volume_reclaim_policy", "Retain")
		pv.Equal(t, "spec.0.access_modes", []string{"ReadWriteOnce"})
		size := map[string]string{"dev": "1Gi", "prod": "5Gi"}[env]
		pv.Equal(t, "spec.0.capacity.storage", size)
		pv.Equal(t, "spec.0.claim_ref.name", "ipfs-data")
		pvc := doc.Only(t, "kubernetes_persistent_volume_claim_v1")
		pvc.Equal(t, "metadata.name", "ipfs-data")
		pvc.Equal(t, "spec.volume_name", synthtest.Ref(pv, "metadata[0].name"))
		pvc.Equal(t, "spec.resources.requests.storage", size)
		pvc.Equal(t, "spec.storage_class_name", pv.Str(t, "spec.0.storage_class_name"))
	}
}

func TestDevSecretsOnlyInDev(t *testing.T) {
	synthesized(t)
	s := devK8s.Where(t, "kubernetes_secret_v1", "metadata.name", DevSecretName)
	s.Equal(t, "data_wo", map[string]string{
		SecretGitHubToken:    "${var.github_token}",
		SecretIPFSPrivateKey: "${var.ipfs_private_key}",
	})
	s.Equal(t, "data_wo_revision", "${var."+facts.VarSecretsRevision+"}")
	devK8s.Variable(t, facts.VarIPFSPrivateKey).Equal(t, "sensitive", true)
	for _, r := range prodK.Resources("kubernetes_secret_v1") {
		if r.Str(t, "metadata.name") == DevSecretName {
			t.Error("prod-k8s writes the development Secret")
		}
	}
	if slices.Contains(prodK.Variables(), facts.VarIPFSPrivateKey) {
		t.Error("prod-k8s asks for the IPFS private key it does not use")
	}
}

func TestKubernetesOutputs(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{devK8s, prodK} {
		synthtest.ContainsAll(t, doc.Name+" outputs", doc.Outputs(),
			"namespace", "pull_secret_name", "image_repository", "service_account_name", "claim_name", "node_identity_client_id", "key_vault_name")
		doc.Output(t, "image_repository").Equal(t, "value", "ghcr.io/mimisbrunnr/my-mimisbrunnr/perpetual-node")
		// The names, read from the objects that carry them.
		doc.Output(t, "pull_secret_name").Equal(t, "value", synthtest.Ref(doc.Where(t, "kubernetes_secret_v1", "metadata.name", "github-registry-secret"), "metadata[0].name"))
		doc.Output(t, "claim_name").Equal(t, "value", synthtest.Ref(doc.Where(t, "kubernetes_persistent_volume_claim_v1", "metadata.name", "ipfs-data"), "metadata[0].name"))
		doc.Output(t, "service_account_name").Equal(t, "value", synthtest.Ref(doc.Where(t, "kubernetes_service_account_v1", "metadata.name", "perpetual-node"), "metadata[0].name"))
	}
}

// TestAdminCertificateProvider: with local accounts kept, the in-cluster
// stack may authenticate with the cluster's admin certificate instead of
// kubelogin, still read from the data source.
func TestAdminCertificateProvider(t *testing.T) {
	synthesized(t)
	cfg := *cfgs[0]
	cfg.Kubernetes.LocalAccountsEnabled = true
	cfg.Kubernetes.ProviderAuth = config.AuthAdminCertificate
	app, err := synthtest.SynthApp(t.TempDir()+"/out", func(app cdktf.App) {
		NewKubernetesStack(app, &cfg, NewAzureStack(app, &cfg))
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := app.Stacks["dev-k8s"]
	aks := doc.DataSource(t, "azurerm_kubernetes_cluster")
	p := doc.Provider(t, "kubernetes")
	p.Equal(t, "host", synthtest.DataRef(aks, "kube_admin_config[0].host"))
	for _, attr := range []string{"client_certificate", "client_key", "cluster_ca_certificate"} {
		p.Equal(t, attr, "${base64decode(data."+aks.Address()+".kube_admin_config[0]."+attr+")}")
	}
	if p.Has("exec") {
		t.Error("kubelogin exec with the admin certificate")
	}
}
