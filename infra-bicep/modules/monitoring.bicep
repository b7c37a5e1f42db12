// Log Analytics workspace + workspace-based Application Insights with local (instrumentation key) auth
// disabled: telemetry is accepted only with an Entra token, so the app sends
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD and its identity holds Monitoring Metrics
// Publisher on this component (see roles.bicep).

@description('Azure region.')
param location string

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = appInsights.name
output applicationInsightsId string = appInsights.id
// Not a secret once local auth is off: without an Entra token the ingestion endpoint refuses telemetry.
output connectionString string = appInsights.properties.ConnectionString
output logAnalyticsId string = workspace.id
