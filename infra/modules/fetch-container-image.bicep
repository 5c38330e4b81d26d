// The image the proxy app runs now, read in its own (nested) deployment, which finishes before the app is
// written. Reading it through `existing` in the template that also writes the app leaves ARM to resolve a
// reference to a resource that deployment is changing; azd's generated templates use this module instead.
param exists bool
param name string

resource existingApp 'Microsoft.App/containerApps@2024-03-01' existing = if (exists) {
  name: name
}

output containers array = exists ? existingApp.properties.template.containers : []
