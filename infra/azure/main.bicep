// crosswatch on Azure Functions: storage (state table, evidence container, inbox queue), Application
// Insights, a Linux Consumption function app running dist/azure (package.json `main`), and the action
// group that sends Service Health and Resource Health alerts of this subscription to the webhook.
// Deploy at resource-group scope:
//   az deployment group create -g <rg> -f infra/azure/main.bicep -p webhookToken=<≥16 random chars>
// then publish the app (`npm run build`, then `func azure functionapp publish <name>` from the repo root).
// Not validated in this repository's CI (no Bicep compiler on the build machines): run `az bicep build`.

@description('Name prefix of every resource (3–11 lower-case letters and digits).')
@minLength(3)
@maxLength(11)
param prefix string = 'crosswatch'

param location string = resourceGroup().location

@description('The ?token= secret of the action group webhook (≥ 16 characters). Rotate by listing two in CROSSWATCH_WEBHOOK_TOKENS.')
@secure()
@minLength(16)
param webhookToken string

@description('Subscriptions whose alerts are accepted (CROSSWATCH_WEBHOOK_ALLOWED_SUBSCRIPTION_IDS).')
param allowedSubscriptionIds array = [subscription().subscriptionId]

@description('Mesh peers as CROSSWATCH_PEERS JSON ([{"id","url","secret","statusUrl"}], docs/mesh.md), or a Key Vault reference @Microsoft.KeyVault(SecretUri=…) to a secret holding it; [] for none.')
@secure()
param peers string = '[]'

var unique = uniqueString(resourceGroup().id, prefix)
var storageName = take('${prefix}${unique}', 24)
var inboxQueue = 'crosswatch-inbox'
var stateTable = 'crosswatchstate'
var evidenceContainer = 'evidence'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource inbox 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: inboxQueue
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: stateTable
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource evidence 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: evidenceContainer
  properties: { publicAccess: 'None' }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs-${unique}'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-ai-${unique}'
  location: location
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: workspace.id }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${prefix}-plan-${unique}'
  location: location
  sku: { name: 'Y1', tier: 'Dynamic' }
  kind: 'functionapp'
  properties: { reserved: true }
}

var storageConnection = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: '${prefix}-${unique}'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Node|22'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: 'AzureWebJobsStorage', value: storageConnection }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'CROSSWATCH_STORAGE', value: storageConnection }
        { name: 'CROSSWATCH_INBOX_QUEUE', value: inboxQueue }
        { name: 'CROSSWATCH_PROBE_SCHEDULE', value: '0 * * * * *' }
        { name: 'CROSSWATCH_POLL_SCHEDULE', value: '0 */5 * * * *' }
        { name: 'CROSSWATCH_DELIVER_SCHEDULE', value: '30 * * * * *' }
        { name: 'CROSSWATCH_HEARTBEAT_SCHEDULE', value: '0 * * * * *' }
        { name: 'CROSSWATCH_WATCHDOG_SCHEDULE', value: '15 */2 * * * *' }
        { name: 'CROSSWATCH_DEPLOYMENT_ID', value: 'azure' }
        { name: 'CROSSWATCH_PEERS', value: peers }
        { name: 'CROSSWATCH_VANTAGE_ID', value: 'azure-${location}' }
        { name: 'CROSSWATCH_VANTAGE_CLOUD', value: 'azure' }
        { name: 'CROSSWATCH_VANTAGE_REGION', value: location }
        { name: 'CROSSWATCH_STORE_KIND', value: 'azure-table' }
        { name: 'CROSSWATCH_STORE_CONNECTION_STRING', value: storageConnection }
        { name: 'CROSSWATCH_STORE_TABLE_NAME', value: stateTable }
        { name: 'CROSSWATCH_EVIDENCE_KIND', value: 'azure-blob' }
        { name: 'CROSSWATCH_EVIDENCE_CONNECTION_STRING', value: storageConnection }
        { name: 'CROSSWATCH_EVIDENCE_CONTAINER', value: evidenceContainer }
        { name: 'CROSSWATCH_WEBHOOK_TOKENS', value: webhookToken }
        { name: 'CROSSWATCH_WEBHOOK_ALLOWED_SUBSCRIPTION_IDS', value: join(allowedSubscriptionIds, ',') }
      ]
    }
  }
  dependsOn: [inbox, table, evidence]
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${prefix}-ag-${unique}'
  location: 'Global'
  properties: {
    groupShortName: take(prefix, 12)
    enabled: true
    webhookReceivers: [
      {
        name: 'crosswatch'
        serviceUri: 'https://${app.properties.defaultHostName}/api/service-health?token=${webhookToken}'
        useCommonAlertSchema: true
      }
    ]
  }
}

resource serviceHealthAlert 'Microsoft.Insights/activityLogAlerts@2020-10-01' = {
  name: '${prefix}-service-health'
  location: 'Global'
  properties: {
    enabled: true
    scopes: [subscription().id]
    condition: { allOf: [{ field: 'category', equals: 'ServiceHealth' }] }
    actions: { actionGroups: [{ actionGroupId: actionGroup.id }] }
    description: 'Every Service Health event of this subscription to crosswatch.'
  }
}

resource resourceHealthAlert 'Microsoft.Insights/activityLogAlerts@2020-10-01' = {
  name: '${prefix}-resource-health'
  location: 'Global'
  properties: {
    enabled: true
    scopes: [subscription().id]
    condition: { allOf: [{ field: 'category', equals: 'ResourceHealth' }] }
    actions: { actionGroups: [{ actionGroupId: actionGroup.id }] }
    description: 'Every Resource Health event of this subscription to crosswatch.'
  }
}

output functionAppName string = app.name
output webhookHost string = app.properties.defaultHostName
output principalId string = app.identity.principalId
