import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { envSchema } from '../src/config/env.schema';
import type { ApiError } from './support/api';
import { expectAdminError } from './support/expect-error';
import { newEvent, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CODE = 'the-real-code';
/** GitHub sign-in for tests that only need the redirect to it: nothing listens on port 9, nobody follows it. */
const GITHUB_ENV = { GITHUB_CLIENT_ID: 'Iv1.throttletest', GITHUB_CLIENT_SECRET: 'github-client-secret-for-tests', GITHUB_OAUTH_BASE_URL: 'http://127.0.0.1:9' };
/** The limits a server runs with when nothing is configured: the room-of-60 test uses exactly these. */
const DEFAULT_RATE_LIMIT = String(envSchema.shape.REGISTRATION_RATE_LIMIT.parse(undefined));
const DEFAULT_FAILURE_LIMIT = String(envSchema.shape.REGISTRATION_FAILURE_LIMIT.parse(undefined));

/** A 429 in the admin shape with a retry-after inside the window. */
function expectThrottled(res: HttpResult, windowS: number): void {
  expectAdminError(res, 429, 'too_many_requests');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(windowS);
}

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const attempt = (http: HttpClient, eventId: string, code: string, who = 'mallory', ip = '203.0.113.7') =>
  http.post(`/api/v1/events/${eventId}/attendees`, { name: who, email: `${who}@example.com`, code }, from(ip));

describe('registration: a workshop room behind one address', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_RATE_LIMIT: DEFAULT_RATE_LIMIT, REGISTRATION_FAILURE_LIMIT: DEFAULT_FAILURE_LIMIT, REGISTRATION_RATE_WINDOW_S: '60' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('registers 60 attendees from one address with the right code in one window under the default limits, a few typos included', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    const typos = await Promise.all([1, 2, 3].map((i) => http.post(`/api/v1/events/${event.id}/attendees`, { name: `typo${i}`, email: `typo${i}@example.com`, code: `${CODE}x` })));
    for (const res of typos) expectAdminError(res, 403, 'registration_code_invalid');

    const statuses: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => http.post(`/api/v1/events/${event.id}/attendees`, { name: `a${batch}-${i}`, email: `a${batch}-${i}@example.com`, code: CODE })),
      );
      statuses.push(...answers.map((r) => r.status));
    }

    expect(statuses).toEqual(Array<number>(60).fill(201));
    expect((await http.get<{ total: number }>(`/api/v1/admin/events/${event.id}/attendees`)).body.total).toBe(60);
  });
});

describe('registration: wrong codes are limited per event and address', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_FAILURE_LIMIT: '5', REGISTRATION_RATE_WINDOW_S: '60', TRUST_PROXY: 'true' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('stops a code brute-force after REGISTRATION_FAILURE_LIMIT wrong codes with 429 and retry-after, refusing the right code too, creating nobody', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await attempt(http, event.id, `guess-${i}`);
      statuses.push(res.status);
      if (res.status === 429) {
        expectThrottled(res, 60);
        expect((res.body as ApiError).message).toMatch(/Too many wrong event codes from your address\. Try again in \d+ s\./);
      }
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);

    // The right code is refused while blocked, or a blocked guesser would learn which guess was right.
    expectThrottled(await attempt(http, event.id, CODE), 60);
    expect((await http.get<{ total: number }>(`/api/v1/admin/events/${event.id}/attendees`)).body.total).toBe(0);
    // Another address in the same event is not affected.
    expect((await attempt(http, event.id, CODE, 'colleague', '198.51.100.2')).status).toBe(201);
  });

  it('does not let wrong codes at one event block the same address at another', async () => {
    const { event: a } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    const { event: b } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    for (let i = 0; i < 5; i++) expectAdminError(await attempt(http, a.id, `guess-${i}`), 403, 'registration_code_invalid');
    expectThrottled(await attempt(http, a.id, CODE), 60);

    expect((await attempt(http, b.id, CODE)).status).toBe(201);
    expectAdminError(await attempt(http, b.id, 'one-typo', 'another'), 403, 'registration_code_invalid');
  });
});

describe('registration: a blocked address may try again after the window', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_FAILURE_LIMIT: '2', REGISTRATION_RATE_WINDOW_S: '2' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('accepts the right code once retry-after has passed', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    for (let i = 0; i < 2; i++) expectAdminError(await attempt(http, event.id, `guess-${i}`), 403, 'registration_code_invalid');
    const blocked = await attempt(http, event.id, CODE);
    expectThrottled(blocked, 2);

    // Waiting is the behaviour under test: the block lasts the window, and retry-after says how long.
    await sleep(Number(blocked.headers.get('retry-after')) * 1000 + 100);

    expect((await attempt(http, event.id, CODE)).status).toBe(201);
  });
});

describe('registration and sign-in: all attempts per address', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_RATE_LIMIT: '5', REGISTRATION_RATE_WINDOW_S: '60', ...GITHUB_ENV } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('limits registrations per address to REGISTRATION_RATE_LIMIT even with the right code (anti-spam)', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await attempt(http, event.id, CODE, `spam${i}`)).status);

    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    expectThrottled(await attempt(http, event.id, CODE, 'spam-last'), 60);
  });

  it('throttles starting a sign-in per address too', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'github' } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await http.get(`/api/v1/attendee/auth/github/login?event=${event.id}`);
      statuses.push(res.status);
      if (res.status === 302) expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/login\/oauth\/authorize\?/);
    }

    // Each attempt is sent on to GitHub until the limit, then 429.
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429, 429]);
    expectThrottled(await http.get(`/api/v1/attendee/auth/github/login?event=${event.id}`), 60);
  });

  it('sends a browser back to the event page when GitHub sign-in is no longer configured, and says so in the log', async () => {
    // A github event can only be created where GitHub sign-in is configured; a restart without it leaves one behind.
    // An app of its own: the test above used up this one's sign-in limit.
    const first = await startTestApp({ env: GITHUB_ENV });
    let app: TestApp | undefined = first;
    try {
      const before = httpClient(first.url);
      const { event } = await seedEvent(before, { registration: { mode: 'github' } });
      const { event: open } = await seedEvent(before);
      await first.close({ keepData: true });
      app = undefined;
      app = await startTestApp({ dataDir: first.dataDir, databaseUrl: first.databaseUrl });
      const client = httpClient(app.url);

      const res = await client.get(`/api/v1/attendee/auth/github/login?event=${event.id}`);

      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/register/${event.id}?signInError=unavailable`);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(app.logs.some((l) => l.includes('not configured on this server') && l.includes('"level":50'))).toBe(true);
      // An event that does not use GitHub sign-in is still told so plainly.
      expectAdminError(await client.get(`/api/v1/attendee/auth/github/login?event=${open.id}`), 503, 'sign_in_unavailable');
      // And no new github event can be made here, nor an event switched to github.
      expectAdminError(await client.post('/api/v1/admin/events', newEvent({ registration: { mode: 'github' } })), 400, 'validation_failed');
      expectAdminError(await client.patch(`/api/v1/admin/events/${open.id}`, { registration: { mode: 'github' } }), 400, 'validation_failed');
      // The event left behind stays editable, mode resent as the portal's form does, so it can be moved or fixed.
      const edited = await client.patch(`/api/v1/admin/events/${event.id}`, { name: 'Renamed', registration: { mode: 'github' } });
      expect({ status: edited.status, name: (edited.body as { name?: string }).name }).toEqual({ status: 200, name: 'Renamed' });
    } finally {
      await app?.close();
    }
  });

  it('leaves the proxy and admin routes unthrottled', async () => {
    for (let i = 0; i < 12; i++) expect((await http.get('/api/v1/admin/events')).status).toBe(200);
  });
});

describe('registration throttling shared through Redis', () => {
  const prefix = `aip-test-${randomBytes(4).toString('hex')}:`;
  const env = {
    REGISTRATION_RATE_LIMIT: DEFAULT_RATE_LIMIT,
    REGISTRATION_FAILURE_LIMIT: '5',
    REGISTRATION_RATE_WINDOW_S: '60',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
  };
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  /** The same event on both instances (each has its own database). */
  async function eventOnBoth(): Promise<string> {
    const body = newEvent({ registration: { mode: 'code', code: CODE } });
    for (const app of [a, b]) expect((await httpClient(app.url).post('/api/v1/admin/events', body)).status).toBe(201);
    return String(body.id);
  }

  it('counts wrong codes sent to two instances against one limit, and both refuse the right code while blocked', async () => {
    const eventId = await eventOnBoth();
    const statuses: number[] = [];
    const answers: HttpResult[] = [];

    for (let i = 0; i < 8; i++) {
      const res = await attempt(httpClient((i % 2 === 0 ? a : b).url), eventId, `guess-${i}`);
      statuses.push(res.status);
      answers.push(res);
    }

    // Alone, each instance would have answered 4 wrong codes with 403 and never blocked.
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    for (const res of answers.slice(5)) expectThrottled(res, 60);
    // The fifth wrong code went to instance a; instance b learns of the block from Redis alone.
    for (const app of [a, b]) expectThrottled(await attempt(httpClient(app.url), eventId, CODE), 60);
    expect((await redis.keys(`${prefix}throttle:registration-failures:*`)).length).toBeGreaterThan(0);
  });

  it('registers a room of 60 from one address across both instances', async () => {
    const eventId = await eventOnBoth();
    const statuses: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => attempt(httpClient((i % 2 === 0 ? a : b).url), eventId, CODE, `room${batch}-${i}`, '198.51.100.9')),
      );
      statuses.push(...answers.map((r) => r.status));
    }

    expect(statuses).toEqual(Array<number>(60).fill(201));
  });
});

describe('registration throttling when Redis is unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Port 1 refuses connections: the app must start, say so loudly, and throttle in memory.
    t = await startTestApp({ env: { REGISTRATION_FAILURE_LIMIT: '3', REGISTRATION_RATE_WINDOW_S: '60', REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => t.close());

  it('falls back to per-process limits and logs an error', async () => {
    const http = httpClient(t.url);
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(http, event.id, `guess-${i}`)).status);

    expect(statuses).toEqual([403, 403, 403, 429, 429]);
    expectThrottled(await attempt(http, event.id, CODE), 60);
    const line = t.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /registration and sign-in throttling falls back/.test(l.msg));
    expect(line?.level).toBeGreaterThanOrEqual(50);
  });
});
