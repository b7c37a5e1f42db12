// Service Bus namespace (Entra ID only: SAS keys disabled) with the entities listed in
// infra-bicep/servicebus-entities.json: topics with their subscriptions, and queues.

@description('Azure region.')
param location string

@description('Namespace name: 6-50 letters, digits and hyphens, globally unique.')
@minLength(6)
@maxLength(50)
param name string

@description('Standard is the smallest tier with topics and duplicate detection.')
@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@description('The entities: { topics: [{ name, requiresDuplicateDetection, duplicateDetectionHistoryTimeWindow, defaultMessageTimeToLive, subscriptions: [{ name, maxDeliveryCount, lockDuration, deadLetteringOnMessageExpiration, defaultMessageTimeToLive }] }], queues: [{ name, maxDeliveryCount, lockDuration, deadLetteringOnMessageExpiration, requiresDuplicateDetection, duplicateDetectionHistoryTimeWindow, defaultMessageTimeToLive }] }.')
param entities object

// A missing defaultMessageTimeToLive means the service default (no expiry), which scheduled messages need.

param tags object = {}

// One flat list of subscriptions, each knowing its topic (resource loops cannot nest).
var subscriptions = flatten(map(entities.topics, topic => map(topic.subscriptions, sub => {
  topic: topic.name
  settings: sub
})))

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topics 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = [for topic in entities.topics: {
  parent: namespace
  name: topic.name
  properties: {
    // Duplicate detection cannot be switched on or off after the topic exists.
    requiresDuplicateDetection: topic.requiresDuplicateDetection
    duplicateDetectionHistoryTimeWindow: topic.duplicateDetectionHistoryTimeWindow
    defaultMessageTimeToLive: topic.?defaultMessageTimeToLive
    enableBatchedOperations: true
    supportOrdering: false
  }
}]

resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = [for sub in subscriptions: {
  name: '${namespace.name}/${sub.topic}/${sub.settings.name}'
  properties: {
    maxDeliveryCount: sub.settings.maxDeliveryCount
    lockDuration: sub.settings.lockDuration
    deadLetteringOnMessageExpiration: sub.settings.deadLetteringOnMessageExpiration
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: sub.settings.?defaultMessageTimeToLive
    enableBatchedOperations: true
    requiresSession: false
  }
  dependsOn: [
    topics
  ]
}]

resource queues 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [for queue in entities.queues: {
  parent: namespace
  name: queue.name
  properties: {
    maxDeliveryCount: queue.maxDeliveryCount
    lockDuration: queue.lockDuration
    deadLetteringOnMessageExpiration: queue.deadLetteringOnMessageExpiration
    requiresDuplicateDetection: queue.requiresDuplicateDetection
    duplicateDetectionHistoryTimeWindow: queue.duplicateDetectionHistoryTimeWindow
    defaultMessageTimeToLive: queue.?defaultMessageTimeToLive
    enableBatchedOperations: true
    requiresSession: false
  }
}]

output name string = namespace.name
output id string = namespace.id
// 'https://<ns>.servicebus.windows.net:443/' -> '<ns>.servicebus.windows.net'
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '://')[1], ':')[0]
