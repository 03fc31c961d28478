// Package monitoring builds what watches the perpetual node and its bill: a
// Log Analytics workspace with Container Insights, metric alerts on the
// cluster's nodes with an e-mail action group, and a monthly budget.
package monitoring

import (
	"encoding/json"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/loganalyticsworkspace"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/monitordatacollectionrule"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/monitordatacollectionruleassociation"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// WorkspaceProps configures [NewWorkspace].
type WorkspaceProps struct {
	Name              string
	ResourceGroupName string
	Location          string
	// DailyQuotaGB caps ingestion; 0.16 GB a day is about the 5 GB a month
	// that Log Analytics does not charge for.
	DailyQuotaGB float64
	// RetentionDays: up to 31 days costs nothing.
	RetentionDays int
	Tags          map[string]string
}

// NewWorkspace creates a pay-as-you-go (PerGB2018) workspace with a daily
// cap. The design's "Free" SKU is a legacy tier that new workspaces cannot
// use. Local (shared key) authentication is off: the monitoring add-on
// authenticates with its managed identity.
func NewWorkspace(scope constructs.Construct, id string, p WorkspaceProps) loganalyticsworkspace.LogAnalyticsWorkspace {
	return tfx.Pin(loganalyticsworkspace.NewLogAnalyticsWorkspace(scope, jsii.String(id), &loganalyticsworkspace.LogAnalyticsWorkspaceConfig{
		Name:                        jsii.String(p.Name),
		ResourceGroupName:           jsii.String(p.ResourceGroupName),
		Location:                    jsii.String(p.Location),
		Sku:                         jsii.String("PerGB2018"),
		DailyQuotaGb:                jsii.Number(p.DailyQuotaGB),
		RetentionInDays:             tfx.Num(p.RetentionDays),
		LocalAuthenticationDisabled: jsii.Bool(true),
		Tags:                        tfx.StringMap(p.Tags),
	}), id)
}

// ContainerInsightsStream is the Container Insights stream group that the
// data collection rule sends to the workspace.
const ContainerInsightsStream = "Microsoft-ContainerInsights-Group-Default"

// InsightsProps configures [NewContainerInsights].
type InsightsProps struct {
	Name              string
	ResourceGroupName string
	Location          string
	WorkspaceID       string
	ClusterID         string
	Tags              map[string]string
}

// NewContainerInsights creates the data collection rule that the monitoring
// add-on (with managed identity auth) needs, and associates it with the
// cluster. Without it the add-on's agents run but collect nothing: the Azure
// CLI creates this rule itself, Terraform must do it explicitly.
func NewContainerInsights(scope constructs.Construct, id string, p InsightsProps) monitordatacollectionrule.MonitorDataCollectionRule {
	settings, _ := json.Marshal(map[string]any{
		"dataCollectionSettings": map[string]any{
			"interval":               "5m",
			"namespaceFilteringMode": "Off",
			"enableContainerLogV2":   true,
		},
	})
	const destination = "workspace"
	rule := monitordatacollectionrule.NewMonitorDataCollectionRule(scope, jsii.String(id), &monitordatacollectionrule.MonitorDataCollectionRuleConfig{
		Name:              jsii.String(p.Name),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Location:          jsii.String(p.Location),
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
				WorkspaceResourceId: jsii.String(p.WorkspaceID),
			}},
		},
		DataFlow: &[]*monitordatacollectionrule.MonitorDataCollectionRuleDataFlow{{
			Streams:      tfx.Strings([]string{ContainerInsightsStream}),
			Destinations: tfx.Strings([]string{destination}),
		}},
		Tags: tfx.StringMap(p.Tags),
	})
	monitordatacollectionruleassociation.NewMonitorDataCollectionRuleAssociation(scope, jsii.String(id+"-association"), &monitordatacollectionruleassociation.MonitorDataCollectionRuleAssociationConfig{
		Name:                 jsii.String("ContainerInsightsExtension"),
		TargetResourceId:     jsii.String(p.ClusterID),
		DataCollectionRuleId: rule.Id(),
	})
	return rule
}
