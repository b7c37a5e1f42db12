// The Function App's app settings, as one object. Applying them as a separate resource lets them point at
// the app's own host name and wait for the identity's role assignments (Key Vault references resolve with
// that identity). This resource owns ALL app settings: anything set by hand in the portal or with
// `az functionapp config appsettings set` is replaced on the next deployment.

@description('The Function App name.')
param functionAppName string

@description('Setting name -> value. Nested configuration keys use "__" for ":".')
param settings object

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: settings
}
