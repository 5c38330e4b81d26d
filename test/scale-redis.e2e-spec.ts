import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { SharedStateService } from '../src/shared-state/shared-state.service';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, chat, expectOpenAiError, simulatedResource, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Two app instances (as two replicas would be) sharing one PostgreSQL database and one Redis. Needs
 * TEST_REDIS_URL and TEST_DATABASE_URL (.ci/run's Redis lane sets both); without them it is skipped
 * with the reason printed, and the CI lane fails if anything here was skipped.
 */
const REDIS_URL = process.env.TEST_REDIS_URL;
const DATABASE_URL = process.env.TEST_DATABASE_URL;
const missing = [!REDIS_URL && 'TEST_REDIS_URL', !DATABASE_URL && 'TEST_DATABASE_URL'].filter(Boolean);
if (missing.length) process.stdout.write(`scale-redis.e2e-spec: skipped, ${missing.join(' and ')} not set (two replicas need a shared Redis and PostgreSQL)\n`);
const describeShared = missing.length ? describe.skip : describe;

const SIM_KEY = 'scale-upstream-key-3391';
const TODAY = () => new Date().toISOString().slice(0, 10);

/** A TCP proxy in front of Redis that the test can cut and restore, standing in for a Redis outage. */
class RedisLink {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  url(prefixDb: string): string {
    return `redis://127.0.0.1:${this.port}${prefixDb}`;
  }
}

describeShared('shared limits across two instances (Redis)', () => {
  let one: TestApp;
  let two: TestApp;
  let http1: HttpClient;
  let http2: HttpClient;
  let sim: RunningSimulator;
  let slow: RunningSimulator;
  let redis: Redis;
  const prefix = `aip-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY, replyText: 'ok' });
    slow = await startSimulator({ apiKey: SIM_KEY, replyText: 'ok', faults: { latency_ms: 1_500 } });
    // A catalog poll of a minute: a change can only arrive in time by message.
    const env = { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix, CACHE_REFRESH_MS: '60000' };
    one = await startTestApp({ env });
    two = await startTestApp({ env, databaseUrl: one.databaseUrl });
    http1 = httpClient(one.url);
    http2 = httpClient(two.url);
    redis = new Redis(REDIS_URL!);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    // The second instance shares the first one's database: the first drops it.
    await two.close({ keepData: true });
    rmSync(two.dataDir, { recursive: true, force: true });
    await one.close();
    await Promise.all([sim.close(), slow.close()]);
  });

  it('uses Redis for its shared state', () => {
    for (const t of [one, two]) {
      const state = t.app.get(SharedStateService);
      expect([state.mode, state.shared]).toEqual(['redis', true]);
    }
  });

  it('admits exactly the daily request cap across both instances under concurrency', async () => {
    const { event } = await seedEvent(http1, { dailyRequestCap: 20 }, [simulatedResource(sim, SIM_KEY, { deploymentName: 'fast' })]);
    const key = (await registerAttendee(http1, event.id)).apiKey;
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => chat(i % 2 ? http1 : http2, key, { model: 'fast', max_tokens: 5 })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(40);
    for (const r of refused) expectOpenAiError(r, 429, 'daily_request_cap_exceeded');
  });

  it('never lets concurrent clients on both instances exceed a token budget by more than one reservation', async () => {
    await waitFor(() => Date.now() % 60_000 < 45_000, 'a minute with 15 s to spare', 20_000);
    const limit = 2_000;
    const { event } = await seedEvent(http1, { attendeeTokensPerMinute: limit, eventTokensPerMinute: limit, maxTokenCap: 1_000 }, [
      simulatedResource(slow, SIM_KEY, { deploymentName: 'slow' }),
    ]);
    const keys = [(await registerAttendee(http1, event.id)).apiKey, (await registerAttendee(http2, event.id)).apiKey];
    // Each request reserves 300 + its prompt (8) and holds it for 1.5 s on the slow upstream.
    const reservation = 308;
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => chat(i % 2 ? http1 : http2, keys[Math.floor(i / 2) % 2], { model: 'slow', max_tokens: 300 })),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    expect(admitted * reservation).toBeLessThan(limit + reservation);
    expect(admitted * reservation).toBeGreaterThanOrEqual(limit);
    for (const r of results.filter((r) => r.status !== 200)) expectOpenAiError(r, 429, 'token_limit_exceeded');
  });

  it('applies a key revoke and an event freeze made on one instance on the other within a second', async () => {
    const { event } = await seedEvent(http1, {}, [simulatedResource(sim, SIM_KEY, { deploymentName: 'fast' })]);
    const [revoked, other] = [await registerAttendee(http1, event.id), await registerAttendee(http1, event.id)];
    await waitFor(async () => (await chat(http2, revoked.apiKey, { model: 'fast', max_tokens: 5 })).status === 200, 'the key to work on instance 2');
    expect((await chat(http2, other.apiKey, { model: 'fast', max_tokens: 5 })).status).toBe(200);

    const patched = await http1.patch(`/api/v1/admin/events/${event.id}/attendees/${revoked.attendeeId}`, { active: false });
    expect(patched.status).toBe(200);
    const revokedAt = Date.now();
    await waitFor(async () => (await chat(http2, revoked.apiKey, { model: 'fast', max_tokens: 5 })).status !== 200, 'instance 2 to refuse the revoked key', 1_000);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(1_000);
    expect((await chat(http2, other.apiKey, { model: 'fast', max_tokens: 5 })).status).toBe(200);

    expect((await http1.patch(`/api/v1/admin/events/${event.id}`, { active: false })).status).toBe(200);
    const frozenAt = Date.now();
    await waitFor(async () => (await chat(http2, other.apiKey, { model: 'fast', max_tokens: 5 })).status !== 200, 'instance 2 to refuse the frozen event', 1_000);
    expect(Date.now() - frozenAt).toBeLessThanOrEqual(1_000);
  });
});

describeShared('Redis outage', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let link: RedisLink;
  let redis: Redis;
  const prefix = `aip-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    link = new RedisLink(new URL(REDIS_URL!));
    await link.open();
    sim = await startSimulator({ apiKey: SIM_KEY, replyText: 'ok' });
    t = await startTestApp({ env: { REDIS_URL: link.url(new URL(REDIS_URL!).pathname), REDIS_KEY_PREFIX: prefix, USAGE_FLUSH_MS: '50' } });
    http = httpClient(t.url);
    redis = new Redis(REDIS_URL!);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await t.close();
    await link.cut();
    await sim.close();
  });

  it('keeps serving with local limits, logs the outage once, and merges its counts back when Redis returns', async () => {
    const { event } = await seedEvent(http, { dailyRequestCap: 5 }, [simulatedResource(sim, SIM_KEY, { deploymentName: 'fast' })]);
    const attendee = await registerAttendee(http, event.id);
    const requestsKey = `${prefix}dc:req:${attendee.attendeeId}:${TODAY()}`;
    for (let i = 0; i < 2; i++) expect((await chat(http, attendee.apiKey, { model: 'fast', max_tokens: 5 })).status).toBe(200);
    expect(await redis.get(requestsKey)).toBe('2');
    // The local fallback starts from the database's count: wait for the usage write.
    const db = t.app.get(DataSource);
    await waitFor(async () => {
      const rows = (await db.query('SELECT requests FROM attendee_daily_usage WHERE attendee_id = $1', [attendee.attendeeId])) as { requests: number }[];
      return Number(rows[0]?.requests) === 2;
    }, 'the usage write');

    await link.cut();
    const during = [];
    for (let i = 0; i < 6; i++) during.push((await chat(http, attendee.apiKey, { model: 'fast', max_tokens: 5 })).status);
    // Still capped at 5 a day, counted in this process.
    expect(during).toEqual([200, 200, 200, 429, 429, 429]);
    const outageLines = t.logs.filter((l) => l.includes('REDIS UNREACHABLE'));
    expect(outageLines).toHaveLength(1);
    expect(JSON.parse(outageLines[0])).toMatchObject({ level: 50 });

    await link.open();
    await waitFor(() => t.logs.some((l) => l.includes('Shared state reachable again')), 'the recovery log line', 10_000);
    // What was counted locally went back into Redis, and the cap is shared again.
    expect(await redis.get(requestsKey)).toBe('5');
    expect((await chat(http, attendee.apiKey, { model: 'fast', max_tokens: 5 })).status).toBe(429);
    expect(t.logs.filter((l) => l.includes('REDIS UNREACHABLE'))).toHaveLength(1);
    const info = await http.get<{ usage: { requests: number } }>('/api/v1/eventinfo', { headers: attendeeHeaders(attendee.apiKey) });
    expect(info.body.usage.requests).toBe(5);
  });
});
