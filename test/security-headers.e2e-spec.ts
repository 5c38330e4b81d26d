import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { builtinResource, chat } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

/** Headers helmet sets that only act on HTML documents: an API answer goes without them. */
const HTML_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

function expectApiHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  for (const name of HTML_ONLY) expect(headers.get(name)).toBeNull();
}

describe('security headers', () => {
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

  it('gives proxy answers, streamed or not, and their refusals the API set', async () => {
    expectApiHeaders((await chat(http, key, { model: 'chat' })).headers);
    expectApiHeaders((await chat(http, key, { model: 'chat', stream: true })).headers);
    expectApiHeaders((await http.post('/v1/chat/completions', { model: 'chat' }, { admin: false })).headers);
  });

  it('gives the admin API the API set', async () => {
    const res = await http.get('/api/v1/admin/events');
    expect(res.status).toBe(200);
    expectApiHeaders(res.headers);
  });

  it("keeps helmet's full set, with a CSP that lets the page run, on Swagger UI", async () => {
    const res = await http.get('/docs', { admin: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
