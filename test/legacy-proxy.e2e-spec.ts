import OpenAI from 'openai';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, expectOpenAiError, upstreamRequests, USER_HELLO } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { usageRecords } from './support/usage-records';

const AOAI_KEY = 'aoai-upstream-key-7d21';
const INFERENCE_KEY = 'inference-upstream-key-5e90';

function resource(sim: RunningSimulator, key: string, overrides: Record<string, unknown>): Record<string, unknown> {
  return { name: String(overrides.deploymentName), upstream: 'azure', endpointUrl: sim.url, apiKey: key, ...overrides };
}

describe("proxy: Azure AI Proxy's legacy routes (AI Inference, on-your-data extensions, OData search)", () => {
  let t: TestApp;
  let http: HttpClient;
  let aoai: RunningSimulator;
  let inference: RunningSimulator;
  let event: EventResponse;
  let key: string;

  beforeAll(async () => {
    aoai = await startSimulator({
      apiKey: AOAI_KEY,
      deployments: { 'gpt-35-turbo': { model: 'gpt-35-turbo' }, 'ada-002': { model: 'text-embedding-ada-002' } },
      allowUndefinedDeployments: false,
      search: { apiKey: AOAI_KEY, serviceName: 'sim-search', indexes: { hotels: { documents: [{ hotelId: '1', name: 'Harbour View' }] } } },
    });
    inference = await startSimulator({
      apiKey: INFERENCE_KEY,
      deployments: { 'mistral-large': { model: 'Mistral-large-2407' }, 'cohere-embed': { model: 'Cohere-embed-v3-english' } },
      allowUndefinedDeployments: false,
    });
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, { maxTokenCap: 512, modelAliases: { mistral: 'mistral-large' } }, [
      resource(aoai, AOAI_KEY, { deploymentName: 'gpt-35-turbo', modelClass: 'openai-chat' }),
      resource(aoai, AOAI_KEY, { deploymentName: 'ada-002', modelClass: 'openai-embeddings' }),
      resource(aoai, AOAI_KEY, { deploymentName: 'hotels', modelClass: 'azure-ai-search' }),
      resource(inference, INFERENCE_KEY, { deploymentName: 'mistral-large', modelClass: 'azure-ai-inference' }),
      resource(inference, INFERENCE_KEY, { deploymentName: 'cohere-embed', modelClass: 'azure-ai-inference' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
  });
  afterAll(async () => {
    await t.close();
    await aoai.close();
    await inference.close();
  });
  beforeEach(async () => {
    await aoai.control.reset();
    await inference.control.reset();
  });

  describe('Azure AI Inference', () => {
    it('forwards chat to the endpoint with the resource key and azureml-model-deployment, passing extra-parameters on', async () => {
      const res = await http.post<{ choices: { message: { content: string } }[]; model: string }>(
        '/api/v1/chat/completions',
        { model: 'mistral-large', messages: USER_HELLO, safe_prompt: true },
        { headers: { ...attendeeHeaders(key, 'openai'), 'extra-parameters': 'pass-through' } },
      );

      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('echo: hello there');
      expect(res.body.model).toBe('Mistral-large-2407');
      const [sent] = await upstreamRequests(inference, '/chat/completions');
      expect(sent.path).toBe('/chat/completions');
      expect(sent.headers).toMatchObject({ 'azureml-model-deployment': 'mistral-large', 'extra-parameters': 'pass-through', authorization: '[REDACTED]' });
      expect(sent.headers).not.toHaveProperty('api-key');
      expect(sent.body).toMatchObject({ model: 'mistral-large', safe_prompt: true, max_tokens: 512 });
      expect(sent.body).not.toHaveProperty('stream_options');
      expect(await upstreamRequests(aoai, '/chat/completions')).toEqual([]);
    });

    it('takes the key in api-key too, resolves an alias, and streams', async () => {
      const res = await http.post('/api/v1/chat/completions', { model: 'mistral', messages: USER_HELLO, stream: true }, { headers: attendeeHeaders(key, 'azure') });

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(res.text).toContain('data: [DONE]');
      const [sent] = await upstreamRequests(inference, '/chat/completions');
      expect(sent.headers['azureml-model-deployment']).toBe('mistral-large');
      expect(sent.headers).not.toHaveProperty('extra-parameters');
    });

    it('works with the openai SDK pointed at …/api/v1, for an AI Inference and an Azure OpenAI deployment alike', async () => {
      const sut = new OpenAI({ baseURL: `${t.url}/api/v1`, apiKey: key, maxRetries: 0 });

      const mistral = await sut.chat.completions.create({ model: 'mistral-large', messages: [{ role: 'user', content: 'bonjour' }], max_tokens: 20 });
      const gpt = await sut.chat.completions.create({ model: 'gpt-35-turbo', messages: [{ role: 'user', content: 'hello' }] });
      const embedded = await sut.embeddings.create({ model: 'cohere-embed', input: 'hello' });

      expect(mistral.choices[0].message.content).toBe('echo: bonjour');
      expect(gpt.choices[0].message.content).toBe('echo: hello');
      expect(embedded.data[0].embedding.length).toBeGreaterThan(0);
      // The routing rule: an inference deployment goes out the AI Inference way, an Azure OpenAI one the dated Azure way.
      expect((await upstreamRequests(inference, '/chat/completions')).map((r) => r.headers['azureml-model-deployment'])).toEqual(['mistral-large']);
      const [azure] = await upstreamRequests(aoai, '/openai/deployments/gpt-35-turbo/chat/completions');
      expect(azure.headers).not.toHaveProperty('azureml-model-deployment');
      expect(azure.headers['api-key']).toBe('[REDACTED]');
      expect((await upstreamRequests(inference, '/embeddings'))[0].headers['azureml-model-deployment']).toBe('cohere-embed');
      await expect(sut.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
        status: 404,
        message: expect.stringContaining("Deployment 'gpt-4' not found for this event. Available deployments are: ada-002, cohere-embed, gpt-35-turbo, hotels, mistral-large"),
      });
    });

    it('serves completions, image embeddings and GET /info', async () => {
      const completion = await http.post<{ choices: { text: string }[] }>('/api/v1/completions', { model: 'mistral-large', prompt: 'Say hi' }, { headers: attendeeHeaders(key) });
      expect(completion.status).toBe(200);
      expect(typeof completion.body.choices[0].text).toBe('string');

      const images = await http.post<{ data: { embedding: number[] }[] }>(
        '/api/v1/images/embeddings',
        { model: 'cohere-embed', input: [{ image: 'data:image/png;base64,iVBORw0KGgo=' }] },
        { headers: attendeeHeaders(key) },
      );
      expect(images.status).toBe(200);
      expect(images.body.data).toHaveLength(1);

      const info = await http.get('/api/v1/info?model=mistral-large', { headers: attendeeHeaders(key) });
      expect(info.status).toBe(200);
      expect(info.body).toEqual({ model_name: 'Mistral-large-2407', model_type: 'chat-completion', model_provider_name: 'Mistral' });
      const byHeader = await http.get('/api/v1/info', { headers: { ...attendeeHeaders(key), 'azureml-model-deployment': 'cohere-embed' } });
      expect(byHeader.body).toMatchObject({ model_name: 'Cohere-embed-v3-english', model_type: 'embeddings' });
      expect((await upstreamRequests(inference, '/info')).map((r) => r.headers['azureml-model-deployment'])).toEqual(['mistral-large', 'cohere-embed']);
    });

    it('meters AI Inference calls like any other', async () => {
      const own = await seedEvent(http, {}, [resource(inference, INFERENCE_KEY, { deploymentName: 'mistral-large', modelClass: 'azure-ai-inference' })]);
      const { apiKey } = await registerAttendee(http, own.event.id);
      expect((await http.post('/api/v1/chat/completions', { model: 'mistral-large', messages: USER_HELLO }, { headers: attendeeHeaders(apiKey) })).status).toBe(200);

      const [record] = await usageRecords(t, http, own.event.id, 1);
      expect(record).toMatchObject({ deployment: 'mistral-large', route: 'inference:chat/completions', status: 200 });
      expect(record.total_tokens).toBeGreaterThan(0);
    });

    it('refuses in the OpenAI error shape: no model for /info, an Azure OpenAI deployment for image embeddings, and a missing key', async () => {
      const info = expectOpenAiError(await http.get('/api/v1/info', { headers: attendeeHeaders(key) }), 400, 'model_required');
      expect(info.message).toContain('cohere-embed, mistral-large');
      expectOpenAiError(
        await http.post('/api/v1/images/embeddings', { model: 'ada-002', input: [{ image: 'x' }] }, { headers: attendeeHeaders(key) }),
        400,
        'deployment_class_mismatch',
      );
      expectOpenAiError(await http.post('/api/v1/chat/completions', { model: 'mistral-large', messages: USER_HELLO }), 401, 'invalid_api_key');
      expect(await upstreamRequests(inference, '/')).toEqual([]);
    });

    it('applies the event token cap, in words an attendee can act on', async () => {
      const error = expectOpenAiError(
        await http.post('/api/v1/chat/completions', { model: 'mistral-large', messages: USER_HELLO, max_tokens: 4096 }, { headers: attendeeHeaders(key) }),
        400,
        'max_tokens_exceeds_cap',
      );
      expect(error.message).toContain('max_tokens exceeds the event max token cap of 512');
    });
  });

  it('the simulated AI Inference endpoint routes on azureml-model-deployment and echoes it (api-key or Bearer)', async () => {
    const viaHeader = await fetch(`${inference.url}/chat/completions?api-version=2024-05-01-preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': INFERENCE_KEY, 'azureml-model-deployment': 'mistral-large' },
      body: JSON.stringify({ messages: USER_HELLO }),
    });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('azureml-model-deployment')).toBe('mistral-large');
    expect(((await viaHeader.json()) as { model: string }).model).toBe('Mistral-large-2407');

    const unknown = await fetch(`${inference.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INFERENCE_KEY}`, 'azureml-model-deployment': 'ghost' },
      body: JSON.stringify({ messages: USER_HELLO }),
    });
    expect(unknown.status).toBe(404);
    const wrongKey = await fetch(`${inference.url}/info`, { headers: { authorization: 'Bearer nope', 'azureml-model-deployment': 'mistral-large' } });
    expect(wrongKey.status).toBe(401);
  });

  it("tests an AI Inference resource's connection through GET /info", async () => {
    const created = await http.post<{ id: string }>('/api/v1/admin/resources', resource(inference, INFERENCE_KEY, { deploymentName: 'mistral-large', modelClass: 'azure-ai-inference', name: 'probe' }));
    const wrong = await http.post<{ id: string }>('/api/v1/admin/resources', resource(inference, 'wrong-key', { deploymentName: 'mistral-large', modelClass: 'azure-ai-inference', name: 'probe-wrong' }));

    expect((await http.post(`/api/v1/admin/resources/${created.body.id}/test`)).body).toMatchObject({ ok: true, status: 200, operation: 'info' });
    expect((await http.post(`/api/v1/admin/resources/${wrong.body.id}/test`)).body).toMatchObject({ ok: false, status: 401 });
    expect((await upstreamRequests(inference, '/info'))[0].headers['azureml-model-deployment']).toBe('mistral-large');
  });

  describe('error texts an attendee can act on (OpenAI shape, status in the body too)', () => {
    const HOUR = 3_600_000;

    it('names the missing deployment and the available ones, in Azure AI Proxy\'s words', async () => {
      const error = expectOpenAiError(
        await http.post('/api/v1/openai/deployments/gpt-4/chat/completions?api-version=2024-10-21', { messages: USER_HELLO }, { headers: attendeeHeaders(key, 'azure') }),
        404,
        'DeploymentNotFound',
      );
      expect(error).toMatchObject({
        status: 404,
        message: "Deployment 'gpt-4' not found for this event. Available deployments are: ada-002, cohere-embed, gpt-35-turbo, hotels, mistral-large",
      });
    });

    it('says why a key is refused: none, unknown, revoked, not started (with the start), ended', async () => {
      const post = (k?: string) => http.post('/api/v1/chat/completions', { model: 'gpt-35-turbo', messages: USER_HELLO }, { headers: k ? attendeeHeaders(k) : {} });
      const startsAt = new Date(Date.now() + 3 * HOUR).toISOString();
      const upcoming = (await seedEvent(http, { startsAt, endsAt: new Date(Date.now() + 6 * HOUR).toISOString() })).event;
      const ended = (await seedEvent(http, { startsAt: new Date(Date.now() - 6 * HOUR).toISOString(), endsAt: new Date(Date.now() - HOUR).toISOString() })).event;
      const upcomingKey = await registeredBefore(upcoming.id);
      const endedKey = await registeredBefore(ended.id);
      const revoked = await registerAttendee(http, event.id);
      await http.patch(`/api/v1/admin/events/${event.id}/attendees/${revoked.attendeeId}`, { active: false });

      expect(expectOpenAiError(await post(), 401, 'invalid_api_key')).toMatchObject({ status: 401, message: expect.stringContaining('No API key provided') });
      expect(expectOpenAiError(await post('aip_unknown'), 401, 'invalid_api_key').message).toContain('Invalid API key');
      expect(expectOpenAiError(await post(revoked.apiKey), 401, 'key_revoked').message).toContain('revoked by the event organiser');
      expect(expectOpenAiError(await post(upcomingKey), 401, 'event_not_started').message).toContain(`starts at ${startsAt}`);
      expect(expectOpenAiError(await post(endedKey), 401, 'event_ended').message).toMatch(/ended at .*; its keys no longer work/);
    });

    /** A key for an event outside its window: registered while it was live, then the window moved. */
    async function registeredBefore(eventId: string): Promise<string> {
      const window = (await http.get<{ startsAt: string; endsAt: string }>(`/api/v1/admin/events/${eventId}`)).body;
      await http.patch(`/api/v1/admin/events/${eventId}`, { startsAt: new Date(Date.now() - HOUR).toISOString(), endsAt: new Date(Date.now() + HOUR).toISOString() });
      const { apiKey } = await registerAttendee(http, eventId);
      await http.patch(`/api/v1/admin/events/${eventId}`, { startsAt: window.startsAt, endsAt: window.endsAt });
      return apiKey;
    }
  });

  describe('legacy on-your-data: /api/v1/openai/deployments/{d}/extensions/chat/completions', () => {
    it('forwards to the chat deployment on the extensions path, with the body (dataSources) untouched', async () => {
      const dataSources = [{ type: 'AzureCognitiveSearch', parameters: { endpoint: 'https://search.example', indexName: 'hotels' } }];
      const res = await http.post<{ choices: { message: { content: string } }[] }>(
        '/api/v1/openai/deployments/gpt-35-turbo/extensions/chat/completions?api-version=2023-08-01-preview',
        { messages: USER_HELLO, dataSources },
        { headers: attendeeHeaders(key, 'azure') },
      );

      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('echo: hello there');
      const [sent] = await upstreamRequests(aoai, '/extensions/chat/completions');
      expect(sent).toMatchObject({ path: '/openai/deployments/gpt-35-turbo/extensions/chat/completions', query: { 'api-version': '2023-08-01-preview' } });
      expect(sent.body).toMatchObject({ dataSources, max_tokens: 512 });
    });

    it('sends the last extensions api-version when the client names none, and refuses a non-chat deployment', async () => {
      const res = await http.post('/api/v1/openai/deployments/gpt-35-turbo/extensions/chat/completions', { messages: USER_HELLO }, { headers: attendeeHeaders(key, 'azure') });
      expect(res.status).toBe(200);
      expect((await upstreamRequests(aoai, '/extensions/chat/completions'))[0].query['api-version']).toBe('2023-12-01-preview');

      expectOpenAiError(
        await http.post('/api/v1/openai/deployments/ada-002/extensions/chat/completions', { messages: USER_HELLO }, { headers: attendeeHeaders(key, 'azure') }),
        400,
        'deployment_class_mismatch',
      );
    });
  });

  it("serves Azure AI Search's OData form under /api/v1: POST /api/v1/indexes('{name}')/docs/search.post.search", async () => {
    const res = await http.post<{ value: { name: string }[] }>("/api/v1/indexes('hotels')/docs/search.post.search?api-version=2024-07-01", { search: '*' }, {
      headers: attendeeHeaders(key, 'azure'),
    });

    expect(res.status).toBe(200);
    expect(res.body.value.map((h) => h.name)).toEqual(['Harbour View']);
    expect((await upstreamRequests(aoai, '/indexes/hotels/docs/search')).length).toBe(1);
  });
});
