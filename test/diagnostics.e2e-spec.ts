import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { ConnectionTest, DeploymentsHealth } from '../src/diagnostics/dto/diagnostics.schemas';
import type { ResourceResponse } from './support/api';
import { closedPortUrl } from './support/backends';
import { newResource, registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { builtinResource, chat, simulatedResource, upstreamRequests, UsageReport } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const SIM_KEY = 'diagnostics-upstream-key-7319';
const WRONG_KEY = 'sk-wrong-upstream-key-WXYZ';

describe('diagnostics', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY, search: { indexes: { hotels: { documents: [{ id: '1', name: 'Seaside' }] } } } });
    t = await startTestApp({ env: { BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_MS: '60000' } });
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  async function createResource(body: Record<string, unknown>): Promise<ResourceResponse> {
    const res = await http.post<ResourceResponse>('/api/v1/admin/resources', newResource(body));
    expect(res.status).toBe(201);
    return res.body;
  }

  function test(id: string): Promise<HttpResult<ConnectionTest>> {
    return http.post<ConnectionTest>(`/api/v1/admin/resources/${id}/test`);
  }

  /** Neither the upstream's key (whole or its last characters) nor where it lives appear in an answer. */
  function expectNoLeak(res: HttpResult, key: string, url: string): void {
    const { host, port } = new URL(url);
    expect(res.text).not.toContain(key);
    expect(res.text).not.toContain(key.slice(-4));
    expect(res.text).not.toContain(host);
    expect(res.text).not.toContain(`:${port}`);
    expect(res.text).not.toMatch(/127\.0\.0\.1|localhost|\*\*\*/);
  }

  describe('test connection', () => {
    it('sends a one-token ping through a built-in simulator resource and reports the latency', async () => {
      const r = await createResource(builtinResource({ deploymentName: 'diag-chat' }));
      const res = await test(r.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ resourceId: r.id, ok: true, testable: true, operation: 'chat/completions', status: 200, latencyMs: expect.any(Number) });
      expect(res.body.latencyMs).toBeGreaterThanOrEqual(0);
      expect(res.body.latencyMs).toBeLessThan(10_000);
    });

    it('picks a cheap request per model class, and says when a class has none', async () => {
      const cases: [Record<string, unknown>, string | null][] = [
        [{ modelClass: 'openai-completions' }, 'completions'],
        [{ modelClass: 'openai-embeddings' }, 'embeddings'],
        [{ modelClass: 'openai-responses' }, 'responses'],
        [{ modelClass: 'openai-audio-speech' }, 'audio/speech'],
        [{ modelClass: 'openai-dall-e-3' }, null],
        [{ modelClass: 'openai-audio-transcription' }, null],
        [{ modelClass: 'openai-realtime' }, null],
      ];
      for (const [body, operation] of cases) {
        const r = await createResource(builtinResource({ deploymentName: `diag-${String(body.modelClass)}`, ...body }));
        const res = await test(r.id);
        expect({ modelClass: body.modelClass, status: res.status }).toEqual({ modelClass: body.modelClass, status: 200 });
        if (operation) {
          expect({ modelClass: body.modelClass, ...res.body }).toEqual({
            modelClass: body.modelClass,
            resourceId: r.id,
            ok: true,
            testable: true,
            operation,
            status: 200,
            latencyMs: expect.any(Number),
          });
        } else {
          expect(res.body).toEqual({
            resourceId: r.id,
            ok: false,
            testable: false,
            operation: null,
            status: null,
            latencyMs: null,
            error: { code: 'not_testable', message: expect.stringMatching(/not tested here/) },
          });
        }
      }
    });

    it('sends exactly the minimal body to a separate upstream, and searches one hit of an index', async () => {
      await sim.control.reset();
      const chatResource = await createResource(simulatedResource(sim, SIM_KEY, { deploymentName: 'gpt-4o-mini' }));
      expect((await test(chatResource.id)).body).toMatchObject({ ok: true, status: 200 });
      const [sent] = await upstreamRequests(sim, '/chat/completions');
      expect(sent.body).toEqual({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });

      const embed = await createResource(simulatedResource(sim, SIM_KEY, { deploymentName: 'text-embedding-3-small', modelClass: 'openai-embeddings', upstream: 'openai' }));
      expect((await test(embed.id)).body).toMatchObject({ ok: true, status: 200, operation: 'embeddings' });
      const [embedSent] = await upstreamRequests(sim, '/embeddings');
      expect(embedSent.body).toEqual({ input: 'ping', model: 'text-embedding-3-small' });

      const search = await createResource(simulatedResource(sim, SIM_KEY, { deploymentName: 'hotels', modelClass: 'azure-ai-search' }));
      expect((await test(search.id)).body).toMatchObject({ ok: true, status: 200, operation: 'docs/search' });
      const missing = await createResource(simulatedResource(sim, SIM_KEY, { deploymentName: 'no-such-index', modelClass: 'azure-ai-search' }));
      const res = await test(missing.id);
      expect(res.body).toMatchObject({ ok: false, status: 404, error: { message: expect.stringContaining("The index 'no-such-index'") } });
    });

    it("reports the upstream's 401 for a wrong key on Azure, without the key or the upstream's URL", async () => {
      const r = await createResource(simulatedResource(sim, WRONG_KEY, { deploymentName: 'gpt-4o' }));
      const res = await test(r.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        resourceId: r.id,
        ok: false,
        testable: true,
        operation: 'chat/completions',
        status: 401,
        latencyMs: expect.any(Number),
        error: { code: '401', message: expect.stringMatching(/^Access denied due to invalid subscription key/) },
      });
      expectNoLeak(res, WRONG_KEY, sim.url);
    });

    it('removes even the masked key an OpenAI-style 401 quotes', async () => {
      const r = await createResource(simulatedResource(sim, WRONG_KEY, { deploymentName: 'gpt-4o', upstream: 'openai' }));
      const res = await test(r.id);
      expect(res.body).toMatchObject({ ok: false, status: 401, error: { code: 'invalid_api_key', message: expect.stringMatching(/^Incorrect API key provided: \[key\]\./) } });
      expectNoLeak(res, WRONG_KEY, sim.url);
    });

    it('reports an unreachable upstream as a sentence without its address', async () => {
      const url = await closedPortUrl();
      const r = await createResource(simulatedResource(sim, SIM_KEY, { endpointUrl: url }));
      const res = await test(r.id);
      expect(res.body).toEqual({
        resourceId: r.id,
        ok: false,
        testable: true,
        operation: 'chat/completions',
        status: null,
        latencyMs: expect.any(Number),
        error: { code: 'connection_failed', message: 'Could not reach the upstream: the connection was refused.' },
      });
      expectNoLeak(res, SIM_KEY, url);
    });

    it('answers 404 for an unknown resource and 401 without the admin token', async () => {
      expect((await test('00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await test('not-a-uuid')).status).toBe(404);
      const r = await createResource(builtinResource({ deploymentName: 'diag-auth' }));
      expect((await http.post(`/api/v1/admin/resources/${r.id}/test`, undefined, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    });
  });

  describe('deployment health', () => {
    it('shows a backend cooling after a 429 and another with its breaker open after repeated 500s', async () => {
      const { event, resources } = await seedEvent(http, {}, [
        simulatedResource(sim, SIM_KEY, { name: 'Cooling', deploymentName: 'cool', priority: 0 }),
        simulatedResource(sim, SIM_KEY, { name: 'Flaky', deploymentName: 'flaky', weight: 3 }),
        builtinResource({ name: 'Steady', deploymentName: 'steady' }),
      ]);
      const [cooling, flaky, steady] = resources;
      const health = async () => {
        const res = await http.get<DeploymentsHealth>(`/api/v1/admin/events/${event.id}/deployments/health`);
        expect(res.status).toBe(200);
        return res.body;
      };
      const before = await health();
      expect(before.eventId).toBe(event.id);
      expect(before.items).toEqual([
        { resourceId: cooling.id, name: 'Cooling', deploymentName: 'cool', priority: 0, weight: 1, active: true, breaker: 'closed', unavailableUntil: null, rateLimited: false },
        { resourceId: flaky.id, name: 'Flaky', deploymentName: 'flaky', priority: 0, weight: 3, active: true, breaker: 'closed', unavailableUntil: null, rateLimited: false },
        { resourceId: steady.id, name: 'Steady', deploymentName: 'steady', priority: 0, weight: 1, active: true, breaker: 'closed', unavailableUntil: null, rateLimited: false },
      ]);

      const { apiKey } = await registerAttendee(http, event.id);
      // A 429 that asks for a minute's rest: the proxy parks the backend without counting a failure.
      await sim.control.patchConfig({ faults: { fail_next: [{ status: 429, count: 1, retry_after_ms: 60_000 }] } });
      const limited = Date.now();
      expect((await chat(http, apiKey, { model: 'cool' })).status).toBe(429);
      // Two 500s reach BREAKER_FAILURE_THRESHOLD (2): the breaker opens for BREAKER_OPEN_MS.
      await sim.control.patchConfig({ faults: { fail_next: [{ status: 500, count: 2 }] } });
      expect((await chat(http, apiKey, { model: 'flaky' })).status).toBeGreaterThanOrEqual(500);
      const opened = Date.now();
      expect((await chat(http, apiKey, { model: 'flaky' })).status).toBeGreaterThanOrEqual(500);
      expect((await chat(http, apiKey, { model: 'steady' })).status).toBe(200);

      const after = await health();
      const byName = new Map(after.items.map((i) => [i.deploymentName, i]));
      expect(byName.get('cool')).toMatchObject({ breaker: 'closed', rateLimited: true, unavailableUntil: expect.any(String) });
      const coolUntil = Date.parse(byName.get('cool')!.unavailableUntil!);
      expect(coolUntil).toBeGreaterThanOrEqual(limited + 59_000);
      expect(coolUntil).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(byName.get('flaky')).toMatchObject({ breaker: 'open', rateLimited: false, unavailableUntil: expect.any(String) });
      const openUntil = Date.parse(byName.get('flaky')!.unavailableUntil!);
      expect(openUntil).toBeGreaterThanOrEqual(opened + 59_000);
      expect(byName.get('steady')).toMatchObject({ breaker: 'closed', rateLimited: false, unavailableUntil: null });

      // The usage report counts the 429 separately from the other errors.
      const usage = (await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`)).body;
      expect(usage.totals).toMatchObject({ requests: 4, errors: 3, rateLimited: 1 });
      expect(usage.byDeployment.find((d) => d.deployment === 'cool')).toMatchObject({ requests: 1, errors: 1, rateLimited: 1 });
      expect(usage.byDeployment.find((d) => d.deployment === 'flaky')).toMatchObject({ requests: 2, errors: 2, rateLimited: 0 });

      // A test connection neither needs the balancer nor changes what it thinks.
      expect((await test(flaky.id)).body).toMatchObject({ ok: true, status: 200 });
      expect((await health()).items.find((i) => i.resourceId === flaky.id)).toMatchObject({ breaker: 'open' });
    });

    it('answers 404 for an unknown event and an empty list for an event with nothing attached', async () => {
      expect((await http.get('/api/v1/admin/events/no-such-event/deployments/health')).status).toBe(404);
      const { event } = await seedEvent(http);
      expect((await http.get<DeploymentsHealth>(`/api/v1/admin/events/${event.id}/deployments/health`)).body).toEqual({
        eventId: event.id,
        checkedAt: expect.any(String),
        items: [],
      });
    });
  });
});
