// Package monitoring builds what watches the perpetual node and its bill: a
// Log Analytics workspace with Container Insights, metric alerts on the
// cluster's nodes with an e-mail action group, and a monthly budget.
package monitoring

import (
	"encoding/json"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/loganalyticsworkspace"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitordatacollectionrule"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/monitordatacollectionruleassociation"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// LogAnalyticsProps configures [NewLogAnalytics].
type LogAnalyticsProps struct {
	azure.Placement
	Name string
	// DailyQuotaGB caps ingestion; 0.16 GB a day is about the 5 GB a month
	// that Log Analytics does not charge for.
	DailyQuotaGB float64
	// RetentionDays: up to 31 days costs nothing.
	RetentionDays int
}

// LogAnalytics is the Log Analytics workspace.
type LogAnalytics struct {
	constructs.Construct
	Workspace loganalyticsworkspace.LogAnalyticsWorkspace
}

// NewLogAnalytics creates a pay-as-you-go (PerGB2018) workspace with a daily
// cap, named id in Terraform; PerGB2018 is the tier new workspaces get.
// Local (shared key) authentication is off: the monitoring add-on
// authenticates with its managed identity.
func NewLogAnalytics(scope constructs.Construct, id string, p LogAnalyticsProps) *LogAnalytics {
	l := &LogAnalytics{Construct: constructs.NewConstruct(scope, &id)}
	l.Workspace = tfx.Pin(loganalyticsworkspace.NewLogAnalyticsWorkspace(l.Construct, jsii.String("workspace"), &loganalyticsworkspace.LogAnalyticsWorkspaceConfig{
		Name:                       jsii.String(p.Name),
		ResourceGroupName:          p.GroupName(),
		Location:                   p.Region(),
		Sku:                        jsii.String("PerGB2018"),
		DailyQuotaGb:               jsii.Number(p.DailyQuotaGB),
		RetentionInDays:            tfx.Num(p.RetentionDays),
		LocalAuthenticationEnabled: jsii.Bool(false),
		Tags:                       p.TagMap(),
	}), id)
	return l
}

// ContainerInsightsStream is the Container Insights stream group that the
// data collection rule sends to the workspace.
const ContainerInsightsStream = "Microsoft-ContainerInsights-Group-Default"

// ContainerInsightsProps configures [NewContainerInsights].
type ContainerInsightsProps struct {
	azure.Placement
	Name      string
	Workspace loganalyticsworkspace.LogAnalyticsWorkspace
	Cluster   kubernetescluster.KubernetesCluster
}

// ContainerInsights is the data collection rule of the monitoring add-on
// and its association with the cluster.
type ContainerInsights struct {
	constructs.Construct
	Rule        monitordatacollectionrule.MonitorDataCollectionRule
	Association monitordatacollectionruleassociation.MonitorDataCollectionRuleAssociation
}

// NewContainerInsights creates the data collection rule that the monitoring
// add-on (with managed identity auth) needs, named id in Terraform, and
// associates it with the cluster (id+"-association"). Without it the
// add-on's agents run but collect nothing: the Azure CLI creates this rule
// itself, Terraform must do it explicitly.
func NewContainerInsights(scope constructs.Construct, id string, p ContainerInsightsProps) *ContainerInsights {
	c := &ContainerInsights{Construct: constructs.NewConstruct(scope, &id)}
	settings, _ := json.Marshal(map[string]any{
		"dataCollectionSettings": map[string]any{
			"interval":               "5m",
			"namespaceFilteringMode": "Off",
			"enableContainerLogV2":   true,
		},
	})
	const destination = "workspace"
	c.Rule = tfx.Pin(monitordatacollectionrule.NewMonitorDataCollectionRule(c.Construct, jsii.String("rule"), &monitordatacollectionrule.MonitorDataCollectionRuleConfig{
		Name:              jsii.String(p.Name),
		ResourceGroupName: p.GroupName(),
		Location:          p.Region(),
		Description:       jsii.String("Container Insights for the perpetual node's cluster"),
		DataSources: &monitordatacollectionrule.MonitorDataCollectionRuleDataSources{
			Extension: &[]*monitordatacollectionrule.MonitorDataCollectionRuleDataSourcesExtension{{
				Name:          jsii.String("ContainerInsightsExtension"),
				ExtensionName: jsii.String("ContainerInsights"),
				Streams:       tfx.Strings([]string{ContainerInsightsStream}),
				ExtensionJson: jsii.String(string(settings)),
			}},
		},
		Destinations: &monitordatacollectionrule.MonitorDataCollectionRuleDestinations{
			LogAnalytics: &[]*monitordatacollectionrule.MonitorDataCollectionRuleDestinationsLogAnalytics{{
				Name:                jsii.String(destination),
				WorkspaceResourceId: p.Workspace.Id(),
			}},
		},
		DataFlow: &[]*monitordatacollectionrule.MonitorDataCollectionRuleDataFlow{{
			Streams:      tfx.Strings([]string{ContainerInsightsStream}),
			Destinations: tfx.Strings([]string{destination}),
		}},
		Tags: p.TagMap(),
	}), id)
	c.Association = tfx.Pin(monitordatacollectionruleassociation.NewMonitorDataCollectionRuleAssociation(c.Construct, jsii.String("association"), &monitordatacollectionruleassociation.MonitorDataCollectionRuleAssociationConfig{
		Name:                 jsii.String("ContainerInsightsExtension"),
		TargetResourceId:     p.Cluster.Id(),
		DataCollectionRuleId: c.Rule.Id(),
	}), id+"-association")
	return c
}
