// Package tfx holds the small conversions between plain Go values and the
// pointer types of the jsii-generated cdktf bindings.
package tfx

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Strings converts a slice to the *[]*string the bindings take. A nil or
// empty slice gives an empty list, not nil, so that the attribute is written.
func Strings(s []string) *[]*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = jsii.String(s[i])
	}
	return &out
}

// List converts a list the bindings return (such as cdktf.Token_AsList's)
// to the plain []string Props take; Strings converts it back unchanged.
func List(l *[]*string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(*l))
	for i, s := range *l {
		out[i] = *s
	}
	return out
}

// StringMap converts a map to the *map[string]*string the bindings take.
func StringMap(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

// Num converts an int to the *float64 the bindings take for numbers.
func Num(i int) *float64 { return jsii.Number(float64(i)) }

// PreventDestroy returns a lifecycle with prevent_destroy when protect is
// true, and nil (no lifecycle block) otherwise.
func PreventDestroy(protect bool) *cdktf.TerraformResourceLifecycle {
	if !protect {
		return nil
	}
	return &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
}

// Pin gives a resource the Terraform name name instead of one derived from
// its construct path, and returns it, so that no reorganization of
// constructs changes the address of what holds data or is pointed at
// (Terraform reads a new address as delete and create). Call it right after
// creating the resource: cdktf fixes the name at the first reference.
func Pin[T interface{ OverrideLogicalId(*string) }](r T, name string) T {
	r.OverrideLogicalId(jsii.String(name))
	return r
}
