import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { attendeeHeaders, chat, expectOpenAiError, simulatedResource, upstreamRequests } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const SIM_KEY = 'translation-upstream-key-7f3a';
const CAPTURE_KEY = 'capture-upstream-key-91bc';

interface Captured {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A bare HTTP upstream that records exactly what arrived and answers with `respond`. */
async function startCapture(respond: (res: ServerResponse, captured: Captured) => void): Promise<{ url: string; seen: Captured[]; server: Server }> {
  const seen: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured = { url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> };
      seen.push(captured);
      respond(res, captured);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const CHAT_ANSWER = {
  id: 'chatcmpl-capture',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'captured' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

describe('proxy translation', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let redirector: Awaited<ReturnType<typeof startCapture>>;
  let event: EventResponse;
  let key: string;
  /** Strings that must never reach a client. */
  let secrets: string[];

  function expectNoSecrets(res: HttpResult): void {
    const headers = JSON.stringify([...res.headers.entries()]);
    for (const secret of secrets) {
      expect(res.text).not.toContain(secret);
      expect(headers).not.toContain(secret);
    }
  }

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY, faults: { content_filter_regex: 'forbidden-topic' } });
    capture = await startCapture((res) => res.writeHead(200, { 'content-type': 'application/json', 'x-upstream-secret': 'internal' }).end(JSON.stringify(CHAT_ANSWER)));
    redirector = await startCapture((res) => res.writeHead(302, { location: 'https://login.example.com/elsewhere' }).end());
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, { deploymentName: 'az-chat' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'oa-chat', upstream: 'openai', endpointUrl: `${sim.url}/v1`, modelName: 'gpt-4o-mini' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'az-images', modelClass: 'openai-dall-e-3' }),
      { name: 'Capture', deploymentName: 'captured', modelClass: 'openai-chat', upstream: 'azure', endpointUrl: capture.url, apiKey: CAPTURE_KEY },
      { name: 'Capture (OpenAI)', deploymentName: 'captured-oa', modelClass: 'openai-chat', upstream: 'openai', endpointUrl: capture.url, apiKey: CAPTURE_KEY, modelName: 'real-model' },
      { name: 'Redirects', deploymentName: 'redirects', modelClass: 'openai-chat', upstream: 'azure', endpointUrl: redirector.url, apiKey: 'redirect-key-0000' },
      simulatedResource(sim, 'a-wrong-upstream-key', { deploymentName: 'misconfigured' }),
      { name: 'Unreachable', deploymentName: 'unreachable', modelClass: 'openai-chat', upstream: 'azure', endpointUrl: 'http://127.0.0.1:9', apiKey: 'unreachable-key-0000' },
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
    secrets = [SIM_KEY, CAPTURE_KEY, 'redirect-key-0000', 'a-wrong-upstream-key', 'unreachable-key-0000', '127.0.0.1:9', sim.url, capture.url, redirector.url, new URL(sim.url).host, new URL(capture.url).host];
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
    capture.server.close();
    redirector.server.close();
  });

  beforeEach(() => sim.control.reset());

  describe('credentials', () => {
    it('sends the resource key, never the attendee key, to an Azure upstream', async () => {
      const res = await http.post('/v1/chat/completions', { model: 'captured', messages: [{ role: 'user', content: 'hi' }] }, { headers: { authorization: `Bearer ${key}`, 'api-key': key } });
      expect(res.status).toBe(200);
      const [seen] = capture.seen.splice(0);
      expect(seen.url).toBe('/openai/deployments/captured/chat/completions?api-version=2024-10-21');
      expect(seen.headers['api-key']).toBe(CAPTURE_KEY);
      expect(seen.headers.authorization).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain(key);
      expectNoSecrets(res);
      expect(res.headers.get('x-upstream-secret')).toBeNull();
    });

    it('sends Bearer <resource key> and the resource model name to an OpenAI upstream', async () => {
      const res = await http.post('/openai/deployments/captured-oa/chat/completions?api-version=2024-10-21', { messages: [{ role: 'user', content: 'hi' }] }, { headers: attendeeHeaders(key, 'azure') });
      expect(res.status).toBe(200);
      const [seen] = capture.seen.splice(0);
      expect(seen.url).toBe('/v1/chat/completions');
      expect(seen.headers.authorization).toBe(`Bearer ${CAPTURE_KEY}`);
      expect(seen.headers['api-key']).toBeUndefined();
      expect(seen.body.model).toBe('real-model');
      expect(JSON.stringify(seen)).not.toContain(key);
    });

    it('authenticates at the simulator with the resource key on both upstream kinds', async () => {
      // The simulator accepts only SIM_KEY: a 200 proves the proxy swapped the attendee key for it.
      const azure = await chat(http, key, { model: 'az-chat' });
      const openai = await chat(http, key, { model: 'oa-chat' });
      expect([azure.status, openai.status]).toEqual([200, 200]);
      const [toAzure] = await upstreamRequests(sim, '/openai/deployments/az-chat/chat/completions');
      expect(toAzure.headers).toHaveProperty('api-key');
      expect(toAzure.headers).not.toHaveProperty('authorization');
      const [toOpenAi] = await upstreamRequests(sim, '/v1/chat/completions');
      expect(toOpenAi.headers).toHaveProperty('authorization');
      expect(toOpenAi.headers).not.toHaveProperty('api-key');
      expect(toOpenAi.body).toEqual(expect.objectContaining({ model: 'gpt-4o-mini' }));
      for (const logged of [toAzure, toOpenAi]) expect(JSON.stringify(logged)).not.toContain(key);
      expectNoSecrets(azure);
      expectNoSecrets(openai);
    });
  });

  describe('bodies', () => {
    it('passes fields it does not own through untouched', async () => {
      const extra = { seed: 7, user: 'attendee-42', temperature: 0.3, foo: { bar: [1, 'two'] }, response_format: { type: 'text' } };
      const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello' }];
      expect((await http.post('/v1/chat/completions', { model: 'az-chat', messages, max_tokens: 40, ...extra }, { headers: attendeeHeaders(key) })).status).toBe(200);
      expect((await http.post('/v1/chat/completions', { model: 'oa-chat', messages, max_tokens: 40, ...extra }, { headers: attendeeHeaders(key) })).status).toBe(200);
      const [azure] = await upstreamRequests(sim, '/az-chat/chat/completions');
      // Azure picks the model by path, so the body's model (maybe an alias) is dropped.
      expect(azure.body).toEqual({ messages, max_tokens: 40, ...extra });
      const [openai] = await upstreamRequests(sim, '/v1/chat/completions');
      expect(openai.body).toEqual({ model: 'gpt-4o-mini', messages, max_tokens: 40, ...extra });
    });

    it('asks a streaming upstream for usage while keeping the client stream_options', async () => {
      const res = await chat(http, key, { model: 'az-chat', stream: true, stream_options: { include_obfuscation: false }, max_tokens: 30 });
      expect(res.status).toBe(200);
      const [sent] = await upstreamRequests(sim, '/az-chat/chat/completions');
      expect(sent.body).toEqual(expect.objectContaining({ stream: true, stream_options: { include_obfuscation: false, include_usage: true } }));
      expect(res.text).not.toMatch(/"usage":\{/);
    });

    it('forwards the client api-version to an Azure upstream', async () => {
      const res = await http.post('/openai/deployments/az-chat/chat/completions?api-version=2025-04-01-preview', { messages: [{ role: 'user', content: 'hi' }] }, { headers: attendeeHeaders(key, 'azure') });
      expect(res.status).toBe(200);
      const [sent] = await upstreamRequests(sim, '/az-chat/chat/completions');
      expect(sent.query).toEqual({ 'api-version': '2025-04-01-preview' });
    });
  });

  describe('upstream errors', () => {
    it('passes a content-filter 400 through with its innererror', async () => {
      const res = await chat(http, key, { model: 'az-chat', messages: [{ role: 'user', content: 'tell me about forbidden-topic' }] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: expect.objectContaining({
          code: 'content_filter',
          param: 'prompt',
          status: 400,
          innererror: expect.objectContaining({ code: 'ResponsibleAIPolicyViolation', content_filter_result: expect.objectContaining({ hate: expect.any(Object) }) }),
        }),
      });
      expectNoSecrets(res);
      const streamed = await chat(http, key, { model: 'az-chat', stream: true, messages: [{ role: 'user', content: 'forbidden-topic again' }] });
      expect(streamed.status).toBe(400);
      expect(streamed.body).toEqual({ error: expect.objectContaining({ code: 'content_filter' }) });
    });

    it('passes an image content-policy refusal through', async () => {
      const res = await http.post('/v1/images/generations', { model: 'az-images', prompt: 'a forbidden-topic poster' }, { headers: attendeeHeaders(key) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.objectContaining({ code: 'content_policy_violation' }) });
    });

    it('hides an upstream that refuses our credentials behind a 503 without its key or address', async () => {
      const res = await chat(http, key, { model: 'misconfigured' });
      expectOpenAiError(res, 503, 'upstream_unavailable');
      expectNoSecrets(res);
      expect(res.text).not.toMatch(/subscription key/);
    });

    it('reports an unreachable upstream without its address', async () => {
      const res = await chat(http, key, { model: 'unreachable' });
      expect(expectOpenAiError(res, 503, 'upstream_unavailable').message).toMatch(/could not answer/);
      expectNoSecrets(res);
    });

    it('never answers with a redirect, even when the upstream does', async () => {
      const res = await chat(http, key, { model: 'redirects' });
      // A redirect means a wrong endpoint URL: a configuration fault, reported like a refused key.
      expectOpenAiError(res, 503, 'upstream_unavailable');
      expect(res.headers.get('location')).toBeNull();
      expect(redirector.seen).toHaveLength(1);
      expectNoSecrets(res);
      expect(res.text).not.toContain('login.example.com');
    });

    it('answers no 3xx for trailing slashes or unknown proxy paths', async () => {
      for (const path of ['/v1/models/', '/openai/v1/models/', '/v1/chat/completions/', '/v1', '/openai']) {
        const res = await http.request(path.includes('chat') ? 'POST' : 'GET', path, { headers: attendeeHeaders(key), body: path.includes('chat') ? { model: 'az-chat', messages: [] } : undefined });
        expect({ path, status: Math.floor(res.status / 100) }).not.toEqual({ path, status: 3 });
      }
    });
  });
});
