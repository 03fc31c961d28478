// Package azure holds what every Azure construct of this project shares:
// where a resource goes (Placement), role assignments, and user-assigned
// identities.
package azure

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/roleassignment"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/userassignedidentity"

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

// Scope is what a role is assigned on: any Azure resource, by its ID.
type Scope interface{ Id() *string }

// Principal is who a role is assigned to: a Microsoft Entra principal.
type Principal struct {
	// ObjectID is the principal's object ID (a Terraform expression).
	ObjectID string
	// ServicePrincipal says the principal is a managed identity or an
	// application: Azure then skips the directory lookup that fails for a
	// principal created moments ago. It is false for a principal of unknown
	// kind (the deploying user or service principal).
	ServicePrincipal bool
}

// ManagedIdentity is a user-assigned identity as a principal.
func ManagedIdentity(id interface{ PrincipalId() *string }) Principal {
	return Principal{ObjectID: *id.PrincipalId(), ServicePrincipal: true}
}

// CurrentClient is the identity running Terraform (the data source
// azurerm_client_config) as a principal: a person or a service principal.
func CurrentClient(c interface{ ObjectId() *string }) Principal {
	return Principal{ObjectID: *c.ObjectId()}
}

// Grant assigns the built-in role role on scope to principal, with the
// construct id id under parent and the Terraform name id (pinned: a role
// assignment's address is its identity, and a moved construct must not
// re-create it).
func Grant(parent constructs.Construct, id, role string, on Scope, to Principal) roleassignment.RoleAssignment {
	cfg := &roleassignment.RoleAssignmentConfig{
		Scope:              on.Id(),
		RoleDefinitionName: jsii.String(role),
		PrincipalId:        jsii.String(to.ObjectID),
	}
	if to.ServicePrincipal {
		cfg.PrincipalType = jsii.String("ServicePrincipal")
	}
	return tfx.Pin(roleassignment.NewRoleAssignment(parent, jsii.String(id), cfg), id)
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
