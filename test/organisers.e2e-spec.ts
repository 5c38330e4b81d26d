import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'jose';
import type { EventResponse, ResourceResponse } from './support/api';
import { newEvent, newResource, registerAttendee } from './support/factories';
import { httpClient, HttpClient, HttpResult, RequestOptions } from './support/http';
import { IssuerUser, OpenIdIssuer } from './support/openid-issuer';
import { startTestApp, TestApp } from './support/test-app';

const CLIENT_ID = randomUUID();
const CLIENT_SECRET = 'loopback-client-credential-0123456789';

/** The same client, calling as someone else (an Entra bearer token instead of ADMIN_TOKEN). */
function as(http: HttpClient, token: string): HttpClient {
  const request = <T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<HttpResult<T>> =>
    http.request<T>(method, path, { ...o, headers: { authorization: `Bearer ${token}`, ...o.headers } });
  return {
    request,
    get: (p, o) => request('GET', p, o),
    post: (p, body, o) => request('POST', p, { ...o, body }),
    patch: (p, body, o) => request('PATCH', p, { ...o, body }),
    put: (p, body, o) => request('PUT', p, { ...o, body }),
    delete: (p, o) => request('DELETE', p, o),
  } as HttpClient;
}

function user(name: string, roles?: string[]): IssuerUser {
  return { oid: randomUUID(), name, email: `${name.toLowerCase()}-${randomUUID().slice(0, 6)}@contoso.example`, roles };
}

describe('organisers (Entra ID)', () => {
  let issuer: OpenIdIssuer;
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    issuer = await new OpenIdIssuer(CLIENT_ID, CLIENT_SECRET).start();
    t = await startTestApp({ env: issuer.env() });
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
  });

  describe('bearer tokens', () => {
    const ada = user('Ada', ['AIProxy.Organiser']);

    it('accepts a valid token with the organiser role, with no role, and with the admin role', async () => {
      const organiser = await as(http, await issuer.token(ada)).get<{ role: string; method: string; organiser: { email: string } }>('/api/v1/auth/me');
      expect(organiser.status).toBe(200);
      expect(organiser.body).toMatchObject({ method: 'entra-token', role: 'organiser', organiser: { email: ada.email } });
      const noRole = await as(http, await issuer.token(user('Noor'))).get<{ role: string }>('/api/v1/auth/me');
      expect(noRole.status).toBe(200);
      expect(noRole.body.role).toBe('organiser');
      const admin = await as(http, await issuer.token(user('Root', ['AIProxy.Admin']))).get<{ role: string }>('/api/v1/auth/me');
      expect(admin.status).toBe(200);
      expect(admin.body.role).toBe('administrator');
    });

    it('accepts the App ID URI as audience', async () => {
      const res = await as(http, await issuer.token(ada, { aud: `api://${CLIENT_ID}` })).get('/api/v1/admin/events');
      expect(res.status).toBe(200);
    });

    it.each([
      ['a wrong audience', { aud: randomUUID() }, /aud claim/],
      ['a wrong issuer', { iss: `https://login.microsoftonline.com/${randomUUID()}/v2.0` }, /iss claim/],
      ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200, nbf: Math.floor(Date.now() / 1000) - 7200 }, /expired/],
    ])('refuses %s with 401', async (_what, overrides, message) => {
      const res = await as(http, await issuer.token(ada, overrides)).get<{ code: string; message: string }>('/api/v1/admin/events');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.body.message).toMatch(message);
    });

    it('refuses a token signed by another key (same kid) with 401', async () => {
      const other = await generateKeyPair('RS256');
      const res = await as(http, await issuer.token(ada, {}, other.privateKey)).get<{ message: string }>('/api/v1/admin/events');
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/signature/);
    });

    it('refuses a token without an object id, and a string that is not a token', async () => {
      expect((await as(http, await issuer.token(ada, { oid: undefined })).get('/api/v1/admin/events')).status).toBe(401);
      expect((await as(http, 'abc.def.ghi').get('/api/v1/admin/events')).status).toBe(401);
    });

    it('keeps ADMIN_TOKEN working as an administrator', async () => {
      const me = await http.get<{ role: string; method: string; organiser: null }>('/api/v1/auth/me', { admin: true });
      expect(me.body).toEqual({ method: 'admin-token', role: 'administrator', organiser: null });
    });
  });

  describe('ownership', () => {
    const alice = user('Alice', ['AIProxy.Organiser']);
    const bob = user('Bob', ['AIProxy.Organiser']);
    const root = user('Root', ['AIProxy.Admin']);
    let a: HttpClient;
    let b: HttpClient;
    let admin: HttpClient;
    let bobEvent: EventResponse;
    let bobResource: ResourceResponse;
    let aliceEvent: EventResponse;
    let aliceResource: ResourceResponse;
    let attendeeId: string;

    beforeAll(async () => {
      a = as(http, await issuer.token(alice));
      b = as(http, await issuer.token(bob));
      admin = as(http, await issuer.token(root));
      bobEvent = (await b.post<EventResponse>('/api/v1/admin/events', newEvent())).body;
      bobResource = (await b.post<ResourceResponse>('/api/v1/admin/resources', newResource())).body;
      expect((await b.put(`/api/v1/admin/events/${bobEvent.id}/resources/${bobResource.id}`)).status).toBe(200);
      attendeeId = (await registerAttendee(http, bobEvent.id)).attendeeId;
      aliceEvent = (await a.post<EventResponse>('/api/v1/admin/events', newEvent())).body;
      aliceResource = (await a.post<ResourceResponse>('/api/v1/admin/resources', newResource({ deploymentName: 'alice-chat' }))).body;
      expect(aliceEvent.id).toBeDefined();
      expect(aliceResource.id).toBeDefined();
    });

    it("answers 404 to organiser A on everything of organiser B's event", async () => {
      const e = `/api/v1/admin/events/${bobEvent.id}`;
      const answers = [
        await a.get(e),
        await a.patch(e, { name: 'Taken over' }),
        await a.get(`${e}/resources`),
        await a.get(`${e}/attendees`),
        await a.patch(`${e}/attendees/${attendeeId}`, { active: false }),
        await a.post(`${e}/attendees/${attendeeId}/rotate`),
        await a.get(`${e}/usage`),
        await a.get(`${e}/deployments/health`),
        await a.get(`${e}/organisers`),
        await a.delete(e),
      ];
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 404));
      expect((await b.get<EventResponse>(e)).body.name).toBe(bobEvent.name);
    });

    it("answers 404 to organiser A on B's resources, and lists only A's own", async () => {
      const r = `/api/v1/admin/resources/${bobResource.id}`;
      const answers = [await a.get(r), await a.patch(r, { weight: 5 }), await a.post(`${r}/test`), await a.delete(r)];
      expect(answers.map((x) => x.status)).toEqual([404, 404, 404, 404]);
      const events = await a.get<{ items: EventResponse[] }>('/api/v1/admin/events');
      expect(events.body.items.map((x) => x.id)).toEqual([aliceEvent.id]);
      const resources = await a.get<{ items: ResourceResponse[] }>('/api/v1/admin/resources');
      expect(resources.body.items.map((x) => x.id)).toEqual([aliceResource.id]);
    });

    it("does not let A attach B's resource to A's event, nor A's resource to B's event", async () => {
      expect((await a.put(`/api/v1/admin/events/${aliceEvent.id}/resources/${bobResource.id}`)).status).toBe(404);
      expect((await a.put(`/api/v1/admin/events/${bobEvent.id}/resources/${aliceResource.id}`)).status).toBe(404);
      expect((await a.get<ResourceResponse[]>(`/api/v1/admin/events/${aliceEvent.id}/resources`)).body).toEqual([]);
    });

    it('hides events and resources made with ADMIN_TOKEN from organisers', async () => {
      const adminEvent = (await http.post<EventResponse>('/api/v1/admin/events', newEvent())).body;
      expect((await a.get(`/api/v1/admin/events/${adminEvent.id}`)).status).toBe(404);
      expect((await admin.get(`/api/v1/admin/events/${adminEvent.id}`)).status).toBe(200);
    });

    it('keeps routes that span every event (metrics, import) to administrators', async () => {
      expect((await a.get('/metrics')).status).toBe(403);
      expect((await admin.get('/metrics')).status).toBe(200);
      expect((await a.post('/api/v1/admin/import/aoai', { connectionString: 'postgres://x@127.0.0.1:1/x', encryptionKey: 'k', dryRun: true })).status).toBe(403);
    });

    it('lets an administrator see and change everything', async () => {
      const events = await admin.get<{ items: EventResponse[] }>('/api/v1/admin/events');
      expect(events.body.items.map((x) => x.id)).toEqual(expect.arrayContaining([bobEvent.id, aliceEvent.id]));
      const resources = await admin.get<{ items: ResourceResponse[] }>('/api/v1/admin/resources');
      expect(resources.body.items.map((x) => x.id)).toEqual(expect.arrayContaining([bobResource.id, aliceResource.id]));
      expect((await admin.get(`/api/v1/admin/events/${bobEvent.id}/attendees`)).status).toBe(200);
      expect((await admin.get(`/api/v1/admin/events/${bobEvent.id}/usage`)).status).toBe(200);
    });

    it('shares an event with a co-organiser by email', async () => {
      const e = `/api/v1/admin/events/${bobEvent.id}`;
      // A co-organiser cannot share further; only the owner (or an administrator) can.
      const added = await b.post<{ id: string; email: string; signedIn: boolean }>(`${e}/organisers`, { email: alice.email.toUpperCase() });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ email: alice.email, signedIn: true });
      expect((await a.get(e)).status).toBe(200);
      expect((await a.get(`${e}/attendees`)).status).toBe(200);
      expect((await a.get(`${e}/usage`)).status).toBe(200);
      expect((await a.get<ResourceResponse[]>(`${e}/resources`)).body.map((r) => r.id)).toEqual([bobResource.id]);
      expect((await a.patch<EventResponse>(e, { description: 'co-organised' })).body.description).toBe('co-organised');
      // Attaching needs the resource too: A may attach A's own resource to the shared event, not B's elsewhere.
      expect((await a.put(`${e}/resources/${aliceResource.id}`)).status).toBe(200);
      expect((await a.put(`/api/v1/admin/events/${aliceEvent.id}/resources/${bobResource.id}`)).status).toBe(404);
      expect((await a.post(`${e}/organisers`, { email: 'someone@contoso.example' })).status).toBe(403);
      const listed = await b.get<{ email: string }[]>(`${e}/organisers`);
      expect(listed.body.map((o) => o.email)).toEqual([alice.email]);
      expect((await b.delete(`${e}/organisers/${added.body.id}`)).status).toBe(204);
      expect((await a.get(e)).status).toBe(404);
    });

    it('lets an invited organiser claim the invitation at first sign-in', async () => {
      const carol = user('Carol', ['AIProxy.Organiser']);
      const invited = await b.post<{ signedIn: boolean }>(`/api/v1/admin/events/${bobEvent.id}/organisers`, { email: carol.email });
      expect(invited.body.signedIn).toBe(false);
      const c = as(http, await issuer.token(carol));
      expect((await c.get(`/api/v1/admin/events/${bobEvent.id}`)).status).toBe(200);
      const listed = await b.get<{ email: string; signedIn: boolean }[]>(`/api/v1/admin/events/${bobEvent.id}/organisers`);
      expect(listed.body).toEqual([expect.objectContaining({ email: carol.email, signedIn: true })]);
    });
  });

  describe('sign-in with the authorization-code flow', () => {
    const dana = user('Dana', ['AIProxy.Organiser']);

    /** Browser steps: our login → the issuer's authorize → our callback; returns the callback's answer. */
    async function signIn(returnTo = '/events'): Promise<{ callback: HttpResult; cookies: string[] }> {
      const login = await http.get(`/api/v1/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(login.status).toBe(302);
      const attemptCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]);
      const authorize = await issuer.visit(login.headers.get('location')!);
      expect(authorize.status).toBe(302);
      const back = new URL(authorize.location!);
      const callback = await http.get(back.pathname + back.search, { headers: { cookie: attemptCookie.join('; ') } });
      return { callback, cookies: callback.headers.getSetCookie() };
    }

    it('redirects to the tenant with PKCE, signs in, and keeps a sealed HttpOnly session cookie', async () => {
      issuer.nextUser = dana;
      const { callback, cookies } = await signIn('/events?x=1');
      const sent = issuer.authorizeRequests.at(-1)!;
      expect(sent.get('client_id')).toBe(CLIENT_ID);
      expect(sent.get('code_challenge_method')).toBe('S256');
      expect(sent.get('redirect_uri')).toBe(`${t.url}/api/v1/auth/callback`);
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/events?x=1');
      const session = cookies.find((c) => c.startsWith('aip_organiser='))!;
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Lax/i);
      expect(session).not.toContain(dana.email);
      const cookie = session.split(';')[0];
      const me = await http.get<{ method: string; role: string; organiser: { email: string; name: string } }>('/api/v1/auth/me', { headers: { cookie } });
      expect(me.body).toMatchObject({ method: 'entra-session', role: 'organiser', organiser: { email: dana.email, name: 'Dana' } });
      const created = await http.post<EventResponse>('/api/v1/admin/events', newEvent(), { admin: false, headers: { cookie, origin: t.url } });
      expect(created.status).toBe(201);
      expect((await as(http, await issuer.token(dana)).get(`/api/v1/admin/events/${created.body.id}`)).status).toBe(200);
      // A changing request from another site does not ride on the cookie.
      const foreign = await http.post('/api/v1/admin/events', newEvent(), { admin: false, headers: { cookie, origin: 'https://evil.example' } });
      expect(foreign.status).toBe(403);
      const out = await http.post('/api/v1/auth/logout', undefined, { headers: { cookie } });
      expect(out.status).toBe(204);
      expect(out.headers.getSetCookie().join()).toMatch(/aip_organiser=;/);
    });

    it('refuses a tampered cookie and a callback without its sign-in attempt', async () => {
      expect((await http.get('/api/v1/auth/me', { headers: { cookie: 'aip_organiser=v1.AAAA.BBBB.CCCC' } })).status).toBe(401);
      const stray = await http.get('/api/v1/auth/callback?code=abc&state=def');
      expect(stray.status).toBe(302);
      expect(stray.headers.get('location')).toBe('/?signInError=expired');
    });

    it('reports a refused sign-in back to the portal, and never redirects off-site', async () => {
      issuer.nextUser = undefined;
      const { callback, cookies } = await signIn('//evil.example/x');
      expect(callback.headers.get('location')).toBe('/?signInError=denied');
      expect(cookies.some((c) => c.startsWith('aip_organiser='))).toBe(false);
    });
  });

  describe('sign-in with a certificate instead of a secret', () => {
    let dir: string;
    let certApp: TestApp;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'aip-client-cert-'));
      const [key, cert] = [join(dir, 'k.pem'), join(dir, 'c.pem')];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=aiproxy'], { stdio: 'ignore' });
      issuer.clientCertificatePem = readFileSync(cert, 'utf8');
      writeFileSync(join(dir, 'both.pem'), readFileSync(key, 'utf8') + issuer.clientCertificatePem);
      const { ENTRA_CLIENT_SECRET: _secret, ...env } = issuer.env();
      certApp = await startTestApp({ env: { ...env, ENTRA_CLIENT_CERTIFICATE_PATH: join(dir, 'both.pem') } });
    });
    afterAll(async () => {
      await certApp.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('redeems the code with a client assertion signed by the certificate', async () => {
      const web = httpClient(certApp.url);
      issuer.nextUser = user('Erin', ['AIProxy.Admin']);
      const login = await web.get('/api/v1/auth/login');
      const authorize = await issuer.visit(login.headers.get('location')!);
      const back = new URL(authorize.location!);
      const callback = await web.get(back.pathname + back.search, { headers: { cookie: login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } });
      expect(callback.headers.get('location')).toBe('/');
      const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('aip_organiser='))!.split(';')[0];
      const me = await web.get<{ role: string }>('/api/v1/auth/me', { headers: { cookie } });
      expect(me.body.role).toBe('administrator');
    });
  });
});
