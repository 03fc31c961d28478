module github.com/my-mimisbrunnr/perpetual-infra

go 1.26

// node_modules holds Go template files of cdktf-cli that are not ours.
ignore ./node_modules

require (
	github.com/aws/constructs-go/constructs/v10 v10.3.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13 v13.30.0
	github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11 v11.12.1
	github.com/hashicorp/terraform-cdk-go/cdktf v0.20.12
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/sys v0.47.0
	golang.org/x/text v0.14.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The Go module proxy serves neither kubernetes/v11 nor azurerm/v13:
// scripts/bootstrap.sh generates them from the pinned npm packages
// @cdktf/provider-kubernetes and @cdktf/provider-azurerm with jsii-pacmak
// (the tool that produced the published modules).
replace (
	github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13 => ./.gen/azurerm
	github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11 => ./.gen/kubernetes
)
