import type { CatalogResource } from '../../catalog/catalog.types';
import { catalogResource } from '../../catalog/catalog-resource.fixture';
import { MultipartScanner } from '../multipart/multipart-scanner';
import type { Operation, RouteFamily } from '../proxy-operations';
import { buildUpstreamRequest, searchQueryString, supportsStreamOptions, UpstreamBody, usesMaxCompletionTokens } from './upstream-request';

const resource = (overrides: Partial<CatalogResource> = {}) => catalogResource({ deploymentName: 'gpt-4o-eu', ...overrides });

const json = (value: Record<string, unknown>): UpstreamBody => ({ kind: 'json', value });

/** The request for one resource, as the proxy builds it for each attempt. */
function build(r: CatalogResource, operation: Operation, body: UpstreamBody, apiVersion?: string, apiKey: string | null = r.apiKey, family: RouteFamily = 'openai') {
  return buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey }, { operation, family, apiVersion }, body);
}

function bodyText(body: unknown): string {
  if (typeof body !== 'string') throw new Error('expected a JSON body');
  return body;
}

describe('buildUpstreamRequest', () => {
  it('targets an Azure AI Inference endpoint: path after the endpoint, bearer key, azureml-model-deployment, extra-parameters', () => {
    const r = resource({ modelClass: 'azure-ai-inference', deploymentName: 'mistral-large', endpointUrl: 'https://m.eastus2.models.ai.azure.com/' });
    const sut = buildUpstreamRequest(
      { resource: r, baseUrl: r.endpointUrl, apiKey: 'inf-key' },
      { operation: 'inferenceChat', family: 'inference', extraParameters: 'pass-through' },
      json({ model: 'alias', messages: [] }),
    );
    expect(sut.url).toBe('https://m.eastus2.models.ai.azure.com/chat/completions');
    expect(sut.headers).toMatchObject({ authorization: 'Bearer inf-key', 'azureml-model-deployment': 'mistral-large', 'extra-parameters': 'pass-through' });
    expect(sut.headers['api-key']).toBeUndefined();
    expect(JSON.parse(bodyText(sut.body))).toEqual({ model: 'mistral-large', messages: [] });

    const info = buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: 'inf-key' }, { operation: 'inferenceInfo', family: 'inference', apiVersion: '2024-05-01-preview' }, { kind: 'none' });
    expect(info).toMatchObject({ method: 'GET', url: 'https://m.eastus2.models.ai.azure.com/info?api-version=2024-05-01-preview', body: undefined });
    expect(info.headers['extra-parameters']).toBeUndefined();
  });

  it('sends the legacy extensions route with the client api-version, else the last one that had it', () => {
    const r = resource({ apiVersion: '2024-10-21' });
    expect(build(r, 'chatExtensions', json({ messages: [] }), '2023-08-01-preview', r.apiKey, 'azure').url).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o-eu/extensions/chat/completions?api-version=2023-08-01-preview',
    );
    expect(build(r, 'chatExtensions', json({ messages: [] }), undefined, r.apiKey, 'azure').url).toContain('api-version=2023-12-01-preview');
  });

  it('targets an Azure deployment with api-key and the client api-version', () => {
    const r = resource({ apiVersion: '2024-06-01' });
    const sut = build(r, 'chat', json({ model: 'alias', messages: [], seed: 1 }), '2024-10-21');
    expect(sut.method).toBe('POST');
    expect(sut.url).toBe('https://res.openai.azure.com/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-10-21');
    expect(sut.headers['api-key']).toBe('up-key');
    expect(sut.headers.authorization).toBeUndefined();
    expect(JSON.parse(bodyText(sut.body))).toEqual({ messages: [], seed: 1 });
  });

  it('falls back to the resource api-version, then the default', () => {
    const r = resource({ apiVersion: '2024-06-01' });
    expect(build(r, 'embeddings', json({}), undefined, null).url).toContain('api-version=2024-06-01');
    const d = resource();
    expect(build(d, 'images', json({}), undefined, null).url).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o-eu/images/generations?api-version=2024-10-21',
    );
  });

  it('targets an OpenAI-compatible server with Bearer and the model name', () => {
    const r = resource({ upstream: 'openai', endpointUrl: 'https://api.example.com/v1', modelName: 'gpt-4o' });
    const sut = build(r, 'completions', json({ model: 'x', prompt: 'hi' }), undefined, 'sk-up');
    expect(sut.url).toBe('https://api.example.com/v1/completions');
    expect(sut.headers.authorization).toBe('Bearer sk-up');
    expect(JSON.parse(bodyText(sut.body))).toEqual({ model: 'gpt-4o', prompt: 'hi' });
    const bare = resource({ upstream: 'openai', endpointUrl: 'http://localhost:11434' });
    expect(build(bare, 'chat', json({}), undefined, null).url).toBe(
      'http://localhost:11434/v1/chat/completions',
    );
  });
});

describe('buildUpstreamRequest for audio', () => {
  const B = 'b0undary';
  const form = (model: string) =>
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\r\n--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n--${B}--\r\n`);
  function multipart(input: Buffer): UpstreamBody {
    const scanner = new MultipartScanner(B);
    scanner.push(input);
    return { kind: 'multipart', upload: { path: '/unused', contentType: `multipart/form-data; boundary=${B}`, layout: scanner.end() } };
  }

  it('streams an upload to the Azure deployment route without the client model field', () => {
    const r = resource({ deploymentName: 'whisper-eu', modelClass: 'openai-audio-transcription' });
    const sut = build(r, 'transcriptions', multipart(form('alias')), '2024-06-01');
    expect(sut.url).toBe('https://res.openai.azure.com/openai/deployments/whisper-eu/audio/transcriptions?api-version=2024-06-01');
    expect(sut.headers['content-type']).toBe(`multipart/form-data; boundary=${B}`);
    expect(typeof sut.body).toBe('object');
    const expected = form('x').toString().replace(`--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\nx\r\n`, '');
    expect((sut.body as { length: number }).length).toBe(expected.length);
  });

  it('gives an OpenAI-compatible upstream its own model name in the upload', () => {
    const r = resource({ upstream: 'openai', endpointUrl: 'https://api.example.com', deploymentName: 'stt', modelName: 'whisper-1' });
    const sut = build(r, 'translations', multipart(form('stt')));
    expect(sut.url).toBe('https://api.example.com/v1/audio/translations');
    expect((sut.body as { length: number }).length).toBe(form('whisper-1').length);
  });

  it('sends speech as JSON and accepts any audio type back', () => {
    const r = resource({ deploymentName: 'tts', modelClass: 'openai-audio-speech' });
    const sut = build(r, 'speech', json({ model: 'tts', input: 'hi', voice: 'alloy' }));
    expect(sut.url).toBe('https://res.openai.azure.com/openai/deployments/tts/audio/speech?api-version=2024-10-21');
    expect(sut.headers.accept).toBe('*/*');
    expect(JSON.parse(bodyText(sut.body))).toEqual({ input: 'hi', voice: 'alloy' });
  });
});

describe('buildUpstreamRequest for the Responses API', () => {
  it('uses Azure v1 with the deployment as model, or the dated route when the client did', () => {
    const r = resource({ apiVersion: '2024-10-21' });
    const v1 = build(r, 'responses', json({ model: 'alias', input: 'hi' }), undefined, 'k', 'azure-v1');
    expect(v1.url).toBe('https://res.openai.azure.com/openai/v1/responses');
    expect(v1.headers['api-key']).toBe('k');
    expect(JSON.parse(bodyText(v1.body))).toEqual({ model: 'gpt-4o-eu', input: 'hi' });
    const dated = build(r, 'responses', json({ model: 'alias', input: 'hi' }), '2025-04-01-preview', 'k', 'azure');
    expect(dated.url).toBe('https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview');
    expect(JSON.parse(bodyText(dated.body))).toEqual({ model: 'gpt-4o-eu', input: 'hi' });
    expect(build(r, 'responses', json({}), undefined, 'k', 'azure').url).toBe('https://res.openai.azure.com/openai/v1/responses');
  });

  it('uses /v1/responses with the model name on OpenAI-compatible upstreams', () => {
    const r = resource({ upstream: 'openai', endpointUrl: 'https://api.example.com/v1/', modelName: 'gpt-4.1' });
    const sut = build(r, 'responses', json({ model: 'alias', input: 'hi', stream: true }), undefined, 'sk');
    expect(sut.url).toBe('https://api.example.com/v1/responses');
    expect(sut.headers.authorization).toBe('Bearer sk');
    expect(JSON.parse(bodyText(sut.body))).toEqual({ model: 'gpt-4.1', input: 'hi', stream: true });
  });
});

describe('buildUpstreamRequest for Azure AI Search', () => {
  const r = resource({ deploymentName: 'hotels', modelClass: 'azure-ai-search', endpointUrl: 'https://svc.search.windows.net/' });

  it('posts a search to the index named by the deployment, with the upstream key', () => {
    const sut = buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: 'search-key' }, { operation: 'search', family: 'search', apiVersion: '2025-09-01', accept: 'application/json;odata.metadata=none' }, json({ search: 'x', top: 2 }));
    expect(sut).toEqual({
      method: 'POST',
      url: 'https://svc.search.windows.net/indexes/hotels/docs/search?api-version=2025-09-01',
      headers: { accept: 'application/json;odata.metadata=none', 'api-key': 'search-key', 'content-type': 'application/json' },
      body: JSON.stringify({ search: 'x', top: 2 }),
    });
  });

  it('forwards a GET search query, with a default api-version and no client key', () => {
    const sut = buildUpstreamRequest({ resource: r, baseUrl: r.endpointUrl, apiKey: 'search-key' }, { operation: 'searchGet', family: 'search', query: 'search=nice%20hotel&$top=2&api-key=attendee' }, { kind: 'none' });
    expect(sut.method).toBe('GET');
    expect(sut.body).toBeUndefined();
    const url = new URL(sut.url);
    expect(url.pathname).toBe('/indexes/hotels/docs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ search: 'nice hotel', $top: '2', 'api-version': '2024-07-01' });
  });

  it('rewrites only the api-version and drops keys from a query string', () => {
    expect(searchQueryString('api-version=2020-01-01&search=*&key=k', '2024-07-01')).toBe('search=*&api-version=2024-07-01');
    expect(searchQueryString(undefined, 'v')).toBe('api-version=v');
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
