// Key Vault holding every secret the proxy needs. The proxy's identity may read them (Key Vault Secrets
// User); the person running azd may manage them (Secrets Officer). The Redis URL is assembled here from the
// cache's access key, so the key never leaves Azure; or it is the URL given for a Redis of your own; or, with
// neither, there is no redis-url secret at all.
param name string
param location string
param tags object
param readerPrincipalId string
param officerPrincipalId string = ''
param officerPrincipalType string = 'User'
@secure()
param adminToken string
@secure()
param encryptionKey string
@secure()
param databaseUrl string
@description('The Azure Cache for Redis created with the deployment, or empty')
param redisName string = ''
@secure()
@description('A Redis URL of your own, or empty')
param redisUrl string = ''

@secure()
@description('Entra ID client secret for organiser sign-in, or empty')
param entraClientSecret string = ''

var hasRedis = !empty(redisUrl) || !empty(redisName)

resource redis 'Microsoft.Cache/redis@2024-03-01' existing = if (!empty(redisName)) {
  name: redisName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

// Explicit resources rather than a loop: the Redis URL is only known at deployment time.
resource adminTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'admin-token'
  properties: { value: adminToken }
}

resource encryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'encryption-key'
  properties: { value: encryptionKey }
}

resource databaseUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-url'
  properties: { value: databaseUrl }
}

// TLS only (rediss://, port 6380): ioredis turns TLS on for a rediss:// URL and verifies the certificate.
resource redisUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (hasRedis) {
  parent: vault
  name: 'redis-url'
  properties: {
    value: !empty(redisUrl) ? redisUrl : 'rediss://:${uriComponent(redis.listKeys().primaryKey)}@${redis.properties.hostName}:${redis.properties.sslPort}'
  }
}

resource entraClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(entraClientSecret)) {
  parent: vault
  name: 'entra-client-secret'
  properties: { value: entraClientSecret }
}

var secretsUserRole = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
var secretsOfficerRole = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, secretsUserRole)
  scope: vault
  properties: {
    roleDefinitionId: secretsUserRole
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource officer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(officerPrincipalId)) {
  name: guid(vault.id, officerPrincipalId, secretsOfficerRole)
  scope: vault
  properties: {
    roleDefinitionId: secretsOfficerRole
    principalId: officerPrincipalId
    principalType: officerPrincipalType
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// The app module reads these outputs, so it waits for the secrets and the reader role before its first revision.
output secretNames array = concat([adminTokenSecret.name, encryptionKeySecret.name, databaseUrlSecret.name], hasRedis ? ['redis-url'] : [], empty(entraClientSecret) ? [] : ['entra-client-secret'])
output readerAssignmentId string = reader.id
