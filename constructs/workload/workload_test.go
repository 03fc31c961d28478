package workload

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/synthtest"
)

var doc *synthtest.Doc

func TestMain(m *testing.M) {
	app := cdktf.Testing_App(nil)
	stack := synthtest.NewKubernetesStack(app, "workload")
	token := cdktf.NewTerraformVariable(stack, jsii.String("token"), &cdktf.TerraformVariableConfig{Type: jsii.String("string"), Sensitive: jsii.Bool(true)})
	ns := NewNamespace(stack, "ns", "perpetual", map[string]string{"app.kubernetes.io/part-of": "perpetual-node"})
	NewServiceAccount(stack, "sa", ServiceAccountProps{Name: "perpetual-node", Namespace: *ns.Metadata().Name(), ClientID: "client-id", TenantID: "tenant-id", ImagePullSecrets: []string{"github-registry-secret"}})
	NewSecret(stack, "secret", SecretProps{Name: "perpetual-secrets", Namespace: "perpetual", Data: map[string]string{"github-token": *token.StringValue()}, Revision: 4})
	var err error
	if doc, err = synthtest.SynthStack(stack); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestObjects(t *testing.T) {
	ns := doc.Only(t, "kubernetes_namespace_v1")
	ns.Equal(t, "metadata.name", "perpetual")

	sa := doc.Only(t, "kubernetes_service_account_v1")
	sa.Equal(t, "metadata.name", "perpetual-node")
	sa.Equal(t, "metadata.namespace", synthtest.Ref(ns, "metadata[0].name"))
	sa.Equal(t, "metadata.annotations", map[string]string{ClientIDAnnotation: "client-id", TenantIDAnnotation: "tenant-id"})
	sa.Equal(t, "image_pull_secret", []map[string]string{{"name": "github-registry-secret"}})

	s := doc.Only(t, "kubernetes_secret_v1")
	s.Equal(t, "type", "Opaque")
	s.Equal(t, "data_wo", map[string]string{"github-token": "${var.token}"})
	s.Equal(t, "data_wo_revision", 4)
	if s.Has("data") {
		t.Error("the Secret has data: it would rest in state")
	}
}
