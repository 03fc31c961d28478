package stacks

import (
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// secretVariable declares a required, sensitive and ephemeral string
// variable with a fixed name (not a construct-path hash), so that
// TF_VAR_<name> sets it. Ephemeral: Terraform keeps its value out of state
// and saved plans, and refuses to let it reach any attribute that is not
// write-only (value_wo, data_wo), so no secret can rest there. The value
// must be given again at apply time.
func secretVariable(scope constructs.Construct, name, description string) cdktf.TerraformVariable {
	v := pinnedVariable(scope, name, cdktf.TerraformVariableConfig{
		Type:        jsii.String("string"),
		Sensitive:   jsii.Bool(true),
		Nullable:    jsii.Bool(false),
		Description: jsii.String(description),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String("${length(var." + name + ") > 0}"),
			ErrorMessage: jsii.String(name + " must not be empty: set TF_VAR_" + name + "."),
		}},
	})
	v.AddOverride(jsii.String("ephemeral"), true)
	return v
}

// secretsRevision declares the revision of the write-only secrets. Terraform
// cannot compare a write-only value with what it wrote before (it keeps
// none), so it writes the secrets when they are created and again only when
// this number grows: rotating a secret means a new TF_VAR_<secret> and
// secrets_revision one higher.
func secretsRevision(scope constructs.Construct) cdktf.TerraformVariable {
	return pinnedVariable(scope, facts.VarSecretsRevision, cdktf.TerraformVariableConfig{
		Type:        jsii.String("number"),
		Default:     1,
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Revision of the write-only secrets (TF_VAR_secrets_revision): raise it by one to write new secret values."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String("${var." + facts.VarSecretsRevision + " >= 1 && floor(var." + facts.VarSecretsRevision + ") == var." + facts.VarSecretsRevision + "}"),
			ErrorMessage: jsii.String(facts.VarSecretsRevision + " must be a whole number, 1 or more."),
		}},
	})
}

// kubeloginLogin declares how kubelogin gets the in-cluster stack's token,
// defaulting to the configuration's kubernetes.kubeloginMode. The pipeline
// sets TF_VAR_kubelogin_login=workloadidentity: the Azure CLI cannot mint a
// new token for the AKS audience once the GitHub OIDC assertion behind its
// login has expired (minutes), while kubelogin's workloadidentity mode reads
// a freshly written federated token file before each -k8s step.
func kubeloginLogin(scope constructs.Construct, mode string) cdktf.TerraformVariable {
	return pinnedVariable(scope, facts.VarKubeloginLogin, cdktf.TerraformVariableConfig{
		Type:        jsii.String("string"),
		Default:     jsii.String(mode),
		Nullable:    jsii.Bool(false),
		Description: jsii.String("kubelogin's --login method for the kubernetes provider (TF_VAR_kubelogin_login)."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String("${contains([\"" + strings.Join(config.KubeloginModes(), "\", \"") + "\"], var." + facts.VarKubeloginLogin + ")}"),
			ErrorMessage: jsii.String(facts.VarKubeloginLogin + " must be one of: " + strings.Join(config.KubeloginModes(), ", ") + "."),
		}},
	})
}

// deployerIPs declares the list of the deploying machine's public IPv4
// addresses. They are let through the Key Vault and storage firewalls and
// the API server's authorized ranges, so that a runner outside the admin
// networks can still write secrets, read the storage account and reach the
// cluster. Plain addresses, because the storage firewall refuses /32 CIDRs.
func deployerIPs(scope constructs.Construct) cdktf.TerraformVariable {
	return pinnedVariable(scope, facts.VarDeployerIPs, cdktf.TerraformVariableConfig{
		Type:        jsii.String("list(string)"),
		Default:     &[]*string{},
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Public IPv4 addresses of the machine running Terraform (e.g. [\"198.51.100.7\"]), allowed through the Key Vault, storage and API server firewalls."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String("${alltrue([for ip in var." + facts.VarDeployerIPs + " : can(cidrhost(\"${ip}/32\", 0))])}"),
			ErrorMessage: jsii.String(facts.VarDeployerIPs + " must be a list of IPv4 addresses such as [\"198.51.100.7\"]."),
		}},
	})
}

// pinnedVariable declares a variable named name wherever scope is in the
// tree, so that TF_VAR_<name> sets it.
func pinnedVariable(scope constructs.Construct, name string, cfg cdktf.TerraformVariableConfig) cdktf.TerraformVariable {
	return tfx.Pin(cdktf.NewTerraformVariable(scope, jsii.String(name), &cfg), name)
}
