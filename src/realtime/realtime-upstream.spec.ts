import type { CatalogResource } from '../catalog/catalog.types';
import { catalogResource } from '../catalog/catalog-resource.fixture';
import { readRealtimeRequest } from './realtime-request';
import { buildRealtimeUpstream, DEFAULT_REALTIME_PREVIEW_API_VERSION } from './realtime-upstream';

const resource = (overrides: Partial<CatalogResource> = {}) =>
  catalogResource({ name: 'rt', deploymentName: 'gpt-realtime', modelClass: 'openai-realtime', apiKey: 'upstream-key', ...overrides });

const request = (url: string, headers: Record<string, string> = {}) => {
  const parsed = readRealtimeRequest(url, { 'sec-websocket-key': 'x', ...headers });
  if (!parsed) throw new Error(`not a realtime URL: ${url}`);
  return parsed;
};

const build = (r: CatalogResource, url: string, headers: Record<string, string> = {}) =>
  buildRealtimeUpstream({ resource: r, baseUrl: r.endpointUrl, apiKey: r.apiKey }, request(url, headers));

describe(buildRealtimeUpstream.name, () => {
  it('opens Azure GA for a GA client, with the resource key in api-key and no api-version', () => {
    const sut = build(resource(), '/openai/v1/realtime?model=alias&api-key=attendee-key');

    expect(sut).toEqual({ url: 'wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime', headers: { 'api-key': 'upstream-key' } });
  });

  it('opens the Azure preview URL for a preview client, keeping its api-version', () => {
    const sut = build(resource(), '/openai/realtime?api-version=2024-10-01-preview&deployment=x&key=attendee-key');

    expect(sut.url).toBe('wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime');
    expect(sut.headers).toEqual({ 'api-key': 'upstream-key', 'openai-beta': 'realtime=v1' });
  });

  it('opens the Azure preview URL for a beta OpenAI client, with the resource\'s dated api-version or the default', () => {
    expect(build(resource({ apiVersion: '2024-12-17' }), '/v1/realtime?model=x', { 'openai-beta': 'realtime=v1' }).url).toBe(
      'wss://res.openai.azure.com/openai/realtime?api-version=2024-12-17&deployment=gpt-realtime',
    );
    expect(build(resource({ apiVersion: 'v1' }), '/v1/realtime?model=x', { 'sec-websocket-protocol': 'realtime, openai-beta.realtime-v1' }).url).toBe(
      `wss://res.openai.azure.com/openai/realtime?api-version=${DEFAULT_REALTIME_PREVIEW_API_VERSION}&deployment=gpt-realtime`,
    );
  });

  it('opens OpenAI /v1/realtime with the model name and a Bearer key, whether or not the endpoint ends in /v1', () => {
    const r = resource({ upstream: 'openai', endpointUrl: 'https://api.openai.com/', modelName: 'gpt-realtime-2025-08-28' });

    expect(build(r, '/openai/v1/realtime?model=x')).toEqual({
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime-2025-08-28',
      headers: { authorization: 'Bearer upstream-key' },
    });
    expect(build({ ...r, endpointUrl: 'http://localhost:9/v1' }, '/v1/realtime?model=x').url).toBe('ws://localhost:9/v1/realtime?model=gpt-realtime-2025-08-28');
  });

  it('passes other query parameters through and never the attendee\'s credentials', () => {
    const sut = build(resource(), '/openai/v1/realtime?model=x&intent=transcription&api-key=a&key=b&Authorization=c');

    expect(new URL(sut.url).searchParams.toString()).toBe('model=gpt-realtime&intent=transcription');
  });

  it('keeps a path prefix of the endpoint and sends no key when the resource has none', () => {
    const sut = build(resource({ endpointUrl: 'http://127.0.0.1:8080/gateway/', apiKey: null }), '/openai/v1/realtime?model=x');

    expect(sut).toEqual({ url: 'ws://127.0.0.1:8080/gateway/openai/v1/realtime?model=gpt-realtime', headers: {} });
  });
});
