import { parseSse } from '../src/simulator/simulator.client';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';

/** Every fault knob over raw HTTP, per request through x-mock-* headers or through the live config. */
const API_KEY = 'fault-key';
const AZURE_CHAT = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
const chatBody = { messages: [{ role: 'user', content: 'one two three four five' }] };
const streamBody = { ...chatBody, stream: true };

type Chunk = { choices: { delta?: { content?: string }; finish_reason?: string | null; content_filter_results?: unknown }[] };

describe('Simulator fault knobs', () => {
  let sim: RunningSimulator;

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': API_KEY, ...headers },
      body: JSON.stringify(body),
    });
  const chunksOf = (body: string): Chunk[] =>
    parseSse(body)
      .filter((m) => m.data !== '[DONE]')
      .map((m) => JSON.parse(m.data) as Chunk);
  const textOf = (chunks: Chunk[]): string => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: API_KEY, deployments: { limited: { model: 'gpt-4o-2024-08-06', tpm: 100 } } });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim.control.reset();
    await sim.control.patchConfig({ faults: { fail_next: [], content_filter_regex: null }, chunkWords: 1 });
  });

  describe('latency', () => {
    it('delays the response by latency_ms', async () => {
      const started = Date.now();

      const response = await post(AZURE_CHAT, chatBody, { 'x-mock-latency-ms': '150' });

      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    });

    it('sends stream headers at once and spaces chunks by ttft_ms and inter_chunk_ms', async () => {
      const started = Date.now();

      // A long ttft leaves a wide margin between "headers at once" and "after the first chunk", so a busy
      // CI machine cannot blur the two.
      const response = await post(AZURE_CHAT, streamBody, { 'x-mock-ttft-ms': '400', 'x-mock-inter-chunk-ms': '10' });
      const headersAt = Date.now() - started;
      await response.text();

      expect(headersAt).toBeLessThan(300);
      // 400 ms before the first of 10 events, 10 ms before each of the other 9.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400 + 9 * 10 - 5);
    });
  });

  describe('rate limits', () => {
    it('refuses over the deployment tpm with the Azure 429 and retry headers', async () => {
      const path = '/openai/deployments/limited/chat/completions?api-version=2024-10-21';
      // Cost = prompt estimate (1 token) + max_tokens (60).
      const body = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 60 };

      const first = await post(path, body);
      const second = await post(path, body);

      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('39');
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('60');
      expect(second.headers.get('retry-after-ms')).toBe('60000');
      expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
      expect(await second.json()).toEqual({
        error: { code: '429', message: expect.stringMatching(/exceeded token rate limit .* Please retry after 60 seconds/) },
      });
    });

    it('refuses over an rpm set per request, and forgets on reset', async () => {
      const headers = { 'x-mock-rate-limit': '{"rpm":1}' };

      expect((await post(AZURE_CHAT, chatBody, headers)).status).toBe(200);
      const refused = await post(AZURE_CHAT, chatBody, headers);
      await sim.control.reset();
      const afterReset = await post(AZURE_CHAT, chatBody, headers);

      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining('call rate limit') } });
      expect(afterReset.status).toBe(200);
    });

    it('answers OpenAI-style on /v1', async () => {
      const headers = { authorization: `Bearer ${API_KEY}`, 'x-mock-rate-limit': '{"rpm":1}' };
      await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, headers);

      const refused = await post('/v1/chat/completions', { model: 'gpt-4o', ...chatBody }, headers);

      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
    });
  });

  describe('fail_next', () => {
    it('fails twice with 500 then answers, and re-arms on reset', async () => {
      await sim.control.patchConfig({ faults: { fail_next: [{ status: 500, count: 2 }] } });

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await post(AZURE_CHAT, chatBody)).status);
      await sim.control.reset();
      const rearmed = await post(AZURE_CHAT, chatBody);

      expect(statuses).toEqual([500, 500, 200]);
      expect(rearmed.status).toBe(500);
      expect(await rearmed.json()).toEqual({ error: { code: 'InternalServerError', message: 'The server had an error while processing your request.' } });
      expect(rearmed.headers.get('apim-request-id')).not.toBeNull();
    });

    it('answers 503 overloaded and 429 with the rule retry-after from a header', async () => {
      const overloaded = await post(AZURE_CHAT, chatBody, { 'x-mock-fail-next': '503' });
      const limited = await post(AZURE_CHAT, chatBody, { 'x-mock-fail-next': '[{"status":429,"count":1,"retry_after_ms":1500}]' });

      expect(overloaded.status).toBe(503);
      expect(await overloaded.json()).toMatchObject({ error: { message: expect.stringContaining('overloaded') } });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after-ms')).toBe('1500');
      expect(limited.headers.get('retry-after')).toBe('2');
    });

    it('emits x-should-retry when configured', async () => {
      const response = await post(AZURE_CHAT, chatBody, { 'x-mock-fail-next': '500', 'x-mock-x-should-retry': 'true' });

      expect(response.status).toBe(500);
      expect(response.headers.get('x-should-retry')).toBe('true');
    });

    it('rejects a malformed x-mock header with 400', async () => {
      const response = await post(AZURE_CHAT, chatBody, { 'x-mock-fail-next': 'soon' });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { param: 'x-mock-fail-next' } });
    });
  });

  describe('content filter', () => {
    it('refuses a matching chat prompt with the wire content_filter body', async () => {
      const response = await post(AZURE_CHAT, chatBody, { 'x-mock-content-filter-regex': 'three' });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          message: expect.stringContaining("Azure OpenAI's content management policy"),
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: {
              hate: { filtered: false, severity: 'safe' },
              jailbreak: { filtered: false, detected: false },
              self_harm: { filtered: false, severity: 'safe' },
              sexual: { filtered: true, severity: 'medium' },
              violence: { filtered: false, severity: 'safe' },
            },
          },
        },
      });
    });

    it('refuses a matching image prompt with content_policy_violation, from the config', async () => {
      await sim.control.patchConfig({ faults: { content_filter_regex: 'fox' } });

      const refused = await post('/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21', { prompt: 'a red fox' });
      const allowed = await post('/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21', { prompt: 'a cat' });

      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: { code: 'content_policy_violation', type: 'invalid_request_error', inner_error: { code: 'ResponsibleAIPolicyViolation', revised_prompt: 'a red fox' } },
      });
      expect(allowed.status).toBe(200);
    });
  });

  describe('stream faults', () => {
    it('filter_stream_after: content_filter finish chunk after N content chunks, then [DONE]', async () => {
      const response = await post(AZURE_CHAT, streamBody, { 'x-mock-filter-stream-after': '2' });
      const body = await response.text();
      const chunks = chunksOf(body);

      expect(response.status).toBe(200);
      expect(textOf(chunks)).toBe('echo: one ');
      expect(chunks.at(-1)?.choices[0]).toMatchObject({ finish_reason: 'content_filter', content_filter_results: { protected_material_text: { filtered: true, detected: true } } });
      expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('filter_stream_after on a non-stream request cuts the message', async () => {
      const response = await post(AZURE_CHAT, chatBody, { 'x-mock-filter-stream-after': '2' });

      expect(await response.json()).toMatchObject({ choices: [{ finish_reason: 'content_filter', message: { content: 'echo: one ' } }] });
    });

    it('stream_error_after: an error data line after N content chunks and no [DONE]', async () => {
      const response = await post(AZURE_CHAT, streamBody, { 'x-mock-stream-error-after': '3' });
      const messages = parseSse(await response.text());

      expect(JSON.parse(messages.at(-1)?.data ?? '{}')).toEqual({ error: { code: '500', message: expect.any(String) } });
      expect(textOf(messages.slice(0, -1).map((m) => JSON.parse(m.data) as Chunk))).toBe('echo: one two ');
      expect(messages.some((m) => m.data === '[DONE]')).toBe(false);
    });

    it('drop_after: the connection closes mid-stream without [DONE]', async () => {
      const response = await post(AZURE_CHAT, streamBody, { 'x-mock-drop-after': '2' });
      let received = '';
      const decoder = new TextDecoder();
      let failed = false;
      try {
        for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) received += decoder.decode(piece, { stream: true });
      } catch {
        failed = true;
      }

      expect(response.status).toBe(200);
      expect(failed).toBe(true);
      expect(textOf(chunksOf(received))).toBe('echo: one ');
      expect(received).not.toContain('[DONE]');
    });

    it('drop_after on a non-stream request closes the connection without an answer', async () => {
      await expect(post(AZURE_CHAT, chatBody, { 'x-mock-drop-after': '0' })).rejects.toThrow();
    });

    it('chunk_words groups words per content chunk', async () => {
      await sim.control.patchConfig({ chunkWords: 3 });

      const chunks = chunksOf(await (await post(AZURE_CHAT, streamBody)).text());

      expect(chunks.map((c) => c.choices[0]?.delta?.content).filter((t) => t)).toEqual(['echo: one two ', 'three four five']);
    });

    it('the Responses API stream ends as incomplete when filtered', async () => {
      const response = await post('/openai/v1/responses', { model: 'gpt-4o', input: 'a b c', stream: true }, { 'x-mock-filter-stream-after': '1' });
      const events = parseSse(await response.text());

      expect(events.at(-1)?.event).toBe('response.incomplete');
      expect(events.map((e) => JSON.parse(e.data).sequence_number)).toEqual([...events.keys()]);
    });
  });
});
