import OpenAI, { AzureOpenAI } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, expectOpenAiError, simulatedResource, upstreamRequests } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { usageRecords } from './support/usage-records';

const SIM_KEY = 'responses-upstream-key-2b7e';
const CAP = 256;
const INPUT = 'hello there, responses';

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function deltas(events: ResponseStreamEvent[]): string {
  return events.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('');
}

describe('proxy: Responses API', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let dropping: RunningSimulator;
  let event: EventResponse;
  let key: string;
  let openai: OpenAI;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY });
    dropping = await startSimulator({ apiKey: SIM_KEY, faults: { drop_after: 2 } });
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, { maxTokenCap: CAP, modelAliases: { 'my-alias': 'resp-az' } }, [
      builtinResource({ deploymentName: 'resp', modelClass: 'openai-responses' }),
      builtinResource({ deploymentName: 'gpt-4o', modelClass: 'openai-chat' }),
      builtinResource({ deploymentName: 'embed', modelClass: 'openai-embeddings' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'resp-az', modelClass: 'openai-responses' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'resp-oa', modelClass: 'openai-responses', upstream: 'openai', endpointUrl: `${sim.url}/v1`, modelName: 'gpt-4.1' }),
      simulatedResource(dropping, SIM_KEY, { deploymentName: 'resp-drop', modelClass: 'openai-responses' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
    openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
    await dropping.close();
  });
  beforeEach(() => sim.control.reset());

  describe('with the openai SDK', () => {
    it('answers on /v1 with and without streaming, the stream ending with response.completed', async () => {
      const plain = await openai.responses.create({ model: 'resp', input: INPUT });
      expect(plain.object).toBe('response');
      expect(plain.output_text).toBe(`echo: ${INPUT}`);
      expect(plain.usage).toEqual(expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }));

      const events = await collect(await openai.responses.create({ model: 'resp', input: INPUT, stream: true }));
      expect(events[0].type).toBe('response.created');
      expect(events.at(-1)!.type).toBe('response.completed');
      expect(deltas(events)).toBe(plain.output_text);
      const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
      expect(completed.response.usage).toEqual(plain.usage);
    });

    it('serves an openai-chat deployment on Azure v1 (gpt-4o deployments answer both APIs)', async () => {
      const azureV1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
      const res = await azureV1.responses.create({ model: 'gpt-4o', input: INPUT, instructions: 'Be brief.' });
      expect(res.output_text).toBe(`echo: ${INPUT}`);
    });

    it('sends the Azure dated form to the dated Responses route with the deployment as model', async () => {
      for (const endpoint of [t.url, `${t.url}/api/v1`]) {
        const azure = new AzureOpenAI({ endpoint, apiKey: key, apiVersion: '2025-04-01-preview', maxRetries: 0 });
        const res = await azure.responses.create({ model: 'resp-az', input: INPUT });
        expect(res.output_text).toBe(`echo: ${INPUT}`);
      }
      const sent = await upstreamRequests(sim, '/responses');
      expect(sent.map((r) => [r.path, r.query['api-version']])).toEqual([
        ['/openai/responses', '2025-04-01-preview'],
        ['/openai/responses', '2025-04-01-preview'],
      ]);
      expect(sent[0].body).toEqual(expect.objectContaining({ model: 'resp-az', input: INPUT, max_output_tokens: CAP }));
      expect(JSON.stringify(sent)).not.toContain(key);
    });

    it('sends /v1 and Azure v1 requests to Azure v1 with the deployment behind an alias as model', async () => {
      const azureV1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
      await azureV1.responses.create({ model: 'my-alias', input: INPUT });
      await openai.responses.create({ model: 'resp-az', input: INPUT, stream: true }).then(collect);
      const sent = await upstreamRequests(sim, '/responses');
      expect(sent.map((r) => [r.path, r.query['api-version'], (r.body as { model: string }).model])).toEqual([
        ['/openai/v1/responses', undefined, 'resp-az'],
        ['/openai/v1/responses', undefined, 'resp-az'],
      ]);
    });

    it('gives an OpenAI-compatible upstream its model name and Bearer key', async () => {
      const res = await openai.responses.create({ model: 'resp-oa', input: INPUT });
      expect(res.model).toBe('gpt-4.1');
      const [sent] = await upstreamRequests(sim, '/v1/responses');
      expect(sent.body).toEqual(expect.objectContaining({ model: 'gpt-4.1', input: INPUT }));
      expect(sent.headers).toHaveProperty('authorization');
      expect(sent.headers).not.toHaveProperty('api-key');
    });
  });

  describe('token cap', () => {
    it('refuses max_output_tokens above the cap, keeps one below it, and sets the cap when absent', async () => {
      await expect(openai.responses.create({ model: 'resp-az', input: INPUT, max_output_tokens: CAP + 1 })).rejects.toMatchObject({
        status: 400,
        code: 'max_tokens_exceeds_cap',
        param: 'max_output_tokens',
      });
      await openai.responses.create({ model: 'resp-az', input: INPUT, max_output_tokens: 20 });
      await openai.responses.create({ model: 'resp-az', input: INPUT });
      const sent = await upstreamRequests(sim, '/responses');
      expect(sent.map((r) => (r.body as { max_output_tokens: number }).max_output_tokens)).toEqual([20, CAP]);
    });

    it('lets the upstream cut the answer at the cap', async () => {
      const res = await openai.responses.create({ model: 'resp', input: 'x'.repeat(40), max_output_tokens: 2 });
      expect(res.status).toBe('incomplete');
      expect(res.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    });
  });

  describe('raw HTTP', () => {
    it('relays the named events verbatim: no [DONE], no error appended to a stream that ended well', async () => {
      const res = await http.post('/v1/responses', { model: 'resp', input: INPUT, stream: true }, { headers: attendeeHeaders(key) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.text).toMatch(/^event: response\.created\ndata: \{"type":"response\.created"/);
      expect(res.text).toMatch(/event: response\.completed\ndata: \{[^\n]*\}\n\n$/);
      expect(res.text).not.toContain('[DONE]');
      expect(res.text).not.toContain('upstream_stream_interrupted');
    });

    it('refuses other classes, unknown deployments and a missing model in the OpenAI shape', async () => {
      const headers = attendeeHeaders(key);
      expectOpenAiError(await http.post('/v1/responses', { model: 'embed', input: INPUT }, { headers }), 400, 'deployment_class_mismatch');
      expectOpenAiError(await http.post('/openai/responses?api-version=2025-04-01-preview', { model: 'nope', input: INPUT }, { headers }), 404, 'DeploymentNotFound');
      expectOpenAiError(await http.post('/openai/v1/responses', { input: INPUT }, { headers }), 400, 'model_required');
      expectOpenAiError(await http.post('/v1/responses', { model: 'resp', input: INPUT }), 401, 'invalid_api_key');
    });
  });

  describe('metering', () => {
    it('records input and output tokens from usage, streamed or not, without estimating', async () => {
      const { event: own } = await seedEvent(http, { maxTokenCap: CAP }, [builtinResource({ deploymentName: 'resp', modelClass: 'openai-responses' })]);
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: (await registerAttendee(http, own.id)).apiKey, maxRetries: 0 });
      const plain = await client.responses.create({ model: 'resp', input: INPUT });
      const events = await collect(await client.responses.create({ model: 'resp', input: INPUT, stream: true }));
      expect(events.at(-1)!.type).toBe('response.completed');
      const usage = plain.usage!;
      const expected = { deployment: 'resp', route: 'openai:responses', status: 200, prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens, estimated: false };
      expect(await usageRecords(t, http, own.id, 2)).toEqual([
        expect.objectContaining({ ...expected, streamed: false, error_code: null }),
        expect.objectContaining({ ...expected, streamed: true, error_code: null }),
      ]);
    });

    it('ends a stream the upstream drops with an error the SDK raises, and estimates its tokens', async () => {
      const { event: own } = await seedEvent(http, {}, [simulatedResource(dropping, SIM_KEY, { deploymentName: 'resp-drop', modelClass: 'openai-responses' })]);
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: (await registerAttendee(http, own.id)).apiKey, maxRetries: 0 });
      const seen: ResponseStreamEvent[] = [];
      await expect(
        (async () => {
          for await (const e of await client.responses.create({ model: 'resp-drop', input: 'one two three four five six', stream: true })) seen.push(e);
        })(),
      ).rejects.toThrow(/mid-stream/);
      expect(deltas(seen)).toBe('echo: one ');
      const [row] = await usageRecords(t, http, own.id, 1);
      expect(row).toEqual(expect.objectContaining({ status: 502, error_code: 'upstream_stream_interrupted', streamed: true, estimated: true }));
      expect(row.prompt_tokens).toBeGreaterThan(0);
      expect(row.completion_tokens).toBeGreaterThan(0);
    });
  });
});
