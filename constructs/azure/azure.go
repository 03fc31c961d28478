// Package azure holds what every Azure construct of this project shares:
// where a resource goes (Placement), role assignments, and user-assigned
// identities.
package azure

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/resourcegroup"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/roleassignment"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/userassignedidentity"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Placement says where an Azure resource goes: its resource group, its
// region and its tags. Every Azure construct's Props embeds it.
type Placement struct {
	ResourceGroup resourcegroup.ResourceGroup
	// Location is the Azure region ("eastus"), written literally rather
	// than read from the resource group, so that it is known at plan time.
	Location string
	// Tags go on every taggable resource of the construct.
	Tags map[string]string
}

// GroupName is the resource group's name, as the bindings take it.
func (p Placement) GroupName() *string { return p.ResourceGroup.Name() }

// Region is Location, as the bindings take it.
func (p Placement) Region() *string { return jsii.String(p.Location) }

// TagMap is Tags, as the bindings take them.
func (p Placement) TagMap() *map[string]*string { return tfx.StringMap(p.Tags) }

// RoleGrant is an Azure role given to a principal at a scope.
type RoleGrant struct {
	// Role is a built-in role's name ("Network Contributor").
	Role string
	// Scope is the ID of what the role applies to (a Terraform expression).
	Scope string
	// Principal is the object ID of who gets the role.
	Principal string
	// ServicePrincipal says the principal is a managed identity or an
	// application: Azure then skips the directory lookup that fails for a
	// principal created moments ago. Leave it false for a principal of
	// unknown kind (the deploying user or service principal).
	ServicePrincipal bool
}

// Grant assigns g under scope with the construct id id.
func Grant(scope constructs.Construct, id string, g RoleGrant) roleassignment.RoleAssignment {
	cfg := &roleassignment.RoleAssignmentConfig{
		Scope:              jsii.String(g.Scope),
		RoleDefinitionName: jsii.String(g.Role),
		PrincipalId:        jsii.String(g.Principal),
	}
	if g.ServicePrincipal {
		cfg.PrincipalType = jsii.String("ServicePrincipal")
	}
	return roleassignment.NewRoleAssignment(scope, jsii.String(id), cfg)
}

// NewIdentity creates a user-assigned managed identity named name, with the
// Terraform name id (pinned: federated credentials, role assignments and
// workloads hold its IDs, which a new identity would change).
func NewIdentity(scope constructs.Construct, id, name string, place Placement) userassignedidentity.UserAssignedIdentity {
	return tfx.Pin(userassignedidentity.NewUserAssignedIdentity(scope, jsii.String(id), &userassignedidentity.UserAssignedIdentityConfig{
		Name:              jsii.String(name),
		ResourceGroupName: place.GroupName(),
		Location:          place.Region(),
		Tags:              place.TagMap(),
	}), id)
}
