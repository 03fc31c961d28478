package monitoring

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/consumptionbudgetresourcegroup"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// BudgetProps configures [NewBudget]. The budget watches
// Placement.ResourceGroup; it has no region or tags of its own.
type BudgetProps struct {
	azure.Placement
	Name string
	// Amount per month, in the billing currency.
	Amount float64
	Emails []string
	// ActualThresholdPercent notifies on actual cost;
	// ForecastThresholdPercent on forecast cost. Azure takes whole
	// percentages only.
	ActualThresholdPercent   int
	ForecastThresholdPercent int
}

// StartDate is the budget's start: the first day of the month in which
// Terraform creates it. Azure refuses a budget that starts before the
// current month, so no date fixed in configuration stays valid; the
// expression is evaluated at apply time, so synthesis stays deterministic.
const StartDate = "${formatdate(\"YYYY-MM-01'T00:00:00Z'\", timestamp())}"

// Budget is the monthly cost budget.
type Budget struct {
	constructs.Construct
	Consumption consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroup
}

// NewBudget creates a monthly cost budget on the resource group, named id in
// Terraform, starting in the month of its creation ([StartDate]). Later
// plans ignore the start date (lifecycle.ignore_changes): timestamp()
// changes on every plan, and Azure refuses to move a budget's start into a
// past month.
func NewBudget(scope constructs.Construct, id string, p BudgetProps) *Budget {
	b := &Budget{Construct: constructs.NewConstruct(scope, &id)}
	notification := func(threshold int, kind string) *consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification {
		return &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification{
			Enabled:       jsii.Bool(true),
			Operator:      jsii.String("GreaterThan"),
			Threshold:     tfx.Num(threshold),
			ThresholdType: jsii.String(kind),
			ContactEmails: tfx.Strings(p.Emails),
		}
	}
	b.Consumption = tfx.Pin(consumptionbudgetresourcegroup.NewConsumptionBudgetResourceGroup(b.Construct, jsii.String("budget"), &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupConfig{
		Name:            jsii.String(p.Name),
		ResourceGroupId: p.ResourceGroup.Id(),
		Amount:          jsii.Number(p.Amount),
		TimeGrain:       jsii.String("Monthly"),
		TimePeriod: &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupTimePeriod{
			StartDate: jsii.String(StartDate),
		},
		Notification: &[]*consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification{
			notification(p.ActualThresholdPercent, "Actual"),
			notification(p.ForecastThresholdPercent, "Forecasted"),
		},
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			IgnoreChanges: &[]*string{jsii.String("time_period")},
		},
	}), id)
	return b
}
