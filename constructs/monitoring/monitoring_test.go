package monitoring

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

func build(app cdktf.App, id string, emails []string) {
	stack := synthtest.NewAzureStack(app, id)
	place := synthtest.Placement(stack)
	aks := kubernetescluster.NewKubernetesCluster(stack, jsii.String("aks"), &kubernetescluster.KubernetesClusterConfig{
		Name: jsii.String("aks"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"), DnsPrefix: jsii.String("aks"),
		DefaultNodePool: &kubernetescluster.KubernetesClusterDefaultNodePool{Name: jsii.String("system"), VmSize: jsii.String("Standard_D2s_v5")},
	})
	logs := NewLogAnalytics(stack, "logs", LogAnalyticsProps{Placement: place, Name: "logs", DailyQuotaGB: 0.16, RetentionDays: 30})
	NewContainerInsights(stack, "insights", ContainerInsightsProps{Placement: place, Name: "dcr", Workspace: logs.Workspace, Cluster: aks})
	alerts := NewAlerts(stack, "alerts", AlertsProps{
		Placement: place, NamePrefix: "p-alerts", ActionGroupShortName: "palerts", Emails: emails,
		Cluster: aks, Alerts: NodeAlerts(90, 90, 80), Frequency: "PT5M", WindowSize: "PT15M", Severity: 3,
	})
	NewVolumeAlert(stack, "volume", VolumeAlertProps{
		Placement: place, Name: "p-ipfs-volume", Workspace: logs.Workspace,
		Namespace: "perpetual", ClaimName: "ipfs-data", ThresholdPercent: 85, Severity: 2, ActionGroup: alerts.ActionGroup,
	})
	NewBudget(stack, "budget", BudgetProps{
		Placement: place, Name: "budget", Amount: 50, Emails: []string{"ops@example.com"},
		ActualThresholdPercent: 80, ForecastThresholdPercent: 100,
	})
}

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	build(app, "full", []string{"ops@example.com", "oncall@example.com"})
	build(app, "quiet", nil)
})

func TestWorkspace(t *testing.T) {
	ws := synth(t)["full"].Named(t, "azurerm_log_analytics_workspace", "logs")
	ws.Equal(t, "sku", "PerGB2018")
	ws.Equal(t, "daily_quota_gb", 0.16)
	ws.Equal(t, "retention_in_days", 30)
	ws.Equal(t, "local_authentication_enabled", false)

	dcr := synth(t)["full"].Named(t, "azurerm_monitor_data_collection_rule", "dcr")
	dcr.Equal(t, "destinations.log_analytics.0.workspace_resource_id", synthtest.Ref(ws, "id"))
	dcr.Equal(t, "data_flow.0.streams", []string{ContainerInsightsStream})
	dcr.Equal(t, "data_sources.extension.0.extension_name", "ContainerInsights")
	assoc := synth(t)["full"].Only(t, "azurerm_monitor_data_collection_rule_association")
	assoc.Equal(t, "target_resource_id", synthtest.Ref(synth(t)["full"].Named(t, "azurerm_kubernetes_cluster", "aks"), "id"))
	assoc.Equal(t, "data_collection_rule_id", synthtest.Ref(dcr, "id"))
}

func TestAlerts(t *testing.T) {
	group := synth(t)["full"].Named(t, "azurerm_monitor_action_group", "p-alerts")
	group.Equal(t, "short_name", "palerts")
	group.Equal(t, "email_receiver.0.email_address", "ops@example.com")
	group.Equal(t, "email_receiver.1.email_address", "oncall@example.com")
	want := map[string]struct {
		metric    string
		threshold float64
	}{
		"p-alerts-node-cpu":    {"node_cpu_usage_percentage", 90},
		"p-alerts-node-memory": {"node_memory_working_set_percentage", 90},
		"p-alerts-node-disk":   {"node_disk_usage_percentage", 80},
	}
	for name, w := range want {
		a := synth(t)["full"].Named(t, "azurerm_monitor_metric_alert", name)
		a.Equal(t, "scopes", []string{synthtest.Ref(synth(t)["full"].Named(t, "azurerm_kubernetes_cluster", "aks"), "id")})
		a.Equal(t, "frequency", "PT5M")
		a.Equal(t, "window_size", "PT15M")
		a.Equal(t, "severity", 3)
		a.Equal(t, "criteria.0.metric_namespace", ClusterMetricNamespace)
		a.Equal(t, "criteria.0.metric_name", w.metric)
		a.Equal(t, "criteria.0.operator", "GreaterThan")
		a.Equal(t, "criteria.0.threshold", w.threshold)
		a.Equal(t, "action.0.action_group_id", synthtest.Ref(group, "id"))
	}
	if synth(t)["quiet"].Count("azurerm_monitor_action_group") != 0 {
		t.Error("an action group without e-mails")
	}
	for _, a := range synth(t)["quiet"].Resources("azurerm_monitor_metric_alert") {
		if a.Has("action") {
			t.Errorf("%s has an action without an action group", a.Address())
		}
	}
}

func TestVolumeAlert(t *testing.T) {
	ws := synth(t)["full"].Named(t, "azurerm_log_analytics_workspace", "logs")
	a := synth(t)["full"].Named(t, "azurerm_monitor_scheduled_query_rules_alert_v2", "p-ipfs-volume")
	a.Equal(t, "scopes", []string{synthtest.Ref(ws, "id")})
	a.Equal(t, "evaluation_frequency", "PT15M")
	a.Equal(t, "severity", 2)
	a.Equal(t, "criteria.0.threshold", 85)
	a.Equal(t, "criteria.0.metric_measure_column", "UsedPercent")
	a.Equal(t, "criteria.0.time_aggregation_method", "Maximum")
	a.Equal(t, "criteria.0.operator", "GreaterThan")
	q := a.Str(t, "criteria.0.query")
	for _, want := range []string{`Name == "pvUsedBytes"`, `tostring(Tags.pvcNamespace) == "perpetual"`, `tostring(Tags.pvcName) == "ipfs-data"`, "UsedPercent ="} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %s:\n%s", want, q)
		}
	}
	a.Equal(t, "action.action_groups", []string{synthtest.Ref(synth(t)["full"].Named(t, "azurerm_monitor_action_group", "p-alerts"), "id")})
	if synth(t)["quiet"].Named(t, "azurerm_monitor_scheduled_query_rules_alert_v2", "p-ipfs-volume").Has("action") {
		t.Error("an action without an action group")
	}
	disk := synth(t)["full"].Named(t, "azurerm_monitor_metric_alert", "p-alerts-node-disk")
	if d := disk.Str(t, "description"); !strings.Contains(d, "not the IPFS volume") {
		t.Errorf("node disk alert %q does not say it does not watch the IPFS volume", d)
	}
}

func TestBudget(t *testing.T) {
	b := synth(t)["full"].Named(t, "azurerm_consumption_budget_resource_group", "budget")
	b.Equal(t, "amount", 50)
	b.Equal(t, "time_grain", "Monthly")
	b.Equal(t, "time_period.start_date", StartDate)
	b.Equal(t, "lifecycle.ignore_changes", []string{"time_period"})
	var notes []map[string]any
	raw, _ := json.Marshal(b.Value(t, "notification"))
	if err := json.Unmarshal(raw, &notes); err != nil || len(notes) != 2 {
		t.Fatalf("notifications %s", raw)
	}
	kinds := map[string]float64{}
	for _, n := range notes {
		kinds[n["threshold_type"].(string)] = n["threshold"].(float64)
		if n["operator"] != "GreaterThan" || compactJSON(n["contact_emails"]) != `["ops@example.com"]` {
			t.Errorf("notification %v", n)
		}
	}
	if kinds["Actual"] != 80 || kinds["Forecasted"] != 100 {
		t.Errorf("thresholds %v, want Actual 80 and Forecasted 100", kinds)
	}
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
