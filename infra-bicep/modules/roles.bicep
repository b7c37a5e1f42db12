// Role assignments for the Function App's system-assigned identity (and, optionally, for the operator who
// sets the Key Vault secrets). Built-in role definition ids are the same in every tenant.

@description('Principal (object) id of the Function App identity.')
param appPrincipalId string

@description('Storage account the host, the deployment and the app tables use.')
param storageAccountName string

@description('Service Bus namespace.')
param serviceBusNamespaceName string

@description('Key Vault holding the app secrets.')
param keyVaultName string

@description('Application Insights component.')
param applicationInsightsName string

@description('Optional: object id of a user or group that may set the secrets (Key Vault Secrets Officer). Empty: none.')
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

// Built-in roles (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Blob: the host's own storage and the Flex deployment container; Queue: host internals and queue
// triggers; Table: the app's orders and lookups.
var storageRoleIds = [
  roleIds.storageBlobDataOwner
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

// Receiver: the host's serviceBusTrigger functions (connection ServiceBusConnection); Sender: the app's
// REST sender (outbox dispatcher, charges, webhook retries).
var serviceBusRoleIds = [
  roleIds.serviceBusDataReceiver
  roleIds.serviceBusDataSender
]

// Key Vault references in the app settings are resolved with the app identity.
var keyVaultRoleIds = [
  roleIds.keyVaultSecretsUser
]

// Telemetry with Entra authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD).
var monitoringRoleIds = [
  roleIds.monitoringMetricsPublisher
]

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
  name: serviceBusNamespaceName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  scope: storageAccount
  name: guid(storageAccount.id, appPrincipalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource serviceBusAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in serviceBusRoleIds: {
  scope: serviceBus
  name: guid(serviceBus.id, appPrincipalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource keyVaultAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in keyVaultRoleIds: {
  scope: keyVault
  name: guid(keyVault.id, appPrincipalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource monitoringAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in monitoringRoleIds: {
  scope: applicationInsights
  name: guid(applicationInsights.id, appPrincipalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource secretsOfficerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  scope: keyVault
  name: guid(keyVault.id, secretsOfficerPrincipalId, roleIds.keyVaultSecretsOfficer)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
  }
}
