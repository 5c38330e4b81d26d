import type { CatalogResource } from './catalog.types';

/** A catalog resource for unit tests: an active Azure chat deployment, changed by `overrides`. */
export function catalogResource(overrides: Partial<CatalogResource> = {}): CatalogResource {
  return {
    id: 'r1',
    name: 'r1',
    deploymentName: 'gpt-4o',
    modelClass: 'openai-chat',
    upstream: 'azure',
    endpointUrl: 'https://res.openai.azure.com',
    apiKey: 'up-key',
    apiVersion: null,
    modelName: null,
    priority: 0,
    weight: 1,
    tokensPerMinute: null,
    requestsPerMinute: null,
    active: true,
    ...overrides,
  };
}
