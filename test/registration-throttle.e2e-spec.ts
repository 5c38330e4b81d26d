import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { ApiError } from './support/api';
import { expectAdminError } from './support/expect-error';
import { newEvent, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** A 429 in the admin shape with a retry-after inside the window. */
function expectThrottled(res: HttpResult, windowS: number): void {
  expectAdminError(res, 429, 'too_many_requests');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(windowS);
}

describe('registration throttling', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_RATE_LIMIT: '5', REGISTRATION_RATE_WINDOW_S: '60' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('stops a code brute-force at the configured limit with 429 and retry-after, creating nobody', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'the-real-code' } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'Mallory', email: 'm@example.com', code: `guess-${i}` });
      statuses.push(res.status);
      if (res.status === 429) {
        const body = res.body as ApiError;
        expect(body.code).toBe('too_many_requests');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    // Even the right code is refused until the window passes.
    const right = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'Mallory', email: 'm@example.com', code: 'the-real-code' });
    expect(right.status).toBe(429);
    const list = await http.get<{ total: number }>(`/api/v1/admin/events/${event.id}/attendees`);
    expect(list.body.total).toBe(0);
  });

  it('throttles starting a sign-in per address too', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'github' } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await http.get(`/api/v1/attendee/auth/github/login?event=${event.id}`)).status);

    // GitHub is not configured on this server: each attempt goes back to the event page until the limit, then 429.
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429, 429]);
    expectThrottled(await http.get(`/api/v1/attendee/auth/github/login?event=${event.id}`), 60);
  });

  it('sends a browser back to the event page when GitHub sign-in is not configured, and says so in the log', async () => {
    // An app of its own: the test above used up this one's sign-in limit.
    const app = await startTestApp();
    try {
      const client = httpClient(app.url);
      const { event } = await seedEvent(client, { registration: { mode: 'github' } });
      const { event: open } = await seedEvent(client);

      const res = await client.get(`/api/v1/attendee/auth/github/login?event=${event.id}`);

      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/register/${event.id}?signInError=unavailable`);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(app.logs.some((l) => l.includes('not configured on this server') && l.includes('"level":50'))).toBe(true);
      // An event that does not use GitHub sign-in is still told so plainly.
      expectAdminError(await client.get(`/api/v1/attendee/auth/github/login?event=${open.id}`), 503, 'sign_in_unavailable');
    } finally {
      await app.close();
    }
  });

  it('leaves the proxy and admin routes unthrottled', async () => {
    for (let i = 0; i < 12; i++) expect((await http.get('/api/v1/admin/events')).status).toBe(200);
  });
});

describe('registration throttling shared through Redis', () => {
  const prefix = `aip-test-${randomBytes(4).toString('hex')}:`;
  const env = { REGISTRATION_RATE_LIMIT: '5', REGISTRATION_RATE_WINDOW_S: '60', REDIS_URL, REDIS_KEY_PREFIX: prefix };
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

  it('counts guesses sent to two instances against one limit', async () => {
    // The same event on both instances (each has its own database), so every guess is a wrong code.
    const body = newEvent({ registration: { mode: 'code', code: 'the-real-code' } });
    for (const app of [a, b]) expect((await httpClient(app.url).post('/api/v1/admin/events', body)).status).toBe(201);
    const statuses: number[] = [];
    const answers: HttpResult[] = [];

    for (let i = 0; i < 8; i++) {
      const app = i % 2 === 0 ? a : b;
      const res = await httpClient(app.url).post(`/api/v1/events/${String(body.id)}/attendees`, { name: 'Mallory', email: 'm@example.com', code: `guess-${i}` });
      statuses.push(res.status);
      answers.push(res);
    }

    // Alone, each instance would have allowed 5 (8 guesses = 4 each, never a 429).
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    for (const res of answers.slice(5)) expectThrottled(res, 60);
    expect((await redis.keys(`${prefix}throttle:*`)).length).toBeGreaterThan(0);
  });
});

describe('registration throttling when Redis is unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Port 1 refuses connections: the app must start, say so loudly, and throttle in memory.
    t = await startTestApp({ env: { REGISTRATION_RATE_LIMIT: '3', REGISTRATION_RATE_WINDOW_S: '60', REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => t.close());

  it('falls back to per-process limits and logs an error', async () => {
    const http = httpClient(t.url);
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'the-real-code' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'M', email: 'm@example.com', code: `guess-${i}` })).status);
    }

    expect(statuses).toEqual([403, 403, 403, 429, 429]);
    const line = t.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /registration and sign-in throttling falls back/.test(l.msg));
    expect(line?.level).toBeGreaterThanOrEqual(50);
  });
});
