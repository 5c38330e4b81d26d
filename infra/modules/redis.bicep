// Azure Cache for Redis: shared daily counters, token limits, balancer position, breaker state and pub/sub
// cache invalidation across replicas (REDIS_URL). TLS only (port 6380).
param name string
param location string
param tags object
param sku string
param capacity int

resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: sku, family: sku == 'Premium' ? 'P' : 'C', capacity: capacity }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    redisConfiguration: { 'maxmemory-policy': 'volatile-lru' }
  }
}

output name string = redis.name
output hostName string = redis.properties.hostName
output sslPort int = redis.properties.sslPort
