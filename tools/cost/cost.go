// Package cost estimates the monthly cost of synthesized stacks from a dated
// price table (prices-<region>.json). It reads the Terraform JSON, not the
// configuration, so what it prices is what would be deployed, and it refuses
// resource types it knows neither a price for nor to be free, so a new
// billable resource cannot go unpriced.
package cost

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

//go:embed prices-*.json
var tables embed.FS

// Price is one entry of a price table.
type Price struct {
	Price        float64 `json:"price"`
	Unit         string  `json:"unit"`                   // "hour", "month", "GB", "GB-month" or "10k operations"
	SizeGB       float64 `json:"sizeGB,omitempty"`       // the capacity of a disk tier
	FreePerMonth float64 `json:"freePerMonth,omitempty"` // a free allowance in Unit
	Source       string  `json:"source"`
	Query        string  `json:"query"`
}

// Assumption is a usage figure the estimate cannot read from the stack.
type Assumption struct {
	Value float64 `json:"value"`
	Why   string  `json:"why"`
}

// Table is the price table of one region.
type Table struct {
	Region        string                `json:"region"`
	Currency      string                `json:"currency"`
	HoursPerMonth float64               `json:"hoursPerMonth"`
	Transcribed   string                `json:"transcribed"`
	About         string                `json:"about"`
	Items         map[string]Price      `json:"items"`
	Assumptions   map[string]Assumption `json:"assumptions"`
}

// LoadTable returns the embedded price table of a region.
func LoadTable(region string) (*Table, error) {
	b, err := tables.ReadFile("prices-" + region + ".json")
	if err != nil {
		return nil, fmt.Errorf("no price table for region %q (add tools/cost/prices-%s.json)", region, region)
	}
	t := &Table{}
	if err := json.Unmarshal(b, t); err != nil {
		return nil, fmt.Errorf("prices-%s.json: %w", region, err)
	}
	return t, nil
}

// Line is one billable component.
type Line struct {
	Component    string
	SKU          string
	Quantity     float64
	QuantityUnit string // "h", "month", "GB", "GB-month", "10k ops"
	UnitPrice    float64
	PriceUnit    string
	Monthly      float64
	Note         string
}

// Budget is the stack's budget as synthesized.
type Budget struct {
	Amount       float64
	AlertPercent float64 // the lowest "Actual" notification threshold
}

// AlertAt is the cost at which the budget's first actual-cost alert fires.
func (b Budget) AlertAt() float64 { return b.Amount * b.AlertPercent / 100 }

// Estimate is the monthly estimate of one stack.
type Estimate struct {
	Stack  string
	Region string
	Table  *Table
	Lines  []Line
	Total  float64
	Budget *Budget // nil when the stack has none
}

// OverBudget reports whether the estimate passes the budget's alert
// threshold.
func (e *Estimate) OverBudget() bool {
	return e.Budget != nil && e.Total > e.Budget.AlertAt()
}

// FreeTypes are resources that cost nothing themselves (their usage, if
// any, is priced with another resource).
var FreeTypes = []string{
	"azurerm_resource_group", "azurerm_virtual_network", "azurerm_subnet",
	"azurerm_network_security_group", "azurerm_network_security_rule",
	"azurerm_subnet_network_security_group_association", "azurerm_dns_a_record",
	"azurerm_user_assigned_identity", "azurerm_federated_identity_credential",
	"azurerm_role_assignment", "azurerm_resource_group_policy_assignment",
	"azurerm_key_vault_secret", "azurerm_storage_container",
	"azurerm_consumption_budget_resource_group", "azurerm_monitor_action_group",
	"azurerm_monitor_data_collection_rule", "azurerm_monitor_data_collection_rule_association",
	"azurerm_data_protection_backup_vault", "azurerm_data_protection_backup_policy_disk",
}

// PremiumTiers are the Premium SSD tiers in order of size.
var PremiumTiers = []string{"P1", "P2", "P3", "P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50"}

// EstimateStack prices one synthesized stack and reads its budget.
func EstimateStack(s *stackjson.Stack) (*Estimate, error) {
	e := &Estimate{Stack: s.Name, Budget: budgetOf(s)}
	region := findRegion(s)
	if region == "" {
		return e, nil // nothing in Azure (an in-cluster stack)
	}
	t, err := LoadTable(region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	e.Region, e.Table = region, t
	p := &pricer{t: t, s: s, est: e}
	for _, r := range s.Resources("") {
		if err := p.price(r); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", s.Name, r.Address(), err)
		}
	}
	// Most expensive first; ties by component name.
	slices.SortStableFunc(e.Lines, func(a, b Line) int {
		return cmp.Or(cmp.Compare(b.Monthly, a.Monthly), strings.Compare(a.Component, b.Component))
	})
	for _, l := range e.Lines {
		e.Total += l.Monthly
	}
	e.Total = round2(e.Total)
	return e, nil
}

func findRegion(s *stackjson.Stack) string {
	for _, r := range s.Resources("") {
		if loc := str(r, "location", ""); loc != "" && loc != "global" && !strings.Contains(loc, "${") {
			return loc
		}
	}
	return ""
}

type pricer struct {
	t   *Table
	s   *stackjson.Stack
	est *Estimate
	err error // the first error of add or disk: price returns it
}

func (p *pricer) item(key string) (Price, error) {
	it, ok := p.t.Items[key]
	if !ok {
		return Price{}, fmt.Errorf("no price %q in prices-%s.json", key, p.t.Region)
	}
	return it, nil
}

func (p *pricer) assume(key string) float64 { return p.t.Assumptions[key].Value }

// add appends a line for quantity of an item, in the item's unit.
func (p *pricer) add(component, sku, key string, quantity float64, note string) {
	it, err := p.item(key)
	if err != nil {
		p.err = cmp.Or(p.err, err)
		return
	}
	unit := map[string]string{"hour": "h", "month": "month", "GB": "GB", "GB-month": "GB-month", "10k operations": "10k ops"}[it.Unit]
	billable := math.Max(0, quantity-it.FreePerMonth)
	if it.FreePerMonth > 0 {
		note = strings.TrimSpace(note + fmt.Sprintf(" %g %s free each month", it.FreePerMonth, unit))
	}
	p.est.Lines = append(p.est.Lines, Line{
		Component: component, SKU: sku, Quantity: quantity, QuantityUnit: unit,
		UnitPrice: it.Price, PriceUnit: unit, Monthly: round2(billable * it.Price), Note: note,
	})
}

// reference matches a Terraform expression that is one attribute of another
// resource: ${<type>.<name>.<attribute>}.
var reference = regexp.MustCompile(`^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$`)

// name returns a resource's name for display (the logical id if none),
// following a reference to another resource's literal attribute (a backup
// instance named after its disk).
func (p *pricer) name(r stackjson.Block) string {
	n := str(r, "name", r.ID)
	if m := reference.FindStringSubmatch(n); m != nil {
		if b, ok := p.s.Lookup(m[1] + "." + m[2]); ok {
			if v := str(b, m[3], ""); v != "" && !strings.Contains(v, "${") {
				return v
			}
		}
	}
	return n
}

func (p *pricer) price(r stackjson.Block) error {
	if strings.HasPrefix(r.Type, "kubernetes_") || slices.Contains(FreeTypes, r.Type) {
		return nil
	}
	hours := p.t.HoursPerMonth
	switch r.Type {
	case "azurerm_kubernetes_cluster":
		p.cluster(r)
	case "azurerm_public_ip":
		sku := str(r, "sku", "Basic")
		alloc := strings.ToLower(str(r, "allocation_method", "Static"))
		p.add("Public IP "+p.name(r), sku+" "+alloc+" IPv4", "ip/"+sku+"/"+alloc, hours, "")
	case "azurerm_managed_disk":
		p.disk("Managed disk "+p.name(r), str(r, "storage_account_type", ""), num(r, "disk_size_gb", 0), 1)
	case "azurerm_storage_account":
		key := fmt.Sprintf("storage/%s/%s_%s", str(r, "account_kind", "StorageV2"), str(r, "account_tier", "Standard"), str(r, "account_replication_type", ""))
		sku := str(r, "account_kind", "StorageV2") + " " + str(r, "account_tier", "Standard") + "_" + str(r, "account_replication_type", "") + " " + str(r, "access_tier", "Hot")
		p.add("Storage account "+p.name(r)+" (data)", sku, key+"/hot-gb", p.assume("storageGB"), "assumed usage")
		p.add("Storage account "+p.name(r)+" (writes)", sku, key+"/write-ops", p.assume("storageWrites10k"), "assumed usage")
	case "azurerm_key_vault":
		p.add("Key Vault "+p.name(r), str(r, "sku_name", "standard"), "keyvault/"+str(r, "sku_name", "standard")+"/operations", p.assume("keyVaultOperations10k"), "assumed usage")
	case "azurerm_log_analytics_workspace":
		quota := num(r, "daily_quota_gb", -1)
		if quota < 0 {
			return fmt.Errorf("no daily_quota_gb: an uncapped workspace has no upper bound to estimate")
		}
		sku := str(r, "sku", "PerGB2018")
		p.add("Log Analytics "+p.name(r), sku+fmt.Sprintf(", cap %g GB/day", quota), "loganalytics/"+sku+"/ingestion", round2(quota*p.assume("daysPerMonth")), "at most the daily cap every day;")
	case "azurerm_dns_zone":
		p.add("DNS zone "+p.name(r), "public zone", "dns/zone", 1, "plus queries")
	case "azurerm_monitor_metric_alert":
		crit, _ := r.Attrs["criteria"].([]any)
		p.add("Metric alert "+p.name(r), "per time series", "monitor/metric-alert", float64(max(1, len(crit))), "")
	case "azurerm_monitor_scheduled_query_rules_alert_v2":
		freq := str(r, "evaluation_frequency", "")
		p.add("Log search alert "+p.name(r), "evaluated every "+freq, "monitor/log-alert/"+freq, 1, "")
	case "azurerm_data_protection_backup_instance_disk":
		size, err := p.referencedDiskSize(str(r, "disk_id", ""))
		if err != nil {
			return err
		}
		p.add("Disk backup "+p.name(r), "incremental snapshots", "backup/disk/snapshot-gb", size*p.assume("snapshotChangedFraction"), "no instance fee for disks;")
	default:
		return fmt.Errorf("no price and not known to be free: add it to tools/cost (prices-%s.json or FreeTypes)", p.t.Region)
	}
	return p.err
}

// cluster prices the control plane, the node pool with its OS disks, and
// the Standard load balancer and outbound IP that AKS creates.
func (p *pricer) cluster(r stackjson.Block) {
	name := str(r, "name", "cluster")
	hours := p.t.HoursPerMonth
	tier := str(r, "sku_tier", "Free")
	q := 1.0
	if it, _ := p.item("aks/" + tier); it.Unit == "hour" {
		q = hours
	}
	p.add("AKS control plane "+name, tier+" tier", "aks/"+tier, q, "") // an unpriced tier fails here
	vm := str(r, "default_node_pool.vm_size", "")
	nodes := num(r, "default_node_pool.node_count", 1)
	p.add("Nodes ("+str(r, "default_node_pool.name", "default")+" pool)", fmt.Sprintf("%s x %g", vm, nodes), "vm/"+vm, hours*nodes, "")
	if str(r, "default_node_pool.os_disk_type", "Managed") == "Managed" {
		p.disk("Node OS disks", "Premium_LRS", num(r, "default_node_pool.os_disk_size_gb", 128), nodes)
	}
	if strings.EqualFold(str(r, "network_profile.load_balancer_sku", "standard"), "standard") && str(r, "network_profile.outbound_type", "loadBalancer") == "loadBalancer" {
		// One outbound rule plus one rule per port the NSG opens to the
		// internet (each needs a rule on the Service's load balancer).
		rules := 1 + p.internetPorts()
		p.add("Load balancer (AKS-managed)", fmt.Sprintf("Standard, first 5 of %d rules", rules), "lb/Standard/rules", hours, "")
		if extra := rules - 5; extra > 0 {
			p.add("Load balancer rules beyond 5", fmt.Sprintf("Standard, %d more", extra), "lb/Standard/extra-rule", hours*float64(extra), "")
		}
		p.add("Outbound public IP (AKS-managed)", "Standard static IPv4", "ip/Standard/static", hours, "")
	}
}

// internetPorts counts the NSG allow rules open to the internet.
func (p *pricer) internetPorts() int {
	n := 0
	for _, r := range p.s.Resources("azurerm_network_security_rule") {
		src := str(r, "source_address_prefix", "")
		if str(r, "access", "") == "Allow" && (src == "Internet" || src == "*") {
			n++
		}
	}
	return n
}

// disk prices count disks of a type and size at the smallest tier that
// holds sizeGB.
func (p *pricer) disk(component, typ string, sizeGB, count float64) {
	for _, tier := range PremiumTiers {
		it, ok := p.t.Items["disk/"+typ+"/"+tier]
		if ok && it.SizeGB >= sizeGB {
			p.add(component, fmt.Sprintf("%s %s (%g GiB) for %g GiB", typ, tier, it.SizeGB, sizeGB), "disk/"+typ+"/"+tier, count, "")
			return
		}
	}
	p.err = cmp.Or(p.err, fmt.Errorf("no %s tier of %g GiB or more in prices-%s.json", typ, sizeGB, p.t.Region))
}

// referencedDiskSize resolves "${azurerm_managed_disk.<id>.id}".
func (p *pricer) referencedDiskSize(ref string) (float64, error) {
	if m := reference.FindStringSubmatch(ref); m != nil && m[1] == "azurerm_managed_disk" && m[3] == "id" {
		if d, ok := p.s.Lookup(m[1] + "." + m[2]); ok {
			return num(d, "disk_size_gb", 0), nil
		}
	}
	return 0, fmt.Errorf("backs up %q, which is not a disk of this stack", ref)
}

// budgetOf reads the resource-group budget of a synthesized stack (the
// first, and the stacks have one), or nil.
func budgetOf(s *stackjson.Stack) *Budget {
	budgets := s.Resources("azurerm_consumption_budget_resource_group")
	if len(budgets) == 0 {
		return nil
	}
	r := budgets[0]
	b := &Budget{Amount: num(r, "amount", 0), AlertPercent: math.Inf(1)}
	notes, _ := r.Attrs["notification"].([]any)
	for i := range notes {
		n := fmt.Sprintf("notification.%d.", i)
		if str(r, n+"threshold_type", "Actual") == "Actual" {
			b.AlertPercent = math.Min(b.AlertPercent, num(r, n+"threshold", 100))
		}
	}
	if math.IsInf(b.AlertPercent, 1) {
		b.AlertPercent = 100
	}
	return b
}

// attr is the T at path in b, or def.
func attr[T any](b stackjson.Block, path string, def T) T {
	v, _ := b.Get(path)
	if v, ok := v.(T); ok {
		return v
	}
	return def
}

func str(b stackjson.Block, path, def string) string          { return attr(b, path, def) }
func num(b stackjson.Block, path string, def float64) float64 { return attr(b, path, def) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// trailingSpaces are the tabwriter's padding at the end of a line.
var trailingSpaces = regexp.MustCompile(`(?m) +$`)

// Render writes the estimates as a table per stack, with the total against
// the budget.
func Render(out io.Writer, ests []*Estimate) {
	w := new(bytes.Buffer)
	for i, e := range ests {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if e.Table == nil {
			fmt.Fprintf(w, "Stack %s: no Azure resources (objects inside the cluster cost nothing themselves)\n", e.Stack)
			continue
		}
		fmt.Fprintf(w, "Stack %s (%s, %s list prices transcribed %s)\n", e.Stack, e.Region, e.Table.Currency, e.Table.Transcribed)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  component\tSKU\tquantity\tunit price\tmonthly\tnote")
		for _, l := range e.Lines {
			fmt.Fprintf(tw, "  %s\t%s\t%s %s\t$%s/%s\t$%.2f\t%s\n", l.Component, l.SKU, trim(l.Quantity), l.QuantityUnit, trim(l.UnitPrice), l.PriceUnit, l.Monthly, l.Note)
		}
		fmt.Fprintf(tw, "  Total\t\t\t\t$%.2f\t\n", e.Total)
		_ = tw.Flush()
		if e.Budget == nil {
			fmt.Fprintln(w, "  no budget in this stack")
			continue
		}
		verdict := "within"
		if e.OverBudget() {
			verdict = "OVER"
		}
		fmt.Fprintf(w, "  Budget $%.2f a month, first alert at %g%% = $%.2f: estimate %s the alert threshold\n", e.Budget.Amount, e.Budget.AlertPercent, e.Budget.AlertAt(), verdict)
	}
	_, _ = io.WriteString(out, trailingSpaces.ReplaceAllString(w.String(), ""))
}

func trim(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", f), "0"), ".")
}

// EstimateAll prices every stack (name to cdk.tf.json), in name order.
func EstimateAll(stacks map[string][]byte) ([]*Estimate, error) {
	var out []*Estimate
	for _, name := range slices.Sorted(maps.Keys(stacks)) {
		s, err := stackjson.Parse(name, stacks[name])
		if err != nil {
			return nil, err
		}
		e, err := EstimateStack(s)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
