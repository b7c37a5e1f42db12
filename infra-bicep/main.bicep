// Payments Functions: the whole deployment into one resource group.
//
//   az deployment group create -g <rg> -f infra-bicep/main.bicep -p @infra-bicep/main.parameters.json
//
// Creates a Flex Consumption (FC1) Function App running the custom handler, its storage account (shared
// keys off), a Service Bus namespace with the entities in servicebus-entities.json, a Key Vault for the
// secrets (values set afterwards with `az keyvault secret set`, never here), Application Insights on a
// Log Analytics workspace with Entra authentication, and the role assignments of the app's identity.
// infra-bicep/README.md is the step-by-step guide; infra-bicep/app-settings.json lists every app setting.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------

@description('Azure region; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Short name all resource names start from (lower-case letters, digits, hyphens).')
@minLength(2)
@maxLength(12)
param baseName string = 'payments'

@description('Tags for every resource.')
param tags object = {}

@description('Flex Consumption runtime stack of the app. A custom handler is "custom" (see README: Uncertain points).')
param functionRuntimeName string = 'custom'

@description('Version of the runtime stack.')
param functionRuntimeVersion string = '1.0'

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

@description('Always-ready instances for the HTTP functions (0 = scale to zero, cold starts possible; each instance is billed while idle).')
@minValue(0)
@maxValue(20)
param alwaysReadyHttpInstances int = 0

@description('The externally visible base URL (a custom domain, or Front Door). Empty: https://<default host name of the app>.')
param publicBaseUrl string = ''

@description('Origins (scheme://host[:port]) that successUrl and failureUrl may point to: your storefronts.')
@minLength(1)
param allowedRedirectOrigins array

@description('Storefront webhook endpoints that receive signed status changes. Entry N gets its secret from the Key Vault secret webhook-endpoint-N-secret.')
param webhookEndpointUrls array = []

@description('NEXT Commerce store URL (https://<store>.29next.store). Empty: NEXT is not offered.')
param nextBaseUrl string = ''

@description('NEXT Admin API version.')
param nextApiVersion string = '2024-04-01'

@description('Twisto API base URL. Empty: Twisto is not offered.')
param twistoBaseUrl string = ''

@description('Twisto API version (v4 or v2).')
param twistoApiVersion string = 'v4'

@description('Twisto merchant reference.')
param twistoMerchantReference string = ''

@description('Mangopay API base URL (https://api.mangopay.com or https://api.sandbox.mangopay.com). Empty: Mangopay is not offered.')
param mangopayBaseUrl string = ''

@description('Mangopay client id.')
param mangopayClientId string = ''

@description('Mangopay wallet that is credited.')
param mangopayCreditedWalletId string = ''

@description('Mangopay user that authors pay-ins.')
param mangopayAuthorId string = ''

@description('Neuro-Pay (paiwise) API base URL. Empty: Neuro-Pay is not offered.')
param neuroPayBaseUrl string = ''

@description('Share of traces the handler sends to Application Insights, 0 to 1 (whole traces). 1: every payment can be followed end to end; lower it for high volumes.')
param telemetrySamplingRatio string = '1'

@description('Service Bus tier (topics and duplicate detection need Standard or Premium).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Optional: object id of the user or group that sets the Key Vault secrets (gets Key Vault Secrets Officer). Find yours with: az ad signed-in-user show --query id -o tsv')
#disable-next-line secure-secrets-in-params // not a secret: an object id (the rule matches 'secrets' in the name)
param secretsOfficerPrincipalId string = ''

@description('Principal type of secretsOfficerPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
#disable-next-line secure-secrets-in-params // not a secret: User, Group or ServicePrincipal (the rule matches 'secrets' in the name)
param secretsOfficerPrincipalType string = 'User'

@description('Key Vault purge protection (irreversible once on). Turn off only for throw-away environments.')
param keyVaultPurgeProtection bool = true

// ---------------------------------------------------------------------------------------------------
// Names (one place)
// ---------------------------------------------------------------------------------------------------

var token = toLower(uniqueString(resourceGroup().id, baseName))
var compactBase = toLower(replace(baseName, '-', ''))
var names = {
  functionApp: 'func-${baseName}-${token}'
  plan: 'plan-${baseName}-${token}'
  storage: take('st${compactBase}${token}', 24)
  serviceBus: 'sb-${baseName}-${token}'
  keyVault: take('kv-${compactBase}-${token}', 24)
  logAnalytics: 'log-${baseName}-${token}'
  applicationInsights: 'appi-${baseName}-${token}'
  deploymentContainer: 'app-package'
}

// The app's tables (Storage:OrdersTable / Storage:LookupsTable / Storage:WebhookDeliveriesTable).
var tableNames = {
  orders: 'orders'
  lookups: 'orderlookups'
  webhookDeliveries: 'webhookdeliveries'
}

// Topics, subscriptions and queues: one file, also read by the tests.
var serviceBusEntities = loadJsonContent('servicebus-entities.json')

// ---------------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------------

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
    deploymentContainerName: names.deploymentContainer
    tableNames: [
      tableNames.orders
      tableNames.lookups
      tableNames.webhookDeliveries
    ]
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    name: names.serviceBus
    sku: serviceBusSku
    entities: serviceBusEntities
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: names.keyVault
    enablePurgeProtection: keyVaultPurgeProtection
    tags: tags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    name: names.functionApp
    planName: names.plan
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    runtimeName: functionRuntimeName
    runtimeVersion: functionRuntimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    appPrincipalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    secretsOfficerPrincipalType: secretsOfficerPrincipalType
  }
}

// ---------------------------------------------------------------------------------------------------
// App settings
// ---------------------------------------------------------------------------------------------------

var publicUrl = empty(publicBaseUrl) ? 'https://${functionApp.outputs.defaultHostName}' : publicBaseUrl

// A Key Vault reference is '${kvRef}<secret-name>)'; the app identity resolves it (Key Vault Secrets User).
var kvRef = '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName='

// app-settings:begin
// Every setting the app reads in Azure. infra-bicep/app-settings.json is the list (with where each value
// comes from); tests/Payments.Infra.Tests holds this block to it. Nested keys use "__" for ":".
// Never set Sandbox__Enabled here: the simulators accept fake payments (the app refuses it in Azure).
var coreSettings = {
  PublicBaseUrl: publicUrl

  // The Functions host's own storage, identity-based (shared keys are off).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint

  // The app's tables, with Entra ID.
  Storage__TableServiceUri: storage.outputs.tableEndpoint
  Storage__OrdersTable: tableNames.orders
  Storage__LookupsTable: tableNames.lookups
  Storage__WebhookDeliveriesTable: tableNames.webhookDeliveries

  // The app's ServiceBusClient, and the host's Service Bus trigger connection ("connection": "ServiceBusConnection").
  ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'

  Security__SigningKey: '${kvRef}security-signing-key)'

  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'

  // The handler's OpenTelemetry export (AddPaymentsTelemetry): whole traces, this share of them.
  Telemetry__SamplingRatio: telemetrySamplingRatio
}

var redirectOriginSettings = toObject(range(0, length(allowedRedirectOrigins)), i => 'Security__AllowedRedirectOrigins__${i}', i => allowedRedirectOrigins[i])

var webhookUrlSettings = toObject(range(0, length(webhookEndpointUrls)), i => 'Webhooks__Endpoints__${i}__Url', i => webhookEndpointUrls[i])

var webhookSecretSettings = toObject(range(0, length(webhookEndpointUrls)), i => 'Webhooks__Endpoints__${i}__Secret', i => '${kvRef}webhook-endpoint-${i}-secret)')

// A provider is offered when its base URL is set; its secrets come from Key Vault.
var nextSettings = empty(nextBaseUrl) ? {} : {
  Providers__Next__BaseUrl: nextBaseUrl
  Providers__Next__ApiVersion: nextApiVersion
  Providers__Next__AccessToken: '${kvRef}next-access-token)'
  Providers__Next__WebhookSecret: '${kvRef}next-webhook-secret)'
}

var twistoSettings = empty(twistoBaseUrl) ? {} : {
  Providers__Twisto__BaseUrl: twistoBaseUrl
  Providers__Twisto__ApiVersion: twistoApiVersion
  Providers__Twisto__MerchantReference: twistoMerchantReference
  Providers__Twisto__SecretKey: '${kvRef}twisto-secret-key)'
}

var mangopaySettings = empty(mangopayBaseUrl) ? {} : {
  Providers__Mangopay__BaseUrl: mangopayBaseUrl
  Providers__Mangopay__ClientId: mangopayClientId
  Providers__Mangopay__CreditedWalletId: mangopayCreditedWalletId
  Providers__Mangopay__AuthorId: mangopayAuthorId
  Providers__Mangopay__ApiKey: '${kvRef}mangopay-api-key)'
}

var neuroPaySettings = empty(neuroPayBaseUrl) ? {} : {
  Providers__NeuroPay__BaseUrl: neuroPayBaseUrl
  Providers__NeuroPay__ApiKey: '${kvRef}neuropay-api-key)'
}
// app-settings:end

module appSettings 'modules/appsettings.bicep' = {
  name: 'appsettings'
  params: {
    functionAppName: functionApp.outputs.name
    settings: union(coreSettings, redirectOriginSettings, webhookUrlSettings, webhookSecretSettings, nextSettings, twistoSettings, mangopaySettings, neuroPaySettings)
  }
  // Key Vault references and identity-based connections resolve only once the roles exist.
  dependsOn: [
    roles
  ]
}

// ---------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------

var apiBaseUrl = '${publicUrl}/api'

output functionAppName string = functionApp.outputs.name
output baseUrl string = publicUrl
output keyVaultName string = keyVault.outputs.name
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output storageAccountName string = storage.outputs.name
output applicationInsightsName string = monitoring.outputs.applicationInsightsName

// functionUrls:begin
// One entry per HTTP function (src/Payments.Host/functions/<Name>/function.json: "route"); the tests
// hold this list to the function folders. Function-level routes also need ?code=<function key>.
output functionUrls object = {
  CancelOrder: '${apiBaseUrl}/orders/{orderId}/cancel'
  CaptureOrder: '${apiBaseUrl}/orders/{orderId}/capture'
  CreateCustomer: '${apiBaseUrl}/customers'
  CreateOrder: '${apiBaseUrl}/orders'
  CreateRecurringCharge: '${apiBaseUrl}/orders/{orderId}/recurring-charges'
  CreateUpsell: '${apiBaseUrl}/orders/{orderId}/upsells'
  Customer: '${apiBaseUrl}/customers/{customerId}'
  GetOrder: '${apiBaseUrl}/orders/{orderId}'
  Health: '${apiBaseUrl}/health'
  OpenApi: '${apiBaseUrl}/openapi/{documentName}.json'
  ProviderWebhook: '${apiBaseUrl}/webhooks/{provider}'
  RefundOrder: '${apiBaseUrl}/orders/{orderId}/refunds'
  ShopperReturn: '${apiBaseUrl}/return/{provider}/{orderId}/{token}'
}
// functionUrls:end
