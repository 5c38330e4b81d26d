import type { EventInfo, Page, AttendeeResponse } from './support/api';
import { expectAdminError } from './support/expect-error';
import { registerAttendee, seedEvent } from './support/factories';
import { GitHubStandIn, newGitHubUser, StandInUser } from './support/github-stand-in';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { builtinResource, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import type { SelfRegistration, SelfRotated, SelfStatus } from '../src/attendees/dto/attendee-self.schemas';

interface Browser {
  /** name=value pairs the browser holds for the app, by cookie name. */
  cookies: Map<string, string>;
}

/** The Set-Cookie headers of a response, by cookie name, with their attributes. */
function setCookies(res: Response): Map<string, { value: string; attributes: string }> {
  const out = new Map<string, { value: string; attributes: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq).trim(), { value: pair.slice(eq + 1).trim(), attributes: attributes.join(';').trim() });
  }
  return out;
}

describe('attendee sign-in with GitHub', () => {
  let github: GitHubStandIn;
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    github = await new GitHubStandIn().start();
    t = await startTestApp({ env: github.env() });
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await github.stop();
  });

  const githubEvent = async (overrides: Record<string, unknown> = {}) =>
    (await seedEvent(http, { registration: { mode: 'github' }, ...overrides }, [builtinResource()])).event;

  /** A browser following the redirects by hand, keeping the app's cookies (the stand-in sets none). */
  async function get(browser: Browser, url: string): Promise<Response> {
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie && url.startsWith(t.url) ? { cookie } : {} });
    for (const [name, { value, attributes }] of setCookies(res)) {
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(attributes)) browser.cookies.delete(name);
      else browser.cookies.set(name, value);
    }
    return res;
  }

  /** Login → the stand-in's consent → the app's callback. Returns the callback's answer. */
  async function signIn(eventId: string, user: StandInUser, browser: Browser = { cookies: new Map() }) {
    github.user = user;
    const login = await get(browser, `${t.url}/api/v1/attendee/auth/github/login?event=${eventId}`);
    expect(login.status).toBe(302);
    const consent = await get(browser, login.headers.get('location')!);
    expect(consent.status).toBe(302);
    const callback = await get(browser, consent.headers.get('location')!);
    return { browser, callback, location: callback.headers.get('location') };
  }

  const session = (browser: Browser) => ({ cookie: `aip_attendee_session=${browser.cookies.get('aip_attendee_session')}` });
  const register = (eventId: string, browser: Browser, body: unknown = undefined) =>
    http.post<SelfRegistration>(`/api/v1/attendee/event/${eventId}/register`, body, { headers: session(browser) });
  const status = (eventId: string, browser: Browser) => http.get<SelfStatus>(`/api/v1/attendee/event/${eventId}`, { headers: session(browser) });
  const eventInfo = (key: string): Promise<HttpResult<EventInfo>> => http.get<EventInfo>('/api/v1/eventinfo', { headers: { 'api-key': key } });

  it('redirects to GitHub with state and a PKCE S256 challenge, and returns to the event page signed in', async () => {
    const event = await githubEvent();
    const user = newGitHubUser();
    const browser: Browser = { cookies: new Map() };
    github.user = user;

    const login = await fetch(`${t.url}/api/v1/attendee/auth/github/login?event=${event.id}`, { redirect: 'manual' });
    const authorize = new URL(login.headers.get('location')!);
    const flowCookie = setCookies(login).get('aip_attendee_flow')!;

    expect(login.status).toBe(302);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: github.clientId,
      redirect_uri: `${t.url}/api/v1/attendee/auth/github/callback`,
      scope: 'read:user user:email',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(flowCookie.attributes).toMatch(/HttpOnly/i);
    expect(flowCookie.attributes).toMatch(/SameSite=Lax/i);
    expect(flowCookie.value).not.toContain(authorize.searchParams.get('state'));

    browser.cookies.set('aip_attendee_flow', flowCookie.value);
    const consent = await get(browser, authorize.toString());
    const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual', headers: { cookie: `aip_attendee_flow=${flowCookie.value}` } });
    const sessionCookie = setCookies(callback).get('aip_attendee_session')!;

    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`/register/${event.id}`);
    expect(sessionCookie.attributes).toMatch(/HttpOnly/i);
    expect(sessionCookie.attributes).toMatch(/SameSite=Lax/i);
    expect(sessionCookie.attributes).toMatch(/Path=\/api\/v1\/attendee/i);
    // Encrypted: neither the login nor the email can be read from it.
    expect(Buffer.from(sessionCookie.value, 'base64url').toString('latin1')).not.toContain(user.login);
    expect(sessionCookie.value).not.toContain(user.login);
    const me = await http.get('/api/v1/attendee/session', { headers: { cookie: `aip_attendee_session=${sessionCookie.value}` } });
    expect(me.body).toEqual({ provider: 'github', login: user.login, name: user.name, email: `${user.login}@example.org` });
    // Neither the one-time code, GitHub's access token nor the session reaches a log line.
    const logs = t.logs.join('');
    expect(logs).toContain('/api/v1/attendee/auth/github/callback');
    expect(logs).not.toContain(new URL(consent.headers.get('location')!).searchParams.get('code'));
    expect(logs).not.toContain('gho_');
    expect(logs).not.toContain(sessionCookie.value);
  });

  it('makes the GitHub identity the attendee, ignoring a typed name and email', async () => {
    const event = await githubEvent();
    const user = newGitHubUser({ name: 'Ada Lovelace' });
    // Unlike the login: a search by login below must find the attendee through the identity, not the email.
    user.emails = [
      { email: 'ada@example.net', primary: false, verified: true },
      { email: 'countess@example.org', primary: true, verified: true },
    ];
    const { browser, location } = await signIn(event.id, user);
    expect(location).toBe(`/register/${event.id}`);

    const res = await register(event.id, browser, { name: 'Mallory', email: 'victim@example.com' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      api_key: expect.stringMatching(/^aip_/),
      key_prefix: expect.any(String),
      active: true,
      event_id: event.id,
      endpoints: { azure_openai: t.url, openai: `${t.url}/v1` },
    });
    expect(res.body.api_key!.startsWith(res.body.key_prefix)).toBe(true);
    const info = await eventInfo(res.body.api_key!);
    expect(info.status).toBe(200);
    // The verified primary address from the API, not the typed one nor the non-primary one.
    expect(info.body.attendee).toEqual({ id: res.body.attendee_id, name: 'Ada Lovelace', email: 'countess@example.org' });
    const listed = await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${event.id}/attendees`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ email: 'countess@example.org', identity: { provider: 'github', login: user.login } }),
    ]);
    // Organisers find a GitHub attendee by login too.
    const found = await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${event.id}/attendees?search=${user.login.toUpperCase()}`);
    expect(found.body.items.map((a) => a.id)).toEqual([res.body.attendee_id]);
  });

  it('finds the same attendee at the next sign-in: register again is 200 without a key, the key keeps working', async () => {
    const event = await githubEvent();
    const user = newGitHubUser();
    const first = await register(event.id, (await signIn(event.id, user)).browser);
    expect(first.status).toBe(201);

    const { browser } = await signIn(event.id, user);
    const again = await register(event.id, browser);
    const mine = await status(event.id, browser);

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ api_key: null, attendee_id: first.body.attendee_id, key_prefix: first.body.key_prefix, active: true });
    expect(again.body.message).toMatch(/already registered/i);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ api_key: null, active: true, attendee_id: first.body.attendee_id, key_prefix: first.body.key_prefix });
    expect((await eventInfo(first.body.api_key!)).status).toBe(200);
    expect((await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${event.id}/attendees`)).body.total).toBe(1);
  });

  it('lets the signed-in attendee rotate their own key: the new one works, the old one stops', async () => {
    const event = await githubEvent();
    const { browser } = await signIn(event.id, newGitHubUser());
    const { body: registered } = await register(event.id, browser);

    const rotated = await http.post<SelfRotated>(`/api/v1/attendee/event/${event.id}/rotate`, undefined, { headers: session(browser) });

    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ api_key: expect.stringMatching(/^aip_/), attendee_id: registered.attendee_id });
    expect(rotated.body.api_key).not.toBe(registered.api_key);
    expectAdminError(await eventInfo(registered.api_key!), 401, 'invalid_api_key');
    expect((await eventInfo(rotated.body.api_key)).status).toBe(200);
    expect((await status(event.id, browser)).body.key_prefix).toBe(rotated.body.key_prefix);
  });

  it("shows the signed-in attendee today's requests and tokens against the event's caps", async () => {
    const event = await githubEvent({ dailyRequestCap: 7, maxTokenCap: 300 });
    const { browser } = await signIn(event.id, newGitHubUser());
    const { body: registered } = await register(event.id, browser);

    const chat = await http.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }, {
      headers: { authorization: `Bearer ${registered.api_key}` },
    });
    expect(chat.status).toBe(200);

    const mine = await waitFor(async () => {
      const res = await status(event.id, browser);
      return res.body.usage.tokens > 0 && res.body;
    }, 'usage to show the request');
    expect(mine.usage).toMatchObject({ requests: 1, daily_request_cap: 7, remaining_requests: 6, max_token_cap: 300 });
    expect(mine.usage.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(mine.usage.resets_at)).toBeGreaterThan(Date.now());
    expect(mine.identity).toEqual({ provider: 'github', login: expect.stringMatching(/^octo-/) });
  });

  it('answers 404 on the attendee route for a signed-in identity that has not registered, and 404 for an unknown event', async () => {
    const event = await githubEvent();
    const registered = await signIn(event.id, newGitHubUser());
    await register(event.id, registered.browser);
    const { browser } = await signIn(event.id, newGitHubUser());

    expectAdminError(await status(event.id, browser), 404, 'attendee_not_found');
    expectAdminError(await status('no-such-event', browser), 404, 'event_not_found');
    expectAdminError(await http.post(`/api/v1/attendee/event/${event.id}/rotate`, undefined, { headers: session(browser) }), 404, 'attendee_not_found');
  });

  it('trusts no header: x-ms-client-principal, a forged or a tampered cookie get 401 and no key', async () => {
    const event = await githubEvent();
    const user = newGitHubUser();
    const { browser } = await signIn(event.id, user);
    await register(event.id, browser);
    const principal = Buffer.from(
      JSON.stringify({ identityProvider: 'github', userId: String(user.id), userDetails: user.login, claims: [] }),
    ).toString('base64');
    // Flip a character inside (the last one may only carry padding bits, which decode the same).
    const sealed = browser.cookies.get('aip_attendee_session')!;
    const mid = Math.floor(sealed.length / 2);
    const tampered = sealed.slice(0, mid) + (sealed[mid] === 'A' ? 'B' : 'A') + sealed.slice(mid + 1);

    const attempts: Record<string, string>[] = [
      { 'x-ms-client-principal': principal, 'x-ms-client-principal-id': String(user.id), 'x-ms-client-principal-name': user.login },
      { cookie: 'aip_attendee_session=not-a-sealed-value' },
      { cookie: `aip_attendee_session=${tampered}` },
    ];
    for (const headers of attempts) {
      const read = await http.get(`/api/v1/attendee/event/${event.id}`, { headers });
      const write = await http.post(`/api/v1/attendee/event/${event.id}/register`, undefined, { headers });
      const rotate = await http.post(`/api/v1/attendee/event/${event.id}/rotate`, undefined, { headers });
      for (const res of [read, write, rotate]) {
        expectAdminError(res, 401, 'attendee_sign_in_required');
        expect(res.text).not.toContain('aip_');
      }
    }
  });

  it('answers a state that does not match the browser with a clear error and no session', async () => {
    const event = await githubEvent();
    const browser: Browser = { cookies: new Map() };
    const login = await get(browser, `${t.url}/api/v1/attendee/auth/github/login?event=${event.id}`);
    const consent = await get(browser, login.headers.get('location')!);
    const forged = new URL(consent.headers.get('location')!);
    forged.searchParams.set('state', 'attacker-state');

    const callback = await get(browser, forged.toString());

    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`/register/${event.id}?signInError=state_mismatch`);
    expect(browser.cookies.has('aip_attendee_session')).toBe(false);
    // The flow is spent: replaying the genuine callback now is refused too.
    const replay = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ code: 'sign_in_failed', message: expect.stringMatching(/Start again/) });
  });

  it('returns to the event page with access_denied when the attendee declines consent', async () => {
    const event = await githubEvent();
    github.deny = true;

    const { browser, callback, location } = await signIn(event.id, newGitHubUser());

    expect(callback.status).toBe(302);
    expect(location).toBe(`/register/${event.id}?signInError=access_denied`);
    expect(browser.cookies.has('aip_attendee_session')).toBe(false);
  });

  it('returns to the event page with provider_error when GitHub fails to exchange the code', async () => {
    const event = await githubEvent();
    github.tokenEndpointDown = true;
    try {
      const { browser, location } = await signIn(event.id, newGitHubUser());

      expect(location).toBe(`/register/${event.id}?signInError=provider_error`);
      expect(browser.cookies.has('aip_attendee_session')).toBe(false);
      expect(t.logs.some((l) => l.includes('GitHub token endpoint answered 500'))).toBe(true);
    } finally {
      github.tokenEndpointDown = false;
    }
  });

  it("uses GitHub's noreply address when the account has no verified primary email", async () => {
    const event = await githubEvent();
    const user = newGitHubUser({ emails: [{ email: 'unverified@example.org', primary: true, verified: false }] });
    const { browser } = await signIn(event.id, user);

    const { body } = await register(event.id, browser);

    expect((await status(event.id, browser)).body.email).toBe(`${user.id}+${user.login}@users.noreply.github.com`);
    expect(body.api_key).toMatch(/^aip_/);
  });

  it('registers one attendee when the same identity registers twice at once', async () => {
    const event = await githubEvent();
    const { browser } = await signIn(event.id, newGitHubUser());

    const both = await Promise.all([register(event.id, browser), register(event.id, browser)]);

    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[0].body.attendee_id).toBe(both[1].body.attendee_id);
    expect((await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${event.id}/attendees`)).body.total).toBe(1);
  });

  it('signs out: the session is forgotten', async () => {
    const event = await githubEvent();
    const { browser } = await signIn(event.id, newGitHubUser());

    const out = await fetch(`${t.url}/api/v1/attendee/auth/sign-out`, { method: 'POST', headers: session(browser), redirect: 'manual' });

    expect(out.status).toBe(204);
    expect(setCookies(out).get('aip_attendee_session')?.value ?? '').toBe('');
  });

  it('keeps each registration path to its own mode', async () => {
    const github_ = await githubEvent();
    const { event: open } = await seedEvent(http);
    const { browser } = await signIn(github_.id, newGitHubUser());

    // The form cannot register at a GitHub event…
    const form = await http.post(`/api/v1/events/${github_.id}/attendees`, { name: 'Typed', email: 'typed@example.com' });
    expectAdminError(form, 403, 'registration_mode_mismatch');
    expect(form.text).not.toContain('aip_');
    // …sign-in does not start for an open event, and a session does not register at one.
    expectAdminError(await http.get(`/api/v1/attendee/auth/github/login?event=${open.id}`), 403, 'registration_mode_mismatch');
    expectAdminError(await register(open.id, browser), 403, 'registration_mode_mismatch');
    expectAdminError(await http.get('/api/v1/attendee/auth/github/login?event=no-such-event'), 404, 'event_not_found');
    expectAdminError(await http.get('/api/v1/attendee/auth/gitlab/login?event=' + github_.id), 404, 'route_not_found');
    expect((await registerAttendee(http, open.id)).apiKey).toMatch(/^aip_/);
  });

  it('refuses a key to a signed-in identity once the event has ended, but still shows an existing registration', async () => {
    const event = await githubEvent();
    const early = await signIn(event.id, newGitHubUser());
    await register(event.id, early.browser);
    await http.patch(`/api/v1/admin/events/${event.id}`, { active: false });
    const late = await signIn(event.id, newGitHubUser());

    expectAdminError(await register(event.id, late.browser), 403, 'registration_closed');
    expect((await register(event.id, early.browser)).status).toBe(200);
  });
});
