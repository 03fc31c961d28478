package cost

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	// Named so, as golden is this package's loader of the golden stacks.
	goldenfile "github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
)

// The golden snapshots are exactly what the project synthesizes.
func golden(t *testing.T) map[string][]byte {
	t.Helper()
	stacks := map[string][]byte{}
	for _, name := range []string{"dev", "dev-k8s", "prod", "prod-k8s"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "stacks", "testdata", name+".tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		stacks[name] = b
	}
	return stacks
}

func line(t *testing.T, e *Estimate, component string) Line {
	t.Helper()
	for _, l := range e.Lines {
		if strings.HasPrefix(l.Component, component) {
			return l
		}
	}
	t.Fatalf("%s: no line %q in %+v", e.Stack, component, e.Lines)
	return Line{}
}

func TestProjectStacks(t *testing.T) {
	ests, err := EstimateAll(golden(t))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Estimate{}
	for _, e := range ests {
		byName[e.Stack] = e
	}
	for _, k8s := range []string{"dev-k8s", "prod-k8s"} {
		if e := byName[k8s]; e.Table != nil || len(e.Lines) != 0 || e.Total != 0 {
			t.Errorf("%s: %+v, want no Azure cost", k8s, e)
		}
	}
	want := map[string]struct {
		sku          string
		price, nodes float64
		budget       float64
	}{
		"dev":  {"Standard_B2als_v2 x 1", 0.0376, 27.45, 90},
		"prod": {"Standard_D2s_v5 x 1", 0.096, 70.08, 150},
	}
	for _, env := range []string{"dev", "prod"} {
		e, w := byName[env], want[env]
		nodes := line(t, e, "Nodes")
		if nodes.SKU != w.sku || nodes.Quantity != 730 || nodes.UnitPrice != w.price || nodes.Monthly != w.nodes {
			t.Errorf("%s nodes %+v", env, nodes)
		}
		if l := line(t, e, "Node OS disks"); !strings.Contains(l.SKU, "P4") || l.Monthly != 5.28 {
			t.Errorf("%s OS disk %+v, want a P4 for 32 GiB", env, l)
		}
		if l := line(t, e, "Load balancer (AKS-managed)"); l.Monthly != 18.25 || !strings.Contains(l.SKU, "of 6 rules") {
			t.Errorf("%s load balancer %+v: 1 outbound rule + 5 public ports", env, l)
		}
		if l := line(t, e, "Load balancer rules beyond 5"); l.Monthly != 7.30 {
			t.Errorf("%s LB overage %+v", env, l)
		}
		if l := line(t, e, "AKS control plane"); l.Monthly != 0 || l.SKU != "Free tier" {
			t.Errorf("%s control plane %+v", env, l)
		}
		line(t, e, "Outbound public IP")
		line(t, e, "Public IP perpetual-"+env+"-ingress-pip")
		var sum float64
		for _, l := range e.Lines {
			sum += l.Monthly
		}
		if round2(sum) != e.Total {
			t.Errorf("%s total %v, lines add up to %v", env, e.Total, sum)
		}
		if e.Budget == nil || e.Budget.Amount != w.budget || e.Budget.AlertPercent != 80 {
			t.Errorf("%s budget %+v, want $%g alerting at 80 %%", env, e.Budget, w.budget)
		}
		if e.OverBudget() {
			t.Errorf("%s estimate $%.2f passes the alert threshold $%.2f", env, e.Total, e.Budget.AlertAt())
		}
	}
	if l := line(t, byName["dev"], "Managed disk"); !strings.Contains(l.SKU, "P1") {
		t.Errorf("dev data disk %+v, want P1 for 1 GiB", l)
	}
	if l := line(t, byName["prod"], "Log search alert"); l.Monthly != 0.5 {
		t.Errorf("prod volume alert %+v, want $0.50 (every 15 minutes)", l)
	}
	if l := line(t, byName["prod"], "Managed disk"); !strings.Contains(l.SKU, "P2") {
		t.Errorf("prod data disk %+v, want P2 for 5 GiB", l)
	}
	if l := line(t, byName["prod"], "Disk backup"); l.Quantity != 5 {
		t.Errorf("prod backup %+v, want 5 GB of snapshots", l)
	}
	if l := line(t, byName["prod"], "Log Analytics"); l.Monthly != 0 || l.Quantity != 4.87 {
		t.Errorf("prod Log Analytics %+v: 0.16 GB/day stays within the free 5 GB", l)
	}
}

func stack(resources string) []byte {
	return []byte(`{"resource": {"azurerm_resource_group": {"rg": {"location": "eastus", "name": "rg"}}, ` + resources + `}}`)
}

// estimate prices the stack x of Terraform JSON raw.
func estimate(raw []byte) (*Estimate, error) {
	s, err := stackjson.Parse("x", raw)
	if err != nil {
		return nil, err
	}
	return EstimateStack(s)
}

func TestUnpricedResourceFails(t *testing.T) {
	_, err := estimate(stack(`"azurerm_container_registry": {"acr": {"location": "eastus", "sku": "Basic"}}`))
	if err == nil || !strings.Contains(err.Error(), "azurerm_container_registry.acr: no price and not known to be free") {
		t.Errorf("err = %v", err)
	}
}

func TestUncappedWorkspaceFails(t *testing.T) {
	_, err := estimate(stack(`"azurerm_log_analytics_workspace": {"logs": {"location": "eastus", "sku": "PerGB2018"}}`))
	if err == nil || !strings.Contains(err.Error(), "no daily_quota_gb") {
		t.Errorf("err = %v", err)
	}
}

func TestUnknownRegionFails(t *testing.T) {
	_, err := estimate([]byte(`{"resource": {"azurerm_resource_group": {"rg": {"location": "westeurope"}}}}`))
	if err == nil || !strings.Contains(err.Error(), `no price table for region "westeurope"`) {
		t.Errorf("err = %v", err)
	}
}

func TestDiskTiers(t *testing.T) {
	for size, tier := range map[int]string{1: "P1", 4: "P1", 5: "P2", 32: "P4", 33: "P6", 128: "P10"} {
		e, err := estimate(stack(`"azurerm_managed_disk": {"d": {"location": "eastus", "name": "d", "storage_account_type": "Premium_LRS", "disk_size_gb": ` + strconv.Itoa(size) + `}}`))
		if err != nil {
			t.Fatal(err)
		}
		if sku := e.Lines[0].SKU; !strings.Contains(sku, tier+" (") {
			t.Errorf("%d GiB priced as %s, want %s", size, sku, tier)
		}
	}
	_, err := estimate(stack(`"azurerm_managed_disk": {"d": {"location": "eastus", "storage_account_type": "Premium_LRS", "disk_size_gb": 200}}`))
	if err == nil || !strings.Contains(err.Error(), "no Premium_LRS tier of 200 GiB") {
		t.Errorf("err = %v", err)
	}
}

func TestOverBudget(t *testing.T) {
	raw := stack(`"azurerm_public_ip": {"ip": {"location": "eastus", "name": "ip", "sku": "Standard", "allocation_method": "Static"}},
		"azurerm_consumption_budget_resource_group": {"b": {"amount": 4, "notification": [
			{"threshold": 90, "threshold_type": "Actual"}, {"threshold": 75, "threshold_type": "Actual"}, {"threshold": 10, "threshold_type": "Forecasted"}]}}`)
	ests, err := EstimateAll(map[string][]byte{"x": raw})
	if err != nil {
		t.Fatal(err)
	}
	e := ests[0]
	if e.Total != 3.65 || e.Budget.AlertPercent != 75 || e.Budget.AlertAt() != 3 || !e.OverBudget() {
		t.Errorf("total %v, budget %+v: $3.65 must pass the first actual alert at 75 %% of $4", e.Total, e.Budget)
	}
	var buf bytes.Buffer
	Render(&buf, ests)
	if !strings.Contains(buf.String(), "estimate OVER the alert threshold") {
		t.Errorf("render:\n%s", buf.String())
	}
}

// TestPriceTableIsDocumented: every price names its source and the query
// that refreshes it, and the table says when it was transcribed.
func TestPriceTableIsDocumented(t *testing.T) {
	tb, err := LoadTable("eastus")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Transcribed == "" || tb.About == "" || tb.HoursPerMonth != 730 {
		t.Errorf("table header %+v", tb)
	}
	for k, p := range tb.Items {
		if p.Source == "" || p.Query == "" || p.Unit == "" {
			t.Errorf("%s lacks source, query or unit: %+v", k, p)
		}
	}
}

// TestDocsShowTheCurrentEstimate keeps docs/cost.md's table equal to what
// make cost prints for the golden stacks. make golden rewrites it.
func TestDocsShowTheCurrentEstimate(t *testing.T) {
	ests, err := EstimateAll(golden(t))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Render(&buf, ests)
	goldenfile.Section(t, filepath.Join("..", "..", "docs", "cost.md"), "<!-- make cost: begin -->\n```\n", "```\n<!-- make cost: end -->",
		buf.String(), "estimate")
}
