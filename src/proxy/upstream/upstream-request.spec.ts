import type { CatalogResource } from '../../catalog/catalog.types';
import { buildUpstreamRequest, supportsStreamOptions, usesMaxCompletionTokens } from './upstream-request';

function resource(overrides: Partial<CatalogResource> = {}): CatalogResource {
  return {
    id: 'r1',
    name: 'r1',
    deploymentName: 'gpt-4o-eu',
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

describe('buildUpstreamRequest', () => {
  it('targets an Azure deployment with api-key and the client api-version', () => {
    const r = resource({ apiVersion: '2024-06-01' });
    const sut = buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: r.apiKey }, 'chat', { model: 'alias', messages: [], seed: 1 }, '2024-10-21');
    expect(sut.url).toBe('https://res.openai.azure.com/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-10-21');
    expect(sut.headers['api-key']).toBe('up-key');
    expect(sut.headers.authorization).toBeUndefined();
    expect(JSON.parse(sut.body)).toEqual({ messages: [], seed: 1 });
  });

  it('falls back to the resource api-version, then the default', () => {
    const r = resource({ apiVersion: '2024-06-01' });
    expect(buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: null }, 'embeddings', {}, undefined).url).toContain('api-version=2024-06-01');
    const d = resource();
    expect(buildUpstreamRequest({ resource: d, baseUrl: d.endpointUrl, apiKey: null }, 'images', {}, undefined).url).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o-eu/images/generations?api-version=2024-10-21',
    );
  });

  it('targets an OpenAI-compatible server with Bearer and the model name', () => {
    const r = resource({ upstream: 'openai', endpointUrl: 'https://api.example.com/v1', modelName: 'gpt-4o' });
    const sut = buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: 'sk-up' }, 'completions', { model: 'x', prompt: 'hi' }, undefined);
    expect(sut.url).toBe('https://api.example.com/v1/completions');
    expect(sut.headers.authorization).toBe('Bearer sk-up');
    expect(JSON.parse(sut.body)).toEqual({ model: 'gpt-4o', prompt: 'hi' });
    const bare = resource({ upstream: 'openai', endpointUrl: 'http://localhost:11434' });
    expect(buildUpstreamRequest({ resource: bare, baseUrl: bare.endpointUrl, apiKey: null }, 'chat', {}, undefined).url).toBe(
      'http://localhost:11434/v1/chat/completions',
    );
  });
});

describe('upstream dialect rules', () => {
  it('knows which api-versions accept stream_options', () => {
    expect(supportsStreamOptions(resource(), undefined)).toBe(true);
    expect(supportsStreamOptions(resource(), '2024-02-01')).toBe(false);
    expect(supportsStreamOptions(resource(), '2024-09-01-preview')).toBe(true);
    expect(supportsStreamOptions(resource({ upstream: 'openai' }), '2023-05-15')).toBe(true);
  });

  it('uses max_completion_tokens for reasoning models', () => {
    expect(usesMaxCompletionTokens(resource({ deploymentName: 'o3-mini' }))).toBe(true);
    expect(usesMaxCompletionTokens(resource({ modelName: 'gpt-5-mini' }))).toBe(true);
    expect(usesMaxCompletionTokens(resource())).toBe(false);
  });
});
