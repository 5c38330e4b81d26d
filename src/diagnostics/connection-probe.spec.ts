import type { CatalogResource } from '../catalog/catalog.types';
import { catalogResource } from '../catalog/catalog-resource.fixture';
import { isProbe, probeFor, redact, transportError, upstreamError } from './connection-probe';

const resource = (overrides: Partial<CatalogResource> = {}) => catalogResource({ apiKey: 'up-key-1234', ...overrides });

const secrets = { apiKey: 'sk-secret-ABCD', urls: ['https://res.openai.azure.com/openai/deployments/x/chat/completions?api-version=1', 'https://res.openai.azure.com'] };

describe('probeFor', () => {
  it('asks a chat model for one token, and a reasoning model through max_completion_tokens', () => {
    const chat = probeFor(resource());
    expect(isProbe(chat) && chat.body).toEqual({ kind: 'json', value: { messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 } });
    const o3 = probeFor(resource({ deploymentName: 'o3-mini' }));
    expect(isProbe(o3) && o3.body).toEqual({ kind: 'json', value: { messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 1 } });
  });

  it('asks an Azure AI Inference model for its /info, which costs nothing', () => {
    const inference = probeFor(resource({ modelClass: 'azure-ai-inference', deploymentName: 'mistral-large' }));
    expect(isProbe(inference) && { call: inference.call, body: inference.body, operation: inference.operation }).toEqual({
      call: { operation: 'inferenceInfo', family: 'inference' },
      body: { kind: 'none' },
      operation: 'info',
    });
  });

  it('has no request for images, transcription and realtime', () => {
    for (const modelClass of ['openai-dall-e-3', 'openai-dall-e-2', 'openai-audio-transcription', 'openai-realtime'] as const) {
      expect(isProbe(probeFor(resource({ modelClass })))).toBe(false);
    }
  });
});

describe('redact', () => {
  it('removes the key, whole or masked, and every form of the upstream address', () => {
    const text =
      'Incorrect API key provided: sk-***********ABCD. Key sk-secret-ABCD was sent to https://res.openai.azure.com/openai/deployments/x (host res.openai.azure.com).';
    expect(redact(text, secrets)).toBe('Incorrect API key provided: [key]. Key [key] was sent to [upstream] (host [upstream]).');
  });

  it('keeps other text and caps the length', () => {
    expect(redact('See https://aka.ms/oai/quotaincrease for more.', secrets)).toBe('See https://aka.ms/oai/quotaincrease for more.');
    expect(redact('x'.repeat(2000), secrets)).toHaveLength(500);
  });
});

describe('upstreamError', () => {
  it('reads the OpenAI, Azure and search error shapes', () => {
    expect(upstreamError(401, JSON.stringify({ error: { code: 'invalid_api_key', message: 'Bad key sk-secret-ABCD' } }), secrets)).toEqual({
      code: 'invalid_api_key',
      message: 'Bad key [key]',
    });
    expect(upstreamError(404, JSON.stringify({ error: { code: '', message: 'No index' } }), secrets)).toEqual({ code: 'http_404', message: 'No index' });
    expect(upstreamError(500, JSON.stringify({ error: { message: 'boom', type: 'server_error', code: null } }), secrets)).toEqual({ code: 'server_error', message: 'boom' });
  });

  it('falls back to the status for HTML or empty bodies', () => {
    expect(upstreamError(502, '<html>Bad gateway</html>', secrets)).toEqual({ code: 'http_502', message: 'The upstream answered HTTP 502.' });
    expect(upstreamError(503, '', secrets)).toEqual({ code: 'http_503', message: 'The upstream answered HTTP 503.' });
  });
});

describe('transportError', () => {
  it('names the cause without the address', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(transportError(err, false)).toEqual({ code: 'connection_failed', message: 'Could not reach the upstream: the connection was refused.' });
    expect(transportError(new Error('x'), true)).toEqual({ code: 'timeout', message: 'The upstream did not answer in time.' });
    expect(transportError(new TypeError('fetch failed'), false).message).toBe('Could not reach the upstream: the request failed.');
  });
});
