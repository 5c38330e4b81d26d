import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { builtinResource, expectOpenAiError, UsageReport, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

/** Regressions found by fuzzing: hostile input is the caller's 4xx and never harms other requests. */
describe('proxy with hostile input', () => {
  let t: TestApp;
  let http: HttpClient;
  let eventId: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    const { event } = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
    eventId = event.id;
    key = (await registerAttendee(http, eventId)).apiKey;
  });
  afterAll(() => t.close());

  const chat = (body: unknown, path = '/v1/chat/completions') => http.post(path, body, { headers: { 'api-key': key } });

  it('answers a body nested too deeply to serialise with 400, not 500', async () => {
    const depth = 20_000;
    const body = `{"model":"chat","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await chat(body);
    expect(expectOpenAiError(res, 400, 'validation_failed').message).toMatch(/nested too deeply/);
    expect((await chat({ model: 'chat', messages: [{ role: 'user', content: 'still fine' }] })).status).toBe(200);
  });

  it('refuses an api-version that is not a dated version before anything reaches a backend', async () => {
    for (const version of ['latest', '1', 'v1', '2024-10-21;drop', '../x']) {
      const res = await chat({ messages: [{ role: 'user', content: 'hi' }] }, `/openai/deployments/chat/chat/completions?api-version=${encodeURIComponent(version)}`);
      expect(expectOpenAiError(res, 400, 'validation_failed').param).toBe('api-version');
    }
    const health = await http.get<{ items: { breaker: string; rateLimited: boolean }[] }>(`/api/v1/admin/events/${eventId}/deployments/health`);
    expect(health.body.items.map((i) => i.breaker)).toEqual(['closed']);
    const ok = await chat({ messages: [{ role: 'user', content: 'hi' }] }, '/openai/deployments/chat/chat/completions?api-version=2025-04-01-preview');
    expect(ok.status).toBe(200);
  });

  it('keeps metering after a request whose model holds a NUL character', async () => {
    const res = await chat({ model: 'chat\u0000evil', messages: [{ role: 'user', content: 'hi' }] });
    expectOpenAiError(res, 404, 'DeploymentNotFound');
    expect((await chat({ model: 'chat', messages: [{ role: 'user', content: 'after' }] })).status).toBe(200);
    const report = await waitFor(async () => {
      const r = await http.get<UsageReport>(`/api/v1/admin/events/${eventId}/usage`);
      return r.body.byDeployment.some((d) => d.deployment === 'chatevil') && r.body;
    }, 'the NUL request recorded');
    expect(report.byDeployment.find((d) => d.deployment === 'chatevil')).toMatchObject({ requests: 1, errors: 1 });
  });
});
