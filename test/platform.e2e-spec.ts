import type { ApiError, EventResponse, Page } from './support/api';
import { expectAdminError } from './support/expect-error';
import { newEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

interface OpenApiOperation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
}

/** Every route of the control plane, as the issue lists them. */
const ADMIN_ROUTES: [string, string][] = [
  ['post', '/api/v1/admin/events'],
  ['get', '/api/v1/admin/events'],
  ['get', '/api/v1/admin/events/{eventId}'],
  ['patch', '/api/v1/admin/events/{eventId}'],
  ['delete', '/api/v1/admin/events/{eventId}'],
  ['post', '/api/v1/admin/resources'],
  ['get', '/api/v1/admin/resources'],
  ['get', '/api/v1/admin/resources/{id}'],
  ['patch', '/api/v1/admin/resources/{id}'],
  ['delete', '/api/v1/admin/resources/{id}'],
  ['get', '/api/v1/admin/events/{eventId}/resources'],
  ['put', '/api/v1/admin/events/{eventId}/resources/{resourceId}'],
  ['delete', '/api/v1/admin/events/{eventId}/resources/{resourceId}'],
  ['get', '/api/v1/admin/events/{eventId}/attendees'],
  ['patch', '/api/v1/admin/events/{eventId}/attendees/{attendeeId}'],
  ['post', '/api/v1/admin/events/{eventId}/attendees/{attendeeId}/rotate'],
];
const PUBLIC_ROUTES: [string, string][] = [
  ['post', '/api/v1/events/{eventId}/attendees'],
  ['get', '/api/v1/eventinfo'],
  ['get', '/healthz'],
  ['get', '/readyz'],
];

describe('Platform: health, OpenAPI, errors, request ids, body limit, CORS', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    // A small body limit so the 413 tests need only a few kilobytes.
    t = await startTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  async function eventIds(): Promise<string[]> {
    const list = await http.get<Page<EventResponse>>('/api/v1/admin/events');
    expect(list.status).toBe(200);
    return list.body.items.map((e) => e.id).sort();
  }

  describe('health', () => {
    it('answers liveness on /healthz', async () => {
      const res = await http.get('/healthz');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('answers readiness on /readyz with its checks', async () => {
      const res = await http.get('/readyz');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
    });
  });

  describe('OpenAPI', () => {
    let doc: OpenApiDocument;

    beforeAll(async () => {
      const res = await http.get<OpenApiDocument>('/docs/json');
      expect(res.status).toBe(200);
      doc = res.body;
    });

    it('serves Swagger UI as HTML at /docs', async () => {
      const res = await http.get('/docs');

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('swagger-ui');
    });

    it('declares the admin token and both attendee key schemes', () => {
      expect(doc.components.securitySchemes).toMatchObject({
        'admin-token': { type: 'http', scheme: 'bearer' },
        'attendee-key': { type: 'http', scheme: 'bearer' },
        'api-key': { type: 'apiKey', in: 'header', name: 'api-key' },
      });
    });

    it('documents every control-plane route', () => {
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));

      expect(documented).toEqual(expect.arrayContaining([...ADMIN_ROUTES, ...PUBLIC_ROUTES].map(([m, p]) => `${m} ${p}`)));
    });

    it('puts admin routes behind the admin token and documents their 401', () => {
      for (const [method, path] of ADMIN_ROUTES) {
        const op = doc.paths[path][method];
        expect({ route: `${method} ${path}`, security: op.security }).toEqual({
          route: `${method} ${path}`,
          security: [{ 'admin-token': [] }],
        });
        expect(op.responses['401']?.content?.['application/json'].schema.properties).toHaveProperty('requestId');
      }
    });

    it('documents the attendee key on /api/v1/eventinfo and no security on registration', () => {
      expect(doc.paths['/api/v1/eventinfo'].get.security).toEqual(expect.arrayContaining([{ 'api-key': [] }, { 'attendee-key': [] }]));
      expect(doc.paths['/api/v1/events/{eventId}/attendees'].post.security ?? []).toEqual([]);
    });

    it('documents request body schemas with their fields', () => {
      const body = (method: string, path: string) => doc.paths[path][method].requestBody?.content['application/json'].schema;

      expect(body('post', '/api/v1/admin/events')).toMatchObject({ required: expect.arrayContaining(['name', 'startsAt', 'endsAt']) });
      expect(Object.keys(body('post', '/api/v1/admin/events')?.properties ?? {})).toEqual(
        expect.arrayContaining(['id', 'name', 'description', 'organizerName', 'organizerEmail', 'eventUrl', 'startsAt', 'endsAt',
          'timeZone', 'maxTokenCap', 'dailyRequestCap', 'active', 'registration', 'modelAliases']),
      );
      expect(body('patch', '/api/v1/admin/events/{eventId}')?.properties).toHaveProperty('endsAt');
      expect(body('post', '/api/v1/admin/resources')?.properties).toHaveProperty('apiKey');
      expect(body('patch', '/api/v1/admin/resources/{id}')?.properties).toHaveProperty('apiKey');
      expect(body('post', '/api/v1/events/{eventId}/attendees')).toMatchObject({ required: expect.arrayContaining(['name', 'email']) });
      expect(body('patch', '/api/v1/admin/events/{eventId}/attendees/{attendeeId}')).toMatchObject({ required: ['active'] });
    });

    it('documents validation and not-found errors where they can happen', () => {
      for (const [method, path] of [...ADMIN_ROUTES, ...PUBLIC_ROUTES]) {
        const op = doc.paths[path][method];
        const statuses = Object.keys(op.responses);
        if (op.requestBody) expect({ route: `${method} ${path}`, statuses }).toEqual({ route: `${method} ${path}`, statuses: expect.arrayContaining(['400']) });
        if (path.includes('{') && path !== '/api/v1/eventinfo') {
          expect({ route: `${method} ${path}`, statuses }).toEqual({ route: `${method} ${path}`, statuses: expect.arrayContaining(['404']) });
        }
      }
      expect(Object.keys(doc.paths['/api/v1/admin/events'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409', '413']));
      // Registering again never rotates a key (409); there is no 200 any more.
      expect(Object.keys(doc.paths['/api/v1/events/{eventId}/attendees'].post.responses)).toEqual(
        expect.arrayContaining(['201', '400', '403', '404', '409', '429']),
      );
      expect(Object.keys(doc.paths['/api/v1/eventinfo'].get.responses)).toEqual(expect.arrayContaining(['200', '401']));
    });
  });

  describe('errors', () => {
    it('rejects invalid JSON with 400 invalid_json and creates nothing', async () => {
      const before = await eventIds();

      const res = await http.post('/api/v1/admin/events', '{"id": "broken-json", "name": ');

      expectAdminError(res, 400, 'invalid_json');
      expect(await eventIds()).toEqual(before);
    });

    it('rejects invalid JSON on the public registration route too', async () => {
      const res = await http.post('/api/v1/events/anything/attendees', '{name');

      expectAdminError(res, 400, 'invalid_json');
    });

    it('rejects a missing admin token with 401 and creates nothing', async () => {
      const before = await eventIds();

      const res = await http.post('/api/v1/admin/events', newEvent({ id: 'no-token' }), { admin: false });

      expectAdminError(res, 401, 'unauthorized');
      expect(await eventIds()).toEqual(before);
    });

    it('rejects a wrong admin token with 401', async () => {
      for (const authorization of [`Bearer ${ADMIN_TOKEN}x`, 'Bearer ', ADMIN_TOKEN, `Basic ${ADMIN_TOKEN}`]) {
        const res = await http.get('/api/v1/admin/events', { headers: { authorization } });
        expectAdminError(res, 401, 'unauthorized');
      }
    });

    it('answers an unknown route with 404 in the admin shape', async () => {
      expectAdminError(await http.get('/api/v1/admin/nothing-here'), 404, 'route_not_found');
      expectAdminError(await http.get('/nothing-here', { admin: false }), 404, 'route_not_found');
    });

    it('answers a URL Fastify cannot decode (%zz) in the route family shape', async () => {
      expectAdminError(await http.get('/api/v1/admin/events/%zz'), 400, 'validation_failed');
      const proxy = await http.get<{ error: Record<string, unknown> }>('/openai/v1/models/%c0%zz');
      expect(proxy.status).toBe(400);
      expect(proxy.body.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', code: 'validation_failed', param: null, status: 400 });
    });

    it('answers a NUL character in an id or a stored field with 400, not a database 500', async () => {
      expectAdminError(await http.get('/api/v1/admin/events/a%00b'), 400, 'validation_failed');
      const before = await eventIds();
      expectAdminError(await http.post('/api/v1/admin/events', newEvent({ name: 'a\u0000b' })), 400, 'validation_failed');
      expect(await eventIds()).toEqual(before);
    });

    it('rejects a body over BODY_LIMIT_BYTES with 413 and creates nothing', async () => {
      const before = await eventIds();

      const res = await http.post('/api/v1/admin/events', newEvent({ id: 'too-big', description: 'x'.repeat(4096) }));

      expectAdminError(res, 413, 'payload_too_large');
      expect(await eventIds()).toEqual(before);
    });

    it('rejects invalid JSON and oversized bodies on PATCH and changes nothing', async () => {
      const created = await http.post<EventResponse>('/api/v1/admin/events', newEvent());
      expect(created.status).toBe(201);
      const path = `/api/v1/admin/events/${created.body.id}`;

      expectAdminError(await http.patch(path, '{"name": "Half'), 400, 'invalid_json');
      expectAdminError(await http.patch(path, { description: 'x'.repeat(4096) }), 413, 'payload_too_large');

      expect((await http.get(path)).body).toEqual(created.body);
    });

    it('rejects an oversized registration with 413', async () => {
      const res = await http.post('/api/v1/events/anything/attendees', { name: 'x'.repeat(4096), email: 'big@example.com' });

      expectAdminError(res, 413, 'payload_too_large');
    });
  });

  describe('request ids', () => {
    it('generates a request id, sends it as x-request-id and puts it in error bodies', async () => {
      const a = await http.get<ApiError>('/api/v1/admin/events/does-not-exist');
      const b = await http.get<ApiError>('/api/v1/admin/events/does-not-exist');

      expectAdminError(a, 404, 'event_not_found');
      expectAdminError(b, 404, 'event_not_found');
      expect(a.body.requestId).not.toBe(b.body.requestId);
    });

    it('echoes a request id the client sends', async () => {
      const requestId = 'client-trace-42.abc:1';

      const ok = await http.get('/healthz', { headers: { 'x-request-id': requestId } });
      const failed = await http.get<ApiError>('/api/v1/admin/events/does-not-exist', { headers: { 'x-request-id': requestId } });

      expect(ok.headers.get('x-request-id')).toBe(requestId);
      expect(failed.headers.get('x-request-id')).toBe(requestId);
      expect(failed.body.requestId).toBe(requestId);
    });

    it('replaces a request id that is not a safe token', async () => {
      const res = await http.get('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });

      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('CORS', () => {
    it('answers a preflight with access-control-allow-origin', async () => {
      const res = await fetch(`${t.url}/api/v1/admin/events`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://admin.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });

      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    });

    it('adds the allow-origin header to a plain cross-origin request', async () => {
      const res = await http.get('/healthz', { headers: { origin: 'https://admin.example.com' } });

      expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
      expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    });
  });
});
