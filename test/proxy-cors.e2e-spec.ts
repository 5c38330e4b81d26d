import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const ORIGIN = 'https://playground.example.com';

describe('proxy CORS', () => {
  let t: TestApp;
  let http: HttpClient;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    const { event } = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
    key = (await registerAttendee(http, event.id)).apiKey;
  });
  afterAll(() => t.close());

  it.each(['/v1/chat/completions', '/openai/deployments/chat/chat/completions?api-version=2024-10-21', '/openai/v1/embeddings'])(
    'answers the browser preflight for %s with the SDK headers allowed',
    async (path) => {
      const res = await http.request('OPTIONS', path, {
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-stainless-os,api-key',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-stainless-os', 'api-key']));
    },
  );

  it('lets the browser read a JSON answer and its rate-limit headers', async () => {
    const res = await chat(http, key, { model: 'chat' }, { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of ['x-request-id', 'x-ratelimit-remaining-requests', 'retry-after']) expect(exposed).toContain(name);
  });

  it('lets the browser read a streamed answer', async () => {
    const res = await chat(http, key, { model: 'chat', stream: true }, { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.text).toContain('data: [DONE]');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('lets the browser read a refusal', async () => {
    const unauthorised = await http.post('/v1/chat/completions', { model: 'chat' }, { headers: { origin: ORIGIN } });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const models = await http.get('/v1/models', { headers: { ...attendeeHeaders(key), origin: ORIGIN } });
    expect(models.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // A 429 and its retry-after reach the browser too.
    const { event } = await seedEvent(http, { dailyRequestCap: 1 }, [builtinResource({ deploymentName: 'chat' })]);
    const limited = (await registerAttendee(http, event.id)).apiKey;
    expect((await chat(http, limited, { model: 'chat' })).status).toBe(200);
    const capped = await chat(http, limited, { model: 'chat' }, { origin: ORIGIN });
    expect(capped.status).toBe(429);
    expect(capped.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(capped.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
