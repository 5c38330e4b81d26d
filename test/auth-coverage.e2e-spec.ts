import { httpClient, HttpClient } from './support/http';
import { OpenIdIssuer } from './support/openid-issuer';
import { startTestApp, TestApp } from './support/test-app';

interface Operation {
  security?: Record<string, string[]>[];
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** Routes anyone may call: they are documented without a security requirement. */
const PUBLIC = new Set([
  'get /healthz',
  'get /readyz',
  'post /api/v1/events/{eventId}/attendees',
  'get /api/v1/events/{eventId}',
  // Azure AI Proxy's registration page data.
  'get /api/v1/event/{eventId}',
  // Attendee sign-in: starting it, the provider's redirect back, and signing out need no credentials.
  'get /api/v1/attendee/auth/{provider}/login',
  'get /api/v1/attendee/auth/{provider}/callback',
  'post /api/v1/attendee/auth/sign-out',
  // Organiser sign-in (Entra ID): what the portal asks first, the redirects, and signing out.
  'get /api/v1/auth/info',
  'get /api/v1/auth/login',
  'get /api/v1/auth/callback',
  'post /api/v1/auth/logout',
]);

/**
 * Walks the OpenAPI document: every route that is not deliberately public must refuse a caller
 * without credentials, so a new controller that forgets its guard fails here.
 */
describe('authentication coverage', () => {
  let t: TestApp;
  let http: HttpClient;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    doc = (await http.get<OpenApiDocument>('/docs/json')).body;
  });
  afterAll(() => t.close());

  it('documents a security scheme on every non-public route', () => {
    const undocumented: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method} ${path}`;
        if (!PUBLIC.has(key) && !(op.security && op.security.length > 0)) undocumented.push(key);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('answers 401 without credentials on every non-public route', async () => {
    const open: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (PUBLIC.has(`${method} ${path}`)) continue;
        const url = path.replace(/\{[^}]+\}/g, 'x1') + (path.includes('deployments') ? '?api-version=2024-10-21' : '');
        const res = await http.request(method.toUpperCase(), url, {
          admin: false,
          body: ['post', 'put', 'patch'].includes(method) ? {} : undefined,
        });
        checked++;
        // Realtime routes are WebSocket-only; a plain GET is told to upgrade.
        if (res.status !== 401 && !(res.status === 426 && path.includes('realtime'))) open.push(`${method} ${path} -> ${res.status}`);
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(open).toEqual([]);
  });

  it('refuses a wrong admin token on admin routes', async () => {
    const res = await http.get('/api/v1/admin/events', { headers: { authorization: 'Bearer not-the-token-0123456789' } });
    expect(res.status).toBe(401);
  });
});

/** The same walk with Entra ID sign-in on: no credentials, a forged session cookie, or a stranger's JWT get 401. */
describe('authentication coverage with Entra ID sign-in', () => {
  let issuer: OpenIdIssuer;
  let t: TestApp;
  let http: HttpClient;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    issuer = await new OpenIdIssuer('6f1c2a9e-0000-4000-8000-00000000c0de', 'loopback-client-credential-0123456789').start();
    t = await startTestApp({ env: issuer.env() });
    http = httpClient(t.url);
    doc = (await http.get<OpenApiDocument>('/docs/json')).body;
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
  });

  it('answers 401 on every non-public route without credentials, with a forged cookie, and with a token for another app', async () => {
    const stranger = await issuer.token({ oid: 'f00d', name: 'Mallory', email: 'mallory@contoso.example' }, { aud: 'another-app' });
    const attempts: Record<string, string>[] = [{}, { cookie: 'aip_organiser=v1.AAAAAAAAAAAAAAAA.BBBB.CCCCCCCCCCCCCCCCCCCCCC' }, { authorization: `Bearer ${stranger}` }];
    const open: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (PUBLIC.has(`${method} ${path}`) || path.includes('realtime')) continue;
        const url = path.replace(/\{[^}]+\}/g, 'x1') + (path.includes('deployments') ? '?api-version=2024-10-21' : '');
        for (const headers of attempts) {
          const res = await http.request(method.toUpperCase(), url, { admin: false, headers, body: ['post', 'put', 'patch'].includes(method) ? {} : undefined });
          checked++;
          // Attendee routes read an api-key instead; a foreign JWT there is an invalid key, still a 401.
          if (res.status !== 401) open.push(`${method} ${path} ${Object.keys(headers).join()} -> ${res.status}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(90);
    expect(open).toEqual([]);
  });
});
