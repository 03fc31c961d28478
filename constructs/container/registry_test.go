package container

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/synthtest"
)

var doc *synthtest.Doc

func TestMain(m *testing.M) {
	app := cdktf.Testing_App(nil)
	stack := synthtest.NewKubernetesStack(app, "registry")
	v := func(name string) string {
		return *cdktf.NewTerraformVariable(stack, jsii.String(name), &cdktf.TerraformVariableConfig{Type: jsii.String("string"), Sensitive: jsii.Bool(true)}).StringValue()
	}
	NewPullSecret(stack, "pull", PullSecretProps{Name: "github-registry-secret", Namespace: "perpetual", Server: GitHubRegistry, Username: v("user"), Token: v("token"), Revision: 3})
	var err error
	if doc, err = synthtest.SynthStack(stack); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestPullSecretIsBuiltByTerraform(t *testing.T) {
	s := doc.Only(t, "kubernetes_secret_v1")
	s.Equal(t, "type", "kubernetes.io/dockerconfigjson")
	s.Equal(t, "metadata.name", "github-registry-secret")
	s.Equal(t, "metadata.namespace", "perpetual")
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
