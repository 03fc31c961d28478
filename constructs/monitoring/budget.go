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
	// StartMonth "YYYY-MM": Azure accepts the current month or up to a year
	// ahead when the budget is created.
	StartMonth string
	Emails     []string
	// ActualThresholdPercent notifies on actual cost (80 in the design);
	// ForecastThresholdPercent on forecast cost.
	ActualThresholdPercent   float64
	ForecastThresholdPercent float64
}

// NewBudget creates a monthly cost budget on the resource group. The start
// date comes from configuration, never from the clock, so synthesis is
// deterministic; later edits of it are ignored (lifecycle.ignore_changes),
// because Azure refuses a start date in a past month and a replacement would
// fail.
func NewBudget(scope constructs.Construct, id string, p BudgetProps) consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroup {
	notification := func(threshold float64, kind string) *consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification {
		return &consumptionbudgetresourcegroup.ConsumptionBudgetResourceGroupNotification{
			Enabled:       jsii.Bool(true),
			Operator:      jsii.String("GreaterThan"),
			Threshold:     jsii.Number(threshold),
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
			StartDate: jsii.String(p.StartMonth + "-01T00:00:00Z"),
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
