package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/monitoring"
)

// newLogAnalytics builds the capped Log Analytics workspace with monitoring
// "log-analytics"; nil with "basic".
func newLogAnalytics(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement) *monitoring.LogAnalytics {
	if cfg.Monitoring != config.MonitoringLogAnalytics {
		return nil
	}
	return monitoring.NewLogAnalytics(stack, "log-analytics", monitoring.LogAnalyticsProps{
		Placement:     place,
		Name:          cfg.Names().LogAnalytics,
		DailyQuotaGB:  cfg.LogAnalytics.DailyQuotaGB,
		RetentionDays: cfg.LogAnalytics.RetentionDays,
	})
}

// newMonitoring builds the node alerts with their action group, the budget
// and, with a workspace, Container Insights' collection rule and the alert
// on the IPFS volume.
func newMonitoring(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, aks *cluster.Cluster, logs *monitoring.LogAnalytics) {
	names, a := cfg.Names(), cfg.Alerts
	alerts := monitoring.NewAlerts(stack, "alerts", monitoring.AlertsProps{
		Placement:            place,
		NamePrefix:           names.ActionGroup,
		ActionGroupShortName: names.ActionGroupShort,
		Emails:               a.Emails,
		Cluster:              aks.AKS,
		Alerts:               monitoring.NodeAlerts(a.CPUThresholdPercent, a.MemoryThresholdPercent, a.DiskThresholdPercent),
		Frequency:            a.Frequency,
		WindowSize:           a.WindowSize,
		Severity:             a.Severity,
	})
	if logs != nil {
		monitoring.NewContainerInsights(stack, "container-insights", monitoring.ContainerInsightsProps{
			Placement: place,
			Name:      "MSCI-" + cfg.Location + "-" + names.Cluster,
			Workspace: logs.Workspace,
			Cluster:   aks.AKS,
		})
		monitoring.NewVolumeAlert(stack, "ipfs-volume-alert", monitoring.VolumeAlertProps{
			Placement:        place,
			Name:             names.ActionGroup + "-ipfs-volume",
			Workspace:        logs.Workspace,
			Namespace:        cfg.Workload.Namespace,
			ClaimName:        cfg.Workload.ClaimName,
			ThresholdPercent: a.VolumeThresholdPercent,
			Severity:         a.Severity,
			ActionGroup:      alerts.ActionGroup,
		})
	}
	b := cfg.Budget
	monitoring.NewBudget(stack, "budget", monitoring.BudgetProps{
		Placement:                place,
		Name:                     names.Budget,
		Amount:                   b.Amount,
		Emails:                   b.Emails,
		ActualThresholdPercent:   b.ActualThresholdPercent,
		ForecastThresholdPercent: b.ForecastThresholdPercent,
	})
}
