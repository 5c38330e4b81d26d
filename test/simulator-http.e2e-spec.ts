import { wavBytes } from '../src/simulator/content';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { StartSimulatorOptions } from '../src/simulator/simulator.app';

/** Raw HTTP against the simulator: auth, routing, admin endpoints, search and audio wire details. */
const API_KEY = 'raw-key';
const AZURE_CHAT = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
const chatBody = { messages: [{ role: 'user', content: 'hi' }] };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function withSimulator(options: StartSimulatorOptions, run: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ apiKey: API_KEY, ...options });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

describe('Simulator over raw HTTP', () => {
  let sim: RunningSimulator;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => call(sim.url, 'POST', path, body, headers);
  const azureKey = { 'api-key': API_KEY };
  const bearer = { authorization: `Bearer ${API_KEY}` };

  beforeAll(async () => {
    sim = await startSimulator({
      apiKey: API_KEY,
      bearerTokens: ['entra-token'],
      search: {
        apiKey: 'search-key',
        serviceName: 'docs-svc',
        indexes: {
          hotels: {
            documents: [
              { id: '1', title: 'Budget hotel', '@search.score': 0.5 },
              { id: '2', title: 'Nice hotel', '@search.score': 2.5 },
              { id: '3', title: 'Sea view hotel', '@search.score': 1.5 },
            ],
          },
        },
      },
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.control.reset());

  describe('auth', () => {
    it('answers a bad Azure key with the exact Azure 401 body', async () => {
      const answer = await post(AZURE_CHAT, chatBody, { 'api-key': 'wrong' });

      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active ' +
            'subscription and use a correct regional API endpoint for your resource.',
        },
      });
    });

    it('accepts an allow-listed bearer token or the key as bearer on Azure paths', async () => {
      expect((await post(AZURE_CHAT, chatBody, { authorization: 'Bearer entra-token' })).status).toBe(200);
      expect((await post(AZURE_CHAT, chatBody, bearer)).status).toBe(200);
      expect((await post(AZURE_CHAT, chatBody, { authorization: 'Bearer other' })).status).toBe(401);
    });

    it('answers a bad OpenAI key with invalid_api_key and refuses api-key on /v1', async () => {
      const wrong = await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, { authorization: 'Bearer sk-not-the-key-at-all' });
      const viaApiKey = await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, azureKey);

      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({
        error: { message: expect.stringMatching(/^Incorrect API key provided: sk-\*+-all\./), type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
      expect(viaApiKey.status).toBe(401);
    });

    it('accepts api-key and bearer on /openai/v1', async () => {
      expect((await post('/openai/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, azureKey)).status).toBe(200);
      expect((await post('/openai/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, bearer)).status).toBe(200);
      expect((await post('/openai/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, { 'api-key': 'x' })).status).toBe(401);
    });

    it('answers search with 403 for a bad key and 401 for none', async () => {
      const bad = await post('/indexes/hotels/docs/search?api-version=2024-07-01', { search: '*' }, { 'api-key': API_KEY });
      const none = await post('/indexes/hotels/docs/search?api-version=2024-07-01', { search: '*' });

      expect(bad.status).toBe(403);
      expect(bad.json).toEqual({ error: { code: '', message: expect.any(String) } });
      expect(none.status).toBe(401);
    });
  });

  describe('routing', () => {
    it('answers a missing api-version on the dated surface with 404 Resource not found', async () => {
      const answer = await post('/openai/deployments/gpt-4o/chat/completions', chatBody, azureKey);

      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ error: { code: '404', message: 'Resource not found' } });
    });

    it('accepts no, v1 or preview api-version on the v1 surface and rejects a dated one', async () => {
      const body = { model: 'gpt-4o', ...chatBody };
      for (const query of ['', '?api-version=v1', '?api-version=preview']) {
        expect((await post(`/openai/v1/chat/completions${query}`, body, azureKey)).status).toBe(200);
      }
      expect((await post('/openai/v1/chat/completions?api-version=2024-10-21', body, azureKey)).status).toBe(400);
    });

    it('uses the deployment name as the model for undefined deployments by default', async () => {
      const answer = await post('/openai/deployments/my-own/chat/completions?api-version=2024-10-21', chatBody, azureKey);

      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ model: 'my-own' });
    });

    it('answers unknown deployments with DeploymentNotFound when undefined ones are not allowed', async () => {
      await withSimulator({ allowUndefinedDeployments: false }, async (strict) => {
        const azure = await call(strict.url, 'POST', '/openai/deployments/nope/chat/completions?api-version=2024-10-21', chatBody, {
          'api-key': API_KEY,
        });
        const openai = await call(strict.url, 'POST', '/v1/chat/completions', { model: 'nope', ...chatBody }, { authorization: `Bearer ${API_KEY}` });
        const byModel = await call(strict.url, 'POST', '/v1/chat/completions', { model: 'gpt-4o-2024-08-06', ...chatBody }, {
          authorization: `Bearer ${API_KEY}`,
        });

        expect(azure.status).toBe(404);
        expect(azure.json).toEqual({ error: { code: 'DeploymentNotFound', message: expect.stringContaining('does not exist') } });
        expect(openai.status).toBe(404);
        expect(openai.json).toMatchObject({ error: { code: 'model_not_found' } });
        expect(byModel.status).toBe(200);
      });
    });

    it('serves the dated preview Responses API with the deployment in the body', async () => {
      const answer = await post('/openai/responses?api-version=2025-04-01-preview', { model: 'gpt-4o', input: 'hey' }, azureKey);

      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ object: 'response', output: [{ content: [{ text: 'echo: hey' }] }] });
    });

    it('answers unknown routes and wrong methods with a JSON 404, never a redirect', async () => {
      const unknown = await call(sim.url, 'GET', '/nowhere');
      const wrongMethod = await call(sim.url, 'GET', '/v1/chat/completions', undefined, bearer);
      const trailingSlash = await post('/v1/chat/completions/', { model: 'gpt-4o', ...chatBody }, bearer);

      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ error: { code: '404', message: 'Resource not found' } });
      expect(wrongMethod.status).toBe(404);
      expect(trailingSlash.status).toBe(200);
    });

    it('rejects a chat request without messages and malformed JSON with 400', async () => {
      const noMessages = await post(AZURE_CHAT, { prompt: 'x' }, azureKey);
      const malformed = await fetch(`${sim.url}${AZURE_CHAT}`, { method: 'POST', headers: { ...azureKey, 'content-type': 'application/json' }, body: '{' });

      expect(noMessages.status).toBe(400);
      expect(noMessages.json).toMatchObject({ error: { param: 'messages' } });
      expect(malformed.status).toBe(400);
    });

    it('adds Azure annotations on /v1 only when asked', async () => {
      const plain = await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, bearer);
      const annotated = await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, { ...bearer, 'x-mock-azure-annotations': 'true' });

      expect(plain.json).not.toHaveProperty('prompt_filter_results');
      expect(annotated.json).toHaveProperty('prompt_filter_results');
      expect(plain.headers.get('apim-request-id')).toBeNull();
      expect(plain.headers.get('x-request-id')).toMatch(/^req_/);
    });
  });

  describe('/__mock', () => {
    it('logs requests with credentials redacted', async () => {
      await post(AZURE_CHAT, chatBody, { ...azureKey, authorization: 'Bearer entra-token', 'x-custom': 'kept' });

      const [entry] = await sim.control.requests();

      expect(entry).toEqual({
        method: 'POST',
        path: '/openai/deployments/gpt-4o/chat/completions',
        query: { 'api-version': '2024-10-21' },
        headers: expect.objectContaining({ 'api-key': '[REDACTED]', authorization: '[REDACTED]', 'x-custom': 'kept' }),
        body: chatBody,
      });
    });

    it('keeps the last 100 requests and forgets them on reset', async () => {
      await Promise.all(Array.from({ length: 105 }, (_, i) => call(sim.url, 'GET', `/nowhere/${i}`)));

      expect(await sim.control.requests()).toHaveLength(100);
      await sim.control.reset();
      expect(await sim.control.requests()).toEqual([]);
    });

    it('reads and deep-merges the config, rejecting invalid values with 400', async () => {
      await withSimulator({}, async (own) => {
        const patched = await call(own.url, 'PATCH', '/__mock/config', { chunkWords: 3, faults: { latency_ms: 1 } });
        const invalid = await call(own.url, 'PATCH', '/__mock/config', { chunkWords: 0 });
        const unknownKey = await call(own.url, 'PATCH', '/__mock/config', { faults: { latency: 1 } });
        const notObject = await call(own.url, 'PATCH', '/__mock/config', [1]);
        const config = await own.control.config();

        expect(patched.status).toBe(200);
        expect(config.chunkWords).toBe(3);
        expect(config.faults).toMatchObject({ latency_ms: 1, jitter_ms: 0 });
        expect(invalid.status).toBe(400);
        expect(invalid.json).toMatchObject({ error: { code: 'InvalidConfig', message: expect.stringContaining('chunkWords') } });
        expect(unknownKey.status).toBe(400);
        expect(notObject.status).toBe(400);
      });
    });
  });

  describe('search', () => {
    const searchKey = { 'api-key': 'search-key' };

    it('returns the canned documents by descending score, honouring top, skip and count', async () => {
      const answer = await post('/indexes/hotels/docs/search?api-version=2024-07-01', { search: 'hotel', top: 2, skip: 1, count: true }, searchKey);

      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        '@odata.context': "https://docs-svc.search.windows.net/indexes('hotels')/$metadata#docs(*)",
        '@odata.count': 3,
        value: [
          { id: '3', title: 'Sea view hotel', '@search.score': 1.5 },
          { id: '1', title: 'Budget hotel', '@search.score': 0.5 },
        ],
      });
    });

    it('serves the GET form with $-parameters and the OData POST form', async () => {
      const get = await call(sim.url, 'GET', "/indexes/hotels/docs?api-version=2025-09-01&search=nice&$top=1&$select=title", undefined, searchKey);
      const odata = await post("/indexes('hotels')/docs/search.post.search?api-version=2024-07-01", { search: '*', top: 1 }, searchKey);

      expect(get.json).toMatchObject({ value: [{ title: 'Nice hotel', '@search.score': 2.5 }] });
      expect(get.json).not.toHaveProperty('@odata.count');
      expect((get.json as { value: object[] }).value[0]).not.toHaveProperty('id');
      expect(odata.json).toMatchObject({ value: [{ id: '2' }] });
    });

    it('answers an unknown index with 404 and a missing api-version with 400', async () => {
      expect((await post('/indexes/nope/docs/search?api-version=2024-07-01', {}, searchKey)).status).toBe(404);
      expect((await post('/indexes/hotels/docs/search', {}, searchKey)).status).toBe(400);
    });
  });

  describe('audio', () => {
    function form(fields: Record<string, string>, withFile = true): FormData {
      const data = new FormData();
      if (withFile) data.append('file', new Blob([wavBytes(12000)], { type: 'audio/wav' }), 'clip.wav');
      for (const [name, value] of Object.entries(fields)) data.append(name, value);
      return data;
    }
    const transcribe = (path: string, body: FormData, headers: Record<string, string> = azureKey): Promise<Response> =>
      fetch(`${sim.url}${path}`, { method: 'POST', headers, body });

    it('transcribes multipart uploads on the dated surface in srt and vtt', async () => {
      const path = '/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21';

      const srt = await transcribe(path, form({ response_format: 'srt' }));
      const vtt = await transcribe(path, form({ response_format: 'vtt' }));

      expect(srt.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await srt.text()).toBe('1\n00:00:00,000 --> 00:00:00,500\nsimulated transcription of clip.wav\n\n');
      expect(await vtt.text()).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:00.500\nsimulated transcription of clip.wav\n\n');
    });

    it('answers 400 when the file part is missing', async () => {
      const answer = await transcribe('/openai/deployments/whisper/audio/translations?api-version=2024-10-21', form({ prompt: 'x' }, false));

      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { param: 'file' } });
    });

    it('logs multipart uploads as fields and file sizes', async () => {
      await transcribe('/v1/audio/transcriptions', form({ model: 'whisper' }), bearer);

      const [entry] = await sim.control.requests();

      expect(entry?.body).toEqual({
        multipart: [
          { name: 'file', filename: 'clip.wav', contentType: 'audio/wav', bytes: 44 + 24000 },
          { name: 'model', value: 'whisper' },
        ],
      });
    });

    it('labels speech bytes with the content type of the requested format', async () => {
      const mp3 = await post('/openai/deployments/tts-1/audio/speech?api-version=2024-10-21', { input: 'hi', voice: 'alloy', response_format: 'mp3' }, azureKey);
      const pcm = await post('/v1/audio/speech', { model: 'tts-1', input: 'hi', voice: 'alloy', response_format: 'pcm' }, bearer);
      const bad = await post('/v1/audio/speech', { model: 'tts-1', input: 'hi', voice: 'alloy', response_format: 'ogg' }, bearer);

      expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
      expect(mp3.headers.get('apim-request-id')).not.toBeNull();
      expect(pcm.headers.get('content-type')).toBe('audio/pcm');
      expect(bad.status).toBe(400);
    });
  });

  it('uses the wall clock for created when configured', async () => {
    await withSimulator({ clock: 'real' }, async (real) => {
      const answer = await call(real.url, 'POST', AZURE_CHAT, chatBody, { 'api-key': API_KEY });

      expect(Math.abs((answer.json as { created: number }).created - Date.now() / 1000)).toBeLessThan(5);
    });
  });
});
