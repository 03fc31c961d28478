package security

import (
	"encoding/json"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegrouppolicyassignment"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Built-in Azure Policy definitions (IDs from Azure/azure-policy).
const (
	AllowedLocationsPolicyID       = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
	NoPrivilegedContainersPolicyID = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"
	NoPrivilegeEscalationPolicyID  = "/providers/Microsoft.Authorization/policyDefinitions/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99"
)

// PoliciesProps configures [NewPolicies].
type PoliciesProps struct {
	// ResourceGroup is the scope of the assignments.
	ResourceGroup resourcegroup.ResourceGroup
	// NamePrefix starts each assignment's name.
	NamePrefix string
	// AllowedLocations, when not empty, assigns "Allowed locations".
	AllowedLocations []string
	// NoPrivilegedContainers and NoPrivilegeEscalation assign the two
	// Kubernetes policies with KubernetesEffect (Audit, Deny or Disabled).
	// They act only with the cluster's Azure Policy add-on.
	NoPrivilegedContainers bool
	NoPrivilegeEscalation  bool
	KubernetesEffect       string
}

// Policies are the assignments, keyed by short name.
type Policies struct {
	constructs.Construct
	Assignments map[string]resourcegrouppolicyassignment.ResourceGroupPolicyAssignment
}

// NewPolicies assigns built-in policies to the resource group. Kubernetes
// policies keep the definitions' default exclusions (kube-system,
// gatekeeper-system, azure-arc, azure-extensions-usage-system).
func NewPolicies(scope constructs.Construct, id string, p PoliciesProps) *Policies {
	ps := &Policies{Construct: constructs.NewConstruct(scope, &id), Assignments: map[string]resourcegrouppolicyassignment.ResourceGroupPolicyAssignment{}}
	add := func(short, display, definition string, params map[string]any) {
		ps.Assignments[short] = tfx.Pin(resourcegrouppolicyassignment.NewResourceGroupPolicyAssignment(ps.Construct, jsii.String(short), &resourcegrouppolicyassignment.ResourceGroupPolicyAssignmentConfig{
			Name:               jsii.String(p.NamePrefix + "-" + short),
			DisplayName:        jsii.String(display),
			ResourceGroupId:    p.ResourceGroup.Id(),
			PolicyDefinitionId: jsii.String(definition),
			Parameters:         jsii.String(parameters(params)),
		}), id+"-"+short)
	}
	if len(p.AllowedLocations) > 0 {
		add("allowed-locations", "Allowed locations", AllowedLocationsPolicyID,
			map[string]any{"listOfAllowedLocations": p.AllowedLocations})
	}
	if p.NoPrivilegedContainers {
		add("no-privileged-containers", "Kubernetes cluster should not allow privileged containers", NoPrivilegedContainersPolicyID,
			map[string]any{"effect": p.KubernetesEffect})
	}
	if p.NoPrivilegeEscalation {
		add("no-privilege-escalation", "Kubernetes clusters should not allow container privilege escalation", NoPrivilegeEscalationPolicyID,
			map[string]any{"effect": p.KubernetesEffect})
	}
	return ps
}

// parameters encodes policy parameters as Azure expects them:
// {"name": {"value": ...}}.
func parameters(params map[string]any) string {
	wrapped := make(map[string]map[string]any, len(params))
	for k, v := range params {
		wrapped[k] = map[string]any{"value": v}
	}
	b, err := json.Marshal(wrapped)
	if err != nil {
		panic(err)
	}
	return string(b)
}
