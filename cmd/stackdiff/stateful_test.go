package main

import (
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
)

// TestStatefulCoversTheDataResources: every type that production keeps with
// prevent_destroy (guardrail DATA-001) is called out when a change puts it
// at risk.
func TestStatefulCoversTheDataResources(t *testing.T) {
	for _, typ := range guardrails.DataResources {
		if !isStateful(typ) {
			t.Errorf("%s is a data resource (guardrails.DataResources) but not in the stateful table", typ)
		}
	}
}
