// Azure Database for PostgreSQL flexible server with pgcrypto allow-listed (azure.extensions), one database.
// Reachable from Azure services (the Container Apps environment) over TLS; for a private network, put the
// server and the environment in a virtual network instead.
param name string
param location string
param tags object
param administratorLogin string = 'aiproxy'
@secure()
param administratorPassword string
param skuName string
param tier string
param storageSizeGB int
param version string
param databaseName string = 'aiproxy'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: tier }
  properties: {
    version: version
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    authConfig: { activeDirectoryAuth: 'Disabled', passwordAuth: 'Enabled' }
  }
}

// The server takes one change at a time: children deployed in parallel fail with ServerIsBusy, so each waits
// for the one before (firewall rule, then the extensions parameter, then the database).

// 0.0.0.0–0.0.0.0 is Azure's "allow Azure services" rule: the Container Apps environment's outbound addresses.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

// The migrations create the pgcrypto extension; Azure only allows extensions named in this server parameter.
resource extensions 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'azure.extensions'
  properties: {
    value: 'PGCRYPTO'
    source: 'user-override'
  }
  dependsOn: [allowAzure]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
  dependsOn: [extensions]
}

output name string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
output administratorLogin string = administratorLogin
output databaseName string = database.name
