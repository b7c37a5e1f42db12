// The Function App on a Flex Consumption (FC1) plan, running our ASP.NET Core server as a custom handler
// (host.json -> customHandler). The app's identity is system-assigned; it reads the deployment package
// from a blob container with that identity. App settings are applied by appsettings.bicep once the
// resources they point at (and the identity's roles) exist.

@description('Azure region (one that offers Flex Consumption: az functionapp list-flexconsumption-locations).')
param location string

@description('Function App name (also the default host name prefix).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Full URL of the blob container that receives the deployment package.')
param deploymentContainerUrl string

@description('Flex Consumption runtime stack. A custom handler is "custom"; check what a region offers with az functionapp list-flexconsumption-runtimes.')
param runtimeName string = 'custom'

@description('Version of the runtime stack.')
param runtimeVersion string = '1.0'

@description('Memory per instance (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound for scale-out.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances for the HTTP trigger group (0 = scale to zero; each one is billed while idle).')
@minValue(0)
param alwaysReadyHttpInstances int = 0

param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ] : []
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

output name string = site.name
output id string = site.id
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
