import { httpClient, HttpClient } from './support/http';
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
  // Attendee sign-in: starting it, the provider's redirect back, and signing out need no credentials.
  'get /api/v1/attendee/auth/{provider}/login',
  'get /api/v1/attendee/auth/{provider}/callback',
  'post /api/v1/attendee/auth/sign-out',
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
