package monitoring

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/loganalyticsworkspace"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitoractiongroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitorscheduledqueryrulesalertv2"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// VolumeAlertFrequency is how often the volume alert runs its query. A disk
// fills over days, and Azure bills log alerts by frequency: every 15 minutes
// is the cheapest step.
const VolumeAlertFrequency = "PT15M"

// VolumeAlertProps configures [NewVolumeAlert].
type VolumeAlertProps struct {
	azure.Placement
	Name string
	// Workspace is the Log Analytics workspace that Container Insights
	// writes to.
	Workspace loganalyticsworkspace.LogAnalyticsWorkspace
	// Namespace and ClaimName identify the PersistentVolumeClaim to watch.
	Namespace string
	ClaimName string
	// ThresholdPercent of the volume's capacity in use fires the alert.
	ThresholdPercent float64
	Severity         int
	// ActionGroup is notified; nil: the alert only shows in the portal.
	ActionGroup monitoractiongroup.MonitorActionGroup
}

// VolumeAlert is the log search alert on a volume's fill level.
type VolumeAlert struct {
	constructs.Construct
	Rule monitorscheduledqueryrulesalertv2.MonitorScheduledQueryRulesAlertV2
}

// VolumeUsageQuery is the log query of the volume alert: Container Insights
// records each mounted claim's used bytes as the InsightsMetrics metric
// pvUsedBytes (namespace container.azm.ms/pv) every minute, with the claim
// and its capacity in Tags. It returns the claim's fill level in percent.
//
// A new workspace has no InsightsMetrics table until Container Insights
// first writes to it, and Azure validates an alert's query when the alert
// is created: the query reads the table through a fuzzy union with an
// empty table of the same columns, which compiles (and returns nothing)
// while the table is missing.
func VolumeUsageQuery(namespace, claim string) string {
	return fmt.Sprintf(`union isfuzzy=true
    (datatable(TimeGenerated: datetime, Namespace: string, Name: string, Val: real, Tags: string)[]),
    (InsightsMetrics)
| where Namespace == "container.azm.ms/pv" and Name == "pvUsedBytes"
| extend Tags = parse_json(Tags)
| where tostring(Tags.pvcNamespace) == %q and tostring(Tags.pvcName) == %q
| extend CapacityBytes = todouble(coalesce(Tags.pvCapacityBytes, Tags.capacityBytes))
| where CapacityBytes > 0
| summarize UsedPercent = max(Val * 100.0 / CapacityBytes) by bin(TimeGenerated, 5m)`, namespace, claim)
}

// NewVolumeAlert creates a log search alert on the fill level of one
// PersistentVolumeClaim, read from Container Insights, named id in
// Terraform. Unlike the platform metric node_disk_usage_percentage, which
// measures the nodes' own filesystems, this watches the volume the data
// lives on.
func NewVolumeAlert(scope constructs.Construct, id string, p VolumeAlertProps) *VolumeAlert {
	a := &VolumeAlert{Construct: constructs.NewConstruct(scope, &id)}
	cfg := &monitorscheduledqueryrulesalertv2.MonitorScheduledQueryRulesAlertV2Config{
		Name:                jsii.String(p.Name),
		ResourceGroupName:   p.GroupName(),
		Location:            p.Region(),
		Scopes:              &[]*string{p.Workspace.Id()},
		Description:         jsii.String(fmt.Sprintf("Volume %s/%s above %g %% full", p.Namespace, p.ClaimName, p.ThresholdPercent)),
		Severity:            tfx.Num(p.Severity),
		EvaluationFrequency: jsii.String(VolumeAlertFrequency),
		WindowDuration:      jsii.String("PT30M"),
		Criteria: &[]*monitorscheduledqueryrulesalertv2.MonitorScheduledQueryRulesAlertV2Criteria{{
			Query:                 jsii.String(VolumeUsageQuery(p.Namespace, p.ClaimName)),
			TimeAggregationMethod: jsii.String("Maximum"),
			MetricMeasureColumn:   jsii.String("UsedPercent"),
			Operator:              jsii.String("GreaterThan"),
			Threshold:             jsii.Number(p.ThresholdPercent),
		}},
		AutoMitigationEnabled: jsii.Bool(true),
		Tags:                  p.TagMap(),
	}
	if p.ActionGroup != nil {
		cfg.Action = &monitorscheduledqueryrulesalertv2.MonitorScheduledQueryRulesAlertV2Action{
			ActionGroups: &[]*string{p.ActionGroup.Id()},
		}
	}
	a.Rule = tfx.Pin(monitorscheduledqueryrulesalertv2.NewMonitorScheduledQueryRulesAlertV2(a.Construct, jsii.String("rule"), cfg), id)
	return a
}
