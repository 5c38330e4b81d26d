import { httpClient, HttpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const PORTAL = 'https://portal.contoso.example';
const ELSEWHERE = 'https://playground.example.com';

function preflight(t: TestApp, path: string, origin: string): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('admin hardening: CORS allow-list and body limits per route', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: PORTAL, ADMIN_BODY_LIMIT_BYTES: '2048' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('lets only the listed origin call admin and sign-in routes, with credentials for the cookie', async () => {
    for (const path of ['/api/v1/admin/events', '/api/v1/auth/me']) {
      const listed = await preflight(t, path, PORTAL);
      expect(listed.headers.get('access-control-allow-origin')).toBe(PORTAL);
      expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
      const other = await preflight(t, path, ELSEWHERE);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    }
    const read = await http.get('/api/v1/admin/events', { headers: { origin: ELSEWHERE } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps proxy routes open to any origin, without credentials', async () => {
    const res = await preflight(t, '/v1/chat/completions', ELSEWHERE);
    expect(res.headers.get('access-control-allow-origin')).toBe(ELSEWHERE);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('caps admin bodies at ADMIN_BODY_LIMIT_BYTES while proxy routes take the larger BODY_LIMIT_BYTES', async () => {
    const big = { name: 'x'.repeat(8192) };
    const admin = await http.post<{ code: string }>('/api/v1/admin/events', big);
    expect(admin.status).toBe(413);
    expect(admin.body.code).toBe('payload_too_large');
    expect((await http.post('/api/v1/events/any-event/attendees', big)).status).toBe(413);
    // Parsed, then refused for the missing key: the body was within the proxy's limit.
    const proxy = await http.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(8192) }] });
    expect(proxy.status).toBe(401);
  });
});

describe('admin CORS with CORS_ORIGINS=*', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers any origin on admin routes but never with credentials', async () => {
    const res = await preflight(t, '/api/v1/admin/events', ELSEWHERE);
    expect(res.headers.get('access-control-allow-origin')).toBe(ELSEWHERE);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
