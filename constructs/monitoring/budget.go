package monitoring

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/consumptionbudgetresourcegroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// BudgetProps configures [NewBudget].
type BudgetProps struct {
	Name            string
	ResourceGroupID string
	// Amount per month, in the billing currency.
	Amount float64
	Emails []string
	// ActualThresholdPercent notifies on actual cost (80 in the design);
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

// NewBudget creates a monthly cost budget on the resource group, starting in
// the month of its creation ([StartDate]). Later plans ignore the start date
// (lifecycle.ignore_changes): timestamp() changes on every plan, and Azure
// refuses to move a budget's start into a past month.
func NewBudget(scope constructs.Construct, id string, p BudgetProps) consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroup {
	notification := func(threshold int, kind string) *consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification {
		return &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification{
			Enabled:       jsii.Bool(true),
			Operator:      jsii.String("GreaterThan"),
			Threshold:     tfx.Num(threshold),
			ThresholdType: jsii.String(kind),
			ContactEmails: tfx.Strings(p.Emails),
		}
	}
	return consumptionbudgetresourcegroup.NewConsumptionBudgetResourceGroup(scope, jsii.String(id), &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupConfig{
		Name:            jsii.String(p.Name),
		ResourceGroupId: jsii.String(p.ResourceGroupID),
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
	})
}
