package monitoring

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitoractiongroup"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitormetricalert"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// ClusterMetricNamespace holds the AKS platform metrics used below.
const ClusterMetricNamespace = "Microsoft.ContainerService/managedClusters"

// NodeAlert is one metric alert on the cluster's nodes.
type NodeAlert struct {
	// Name is the short name ("node-cpu"); the alert is named
	// <AlertsProps.NamePrefix>-<Name>.
	Name        string
	Metric      string
	Threshold   float64
	Description string
}

// NodeAlerts returns the alerts on node CPU, memory working set and disk
// usage. node_disk_usage_percentage measures the nodes' own filesystems (the
// OS disk with container images and logs), not the IPFS volume, which is a
// separate managed disk: see [NewVolumeAlert] for that.
func NodeAlerts(cpu, memory, disk float64) []NodeAlert {
	return []NodeAlert{
		{Name: "node-cpu", Metric: "node_cpu_usage_percentage", Threshold: cpu,
			Description: fmt.Sprintf("Node CPU above %g %%", cpu)},
		{Name: "node-memory", Metric: "node_memory_working_set_percentage", Threshold: memory,
			Description: fmt.Sprintf("Node memory working set above %g %%", memory)},
		{Name: "node-disk", Metric: "node_disk_usage_percentage", Threshold: disk,
			Description: fmt.Sprintf("Node OS disk above %g %% full (images, logs; not the IPFS volume)", disk)},
	}
}

// AlertsProps configures [NewAlerts]. Metric alerts and action groups are
// global: Placement.Location is not used.
type AlertsProps struct {
	azure.Placement
	// NamePrefix starts the names of the action group and the alerts.
	NamePrefix string
	// ActionGroupShortName: at most 12 characters, shown in e-mails.
	ActionGroupShortName string
	// Emails receive the alerts. Empty: no action group; the alerts still
	// fire and show in the portal.
	Emails  []string
	Cluster kubernetescluster.KubernetesCluster
	Alerts  []NodeAlert
	// Frequency and WindowSize are ISO 8601 durations (PT5M, PT15M).
	Frequency  string
	WindowSize string
	// Severity: 0 (critical) to 4 (verbose).
	Severity int
}

// Alerts is the action group and the metric alerts.
type Alerts struct {
	constructs.Construct
	// ActionGroup is nil without e-mails.
	ActionGroup monitoractiongroup.MonitorActionGroup
	Alerts      []monitormetricalert.MonitorMetricAlert
}

// NewAlerts creates the action group and one metric alert per NodeAlert on
// the average of the metric over the window.
func NewAlerts(scope constructs.Construct, id string, p AlertsProps) *Alerts {
	a := &Alerts{Construct: constructs.NewConstruct(scope, &id)}
	var actions []*monitormetricalert.MonitorMetricAlertAction
	if len(p.Emails) > 0 {
		var receivers []*monitoractiongroup.MonitorActionGroupEmailReceiver
		for i, e := range p.Emails {
			receivers = append(receivers, &monitoractiongroup.MonitorActionGroupEmailReceiver{
				Name:                 jsii.String(fmt.Sprintf("email-%d", i+1)),
				EmailAddress:         jsii.String(e),
				UseCommonAlertSchema: jsii.Bool(true),
			})
		}
		a.ActionGroup = tfx.Pin(monitoractiongroup.NewMonitorActionGroup(a.Construct, jsii.String("action-group"), &monitoractiongroup.MonitorActionGroupConfig{
			Name:              jsii.String(p.NamePrefix),
			ResourceGroupName: p.GroupName(),
			ShortName:         jsii.String(p.ActionGroupShortName),
			Location:          jsii.String("global"),
			EmailReceiver:     &receivers,
			Tags:              p.TagMap(),
		}), id+"-action-group")
		actions = append(actions, &monitormetricalert.MonitorMetricAlertAction{ActionGroupId: a.ActionGroup.Id()})
	}
	for _, al := range p.Alerts {
		cfg := &monitormetricalert.MonitorMetricAlertConfig{
			Name:              jsii.String(p.NamePrefix + "-" + al.Name),
			ResourceGroupName: p.GroupName(),
			Scopes:            &[]*string{p.Cluster.Id()},
			Description:       jsii.String(al.Description),
			Severity:          tfx.Num(p.Severity),
			Frequency:         jsii.String(p.Frequency),
			WindowSize:        jsii.String(p.WindowSize),
			AutoMitigate:      jsii.Bool(true),
			Criteria: &[]*monitormetricalert.MonitorMetricAlertCriteria{{
				MetricNamespace: jsii.String(ClusterMetricNamespace),
				MetricName:      jsii.String(al.Metric),
				Aggregation:     jsii.String("Average"),
				Operator:        jsii.String("GreaterThan"),
				Threshold:       jsii.Number(al.Threshold),
			}},
			Tags: p.TagMap(),
		}
		if len(actions) > 0 {
			cfg.Action = &actions
		}
		a.Alerts = append(a.Alerts, tfx.Pin(monitormetricalert.NewMonitorMetricAlert(a.Construct, jsii.String(al.Name), cfg), id+"-"+al.Name))
	}
	return a
}
