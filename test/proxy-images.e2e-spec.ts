import OpenAI, { AzureOpenAI } from 'openai';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, expectOpenAiError, simulatedResource, upstreamRequests } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { usageRecords } from './support/usage-records';

const SIM_KEY = 'images-upstream-key-40d8';

/**
 * Both DALL-E classes go through images/generations: Azure retired the dall-e-2 only async operation
 * (`images/generations:submit`, api-version 2023-06-01-preview); from 2024-05-01-preview dall-e-2 is a
 * deployment served by `/openai/deployments/{d}/images/generations` like dall-e-3.
 */
describe('proxy: images (dall-e-3 and dall-e-2)', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY });
    t = await startTestApp();
    http = httpClient(t.url);
    const { event } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, { deploymentName: 'dalle3', modelClass: 'openai-dall-e-3' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'dalle2', modelClass: 'openai-dall-e-2' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'dalle2-oa', modelClass: 'openai-dall-e-2', upstream: 'openai', endpointUrl: sim.url, modelName: 'dall-e-2' }),
      builtinResource({ deploymentName: 'chat' }),
    ]);
    key = (await registerAttendee(http, event.id)).apiKey;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  beforeEach(() => sim.control.reset());

  it('generates with both classes on every route family, through the deployment route upstream', async () => {
    const openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
    const azure = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: '2024-10-21', maxRetries: 0 });
    const azureV1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const dalle3 = await azure.images.generate({ model: 'dalle3', prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'hd' });
    expect(dalle3.data?.[0]?.url).toMatch(/^https:\/\/mock\.blob\/img\//);
    const dalle2 = await openai.images.generate({ model: 'dalle2', prompt: 'a lighthouse at dusk', size: '256x256', n: 2 });
    expect(dalle2.data).toHaveLength(2);
    const b64 = await azureV1.images.generate({ model: 'dalle2', prompt: 'a lighthouse', size: '512x512', response_format: 'b64_json' });
    expect(Buffer.from(b64.data![0].b64_json!, 'base64').subarray(1, 4).toString()).toBe('PNG');

    const sent = await upstreamRequests(sim, '/images/generations');
    expect(sent.map((r) => r.path)).toEqual([
      '/openai/deployments/dalle3/images/generations',
      '/openai/deployments/dalle2/images/generations',
      '/openai/deployments/dalle2/images/generations',
    ]);
    expect(sent[1].body).toEqual({ prompt: 'a lighthouse at dusk', size: '256x256', n: 2 });
    expect(await upstreamRequests(sim, ':submit')).toEqual([]);
  });

  it('names dall-e-2 as the model for an OpenAI-compatible upstream', async () => {
    const res = await http.post('/v1/images/generations', { model: 'dalle2-oa', prompt: 'x', size: '256x256' }, { headers: attendeeHeaders(key) });
    expect(res.status).toBe(200);
    const [sent] = await upstreamRequests(sim, '/v1/images/generations');
    expect(sent.body).toEqual(expect.objectContaining({ model: 'dall-e-2', prompt: 'x' }));
  });

  it('refuses a chat deployment on the images route and an image deployment on chat', async () => {
    expectOpenAiError(await http.post('/v1/images/generations', { model: 'chat', prompt: 'x' }, { headers: attendeeHeaders(key) }), 400, 'deployment_class_mismatch');
    const chat = await http.post('/v1/chat/completions', { model: 'dalle2', messages: [{ role: 'user', content: 'x' }] }, { headers: attendeeHeaders(key) });
    expect(expectOpenAiError(chat, 400, 'deployment_class_mismatch').message).toContain('openai-dall-e-2');
  });

  it('meters image requests without tokens', async () => {
    const { event } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, { deploymentName: 'dalle3', modelClass: 'openai-dall-e-3' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'dalle2', modelClass: 'openai-dall-e-2' }),
    ]);
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: (await registerAttendee(http, event.id)).apiKey, maxRetries: 0 });
    await client.images.generate({ model: 'dalle3', prompt: 'a' });
    await client.images.generate({ model: 'dalle2', prompt: 'b', n: 3 });
    expect(await usageRecords(t, http, event.id, 2)).toEqual([
      expect.objectContaining({ deployment: 'dalle3', route: 'openai:images/generations', status: 200, total_tokens: 0, estimated: false }),
      expect.objectContaining({ deployment: 'dalle2', route: 'openai:images/generations', status: 200, total_tokens: 0, estimated: false }),
    ]);
  });
});
