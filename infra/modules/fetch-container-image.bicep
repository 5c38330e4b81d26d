// The image the proxy app runs now, read in its own deployment. Reading the app from the template that also
// declares it would make the app depend on itself; a separate module is how azd's own templates do it.
param exists bool
param name string

resource existingApp 'Microsoft.App/containerApps@2024-03-01' existing = if (exists) {
  name: name
}

output containers array = exists ? existingApp.properties.template.containers : []
