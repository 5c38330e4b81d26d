// AI Proxy on Azure: Container Apps (the proxy, autoscaled on concurrent HTTP requests), Azure Database for
// PostgreSQL flexible server (pgcrypto allow-listed), Azure Cache for Redis (shared limits across replicas;
// optional: redisSku 'None' for one replica, or redisUrl for a Redis you bring),
// Key Vault (every secret; the app reads them through its user-assigned managed identity), Container
// Registry, Log Analytics. Deployed by `azd up` (see azure.yaml and README.md "Deploying to Azure").
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds resource names')
param environmentName string

@minLength(1)
@description('Azure region for every resource')
param location string

@description('Object id of the user running azd; gets Key Vault Secrets Officer so they can read and rotate secrets. Empty to skip.')
param principalId string = ''

@description('Kind of principalId: User when a person runs azd; in a pipeline, azd env set AZURE_PRINCIPAL_TYPE ServicePrincipal')
param principalType string = 'User'

@secure()
@minLength(32)
@description('ADMIN_TOKEN: bearer token for the admin API and portal (32+ characters). azd env set AI_PROXY_ADMIN_TOKEN …')
param adminToken string

@secure()
@minLength(32)
@description('ENCRYPTION_KEY: encrypts upstream API keys at rest (32+ characters). Keep it: losing it loses the stored keys.')
param encryptionKey string

@secure()
@minLength(16)
@description('Password of the PostgreSQL administrator login: 8–128 characters from three of upper case, lower case, digits and symbols')
param postgresAdminPassword string

@description('True once the proxy app exists (azd sets SERVICE_PROXY_RESOURCE_EXISTS), so provisioning keeps its deployed image')
param proxyExists bool = false

@description('Fewest replicas (1 keeps one warm; 0 lets the app scale to zero between events). At most 1 without Redis.')
param minReplicas string = '1'

@description('Most replicas. Forced to 1 without Redis: each replica would otherwise count limits on its own.')
param maxReplicas string = '10'

@description('Concurrent HTTP requests per replica before Container Apps adds one')
param concurrentRequests string = '100'

@description('WORKERS per replica (Node processes behind one port). Match the vCPUs: Node may see the host\'s cores, not the replica\'s share. 0 leaves it to the app.')
param workers string = '1'

@description('vCPU per replica')
param cpu string = '1.0'

@description('Memory per replica (must match the vCPU: 1.0 → 2Gi)')
param memory string = '2Gi'

@description('PostgreSQL compute: SKU name and tier. B2s allows ~400 connections: replicas × WORKERS × DATABASE_POOL_SIZE (10) must fit.')
param postgresSku string = 'Standard_B2s'
param postgresTier string = 'Burstable'
param postgresStorageGb int = 32
param postgresVersion string = '16'

@description('Azure Cache for Redis SKU (Basic, Standard, Premium) and size (0–6); None creates no cache (one replica only)')
@allowed(['Basic', 'Standard', 'Premium', 'None'])
param redisSku string = 'Basic'
param redisCapacity int = 0

@secure()
@description('A Redis you already have (rediss://:<key>@<host>:<port>), used instead of creating Azure Cache for Redis. Empty to create one (or none).')
param redisUrl string = ''

@description('Organiser sign-in with Microsoft Entra ID (README "Organiser sign-in"): directory (tenant) id, application (client) id and client secret. All empty: off.')
param entraTenantId string = ''
param entraClientId string = ''
@secure()
param entraClientSecret string = ''

@description('CORS_ORIGINS for the admin routes, e.g. the portal\'s own https://… origin; empty keeps the app\'s default (*)')
param corsOrigins string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var deployRedis = empty(redisUrl) && redisSku != 'None'
var hasRedis = deployRedis || !empty(redisUrl)

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: 'id-${resourceToken}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: { name: 'log-${resourceToken}', location: location, tags: tags }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
    pullPrincipalId: identity.outputs.principalId
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: 'psql-${resourceToken}'
    location: location
    tags: tags
    administratorPassword: postgresAdminPassword
    skuName: postgresSku
    tier: postgresTier
    storageSizeGB: postgresStorageGb
    version: postgresVersion
  }
}

module redis 'modules/redis.bicep' = if (deployRedis) {
  name: 'redis'
  scope: rg
  params: { name: 'redis-${resourceToken}', location: location, tags: tags, sku: redisSku, capacity: redisCapacity }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    readerPrincipalId: identity.outputs.principalId
    officerPrincipalId: principalId
    officerPrincipalType: principalType
    adminToken: adminToken
    encryptionKey: encryptionKey
    // pg treats sslmode=require as verify-full (and warns); saying verify-full gets the same check, no warning.
    // Azure's server certificates chain to DigiCert / Microsoft roots that Node trusts out of the box.
    databaseUrl: 'postgres://${postgres.outputs.administratorLogin}:${uriComponent(postgresAdminPassword)}@${postgres.outputs.fqdn}:5432/${postgres.outputs.databaseName}?sslmode=verify-full'
    redisName: deployRedis ? redis.outputs.name : ''
    redisUrl: redisUrl
    entraClientSecret: entraClientSecret
  }
}

module app 'modules/containerapp.bicep' = {
  name: 'containerapp'
  scope: rg
  params: {
    name: 'ca-proxy-${resourceToken}'
    environmentName: 'cae-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'proxy'
    logAnalyticsWorkspaceName: monitoring.outputs.name
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    keyVaultUri: keyVault.outputs.uri
    secretNames: keyVault.outputs.secretNames
    exists: proxyExists
    minReplicas: hasRedis ? int(minReplicas) : min(int(minReplicas), 1)
    maxReplicas: hasRedis ? int(maxReplicas) : 1
    concurrentRequests: concurrentRequests
    workers: int(workers)
    entraTenantId: entraTenantId
    entraClientId: entraClientId
    corsOrigins: corsOrigins
    cpu: cpu
    memory: memory
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = app.outputs.environmentName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_POSTGRES_HOST string = postgres.outputs.fqdn
output AZURE_REDIS_HOST string = deployRedis ? redis.outputs.hostName : ''
output SERVICE_PROXY_NAME string = app.outputs.name
output SERVICE_PROXY_URI string = app.outputs.uri
