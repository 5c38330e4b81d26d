// Container Apps environment and the proxy app: external HTTPS ingress on port 8080, autoscaled on
// concurrent HTTP requests between minReplicas and maxReplicas, health probes on /healthz and /readyz,
// every secret a Key Vault reference read with the user-assigned identity, image pulled with it too.
// Probe limits (Container Apps): failureThreshold 1–10, periodSeconds 1–240, initialDelaySeconds 0–60.
param name string
param environmentName string
param location string
param tags object
@description('azd service name; azd finds the app to deploy by this tag')
param serviceName string
param logAnalyticsWorkspaceName string
param identityId string
param registryServer string
param keyVaultUri string
@description('Names of the Key Vault secrets (admin-token, encryption-key, database-url, and redis-url when there is a Redis)')
param secretNames array
param exists bool
param minReplicas int
param maxReplicas int
param concurrentRequests string
param workers int
param cpu string
@description('Entra ID sign-in: tenant and client id (the client secret comes from Key Vault); empty: off')
param entraTenantId string = ''
param entraClientId string = ''
@description('CORS_ORIGINS; empty leaves the app default')
param corsOrigins string = ''
param memory string

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
  }
}

// Provisioning again must not roll back what `azd deploy` put there: keep the running image once the app exists.
module fetchImage 'fetch-container-image.bicep' = {
  name: '${name}-fetch-image'
  params: { exists: exists, name: name }
}

// Before the first `azd deploy` there is no proxy image yet: a public sample that listens on 8080 and answers
// /healthz stands in, so the first revision is healthy; `azd deploy` replaces it with the proxy.
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'
var image = exists ? fetchImage.outputs.containers[0].image : placeholderImage
var port = 8080

var secretEnv = {
  'admin-token': 'ADMIN_TOKEN'
  'encryption-key': 'ENCRYPTION_KEY'
  'database-url': 'DATABASE_URL'
  'redis-url': 'REDIS_URL'
  'entra-client-secret': 'ENTRA_CLIENT_SECRET'
}

// A for-expression may not be a function argument (BCP138), so the secret references get their own variable.
var secretEnvVars = [for secret in secretNames: { name: secretEnv[secret], secretRef: secret }]

var plainEnv = concat(
  [
    { name: 'NODE_ENV', value: 'production' }
    { name: 'PORT', value: string(port) }
    { name: 'HOST', value: '0.0.0.0' }
    { name: 'PUBLIC_URL', value: 'https://${name}.${environment.properties.defaultDomain}' }
    // Container Apps' ingress is the one proxy in front: client addresses come from X-Forwarded-For.
    { name: 'TRUST_PROXY', value: 'true' }
    { name: 'LOG_LEVEL', value: 'info' }
  ],
  workers > 0 ? [{ name: 'WORKERS', value: string(workers) }] : [],
  empty(entraTenantId) ? [] : [{ name: 'ENTRA_TENANT_ID', value: entraTenantId }],
  empty(entraClientId) ? [] : [{ name: 'ENTRA_CLIENT_ID', value: entraClientId }],
  empty(corsOrigins) ? [] : [{ name: 'CORS_ORIGINS', value: corsOrigins }]
)

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [{ server: registryServer, identity: identityId }]
      secrets: [for secret in secretNames: { name: secret, keyVaultUrl: '${keyVaultUri}secrets/${secret}', identity: identityId }]
    }
    template: {
      containers: [
        {
          name: 'proxy'
          image: image
          resources: { cpu: json(cpu), memory: memory }
          env: concat(plainEnv, secretEnvVars)
          probes: [
            {
              // Up to 5 + 10 × 10 s for the first boot (migrations run before the port opens).
              type: 'Startup'
              httpGet: { path: '/healthz', port: port }
              initialDelaySeconds: 5
              periodSeconds: 10
              timeoutSeconds: 3
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: { path: '/healthz', port: port }
              periodSeconds: 15
              timeoutSeconds: 3
              failureThreshold: 3
            }
            {
              // Not ready while the database is unreachable, so ingress sends traffic to replicas that can serve.
              // The placeholder has no /readyz, so it is probed on /healthz until the proxy is deployed.
              type: 'Readiness'
              httpGet: { path: exists ? '/readyz' : '/healthz', port: port }
              periodSeconds: 5
              timeoutSeconds: 3
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-concurrency'
            http: { metadata: { concurrentRequests: concurrentRequests } }
          }
        ]
      }
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
output environmentName string = environment.name
