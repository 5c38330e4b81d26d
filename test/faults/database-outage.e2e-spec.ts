import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { Client } from 'pg';
import { registerAttendee, seedEvent } from '../support/factories';
import { httpClient, type HttpClient } from '../support/http';
import { builtinResource, chat, waitFor } from '../support/proxy';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The database goes away for OUTAGE_S (default 60 s) while traffic flows: a TCP forwarder between the
 * apps and PostgreSQL refuses connections and cuts the open ones, a real outage. Keys cached in memory
 * keep working for CATALOG_STALE_MAX_S, usage records wait in a bounded queue and are all written once
 * the database is back, and /readyz says not ready meanwhile. PostgreSQL lane only (TEST_DATABASE_URL):
 * the embedded PGlite database lives inside the process and cannot be cut off.
 */
const BASE_URL = process.env.TEST_DATABASE_URL;
const OUTAGE_S = Number(process.env.DB_OUTAGE_S ?? 60);
/** Keys answer from memory this long into the outage, then admission stops (bounded staleness). */
const STALE_MAX_S = Math.max(5, Math.round(OUTAGE_S * 0.75));
/** The second app's usage queue bound; it gets QUEUE_MAX + OVERFLOW requests during the outage. */
const QUEUE_MAX = 100;
const OVERFLOW = 30;

/** A TCP forwarder to PostgreSQL that the test can cut (refuse new connections, reset open ones) and restore. */
class Forwarder {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** The outage: the port refuses connections and every open connection is reset. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

interface Sent {
  at: number;
  status: number;
  code?: string;
}

(BASE_URL ? describe : describe.skip)('fault suite: database down while traffic flows (PostgreSQL)', () => {
  const target = new URL(BASE_URL ?? 'postgres://x@127.0.0.1:5432/postgres');
  const forwarder = new Forwarder(target.hostname, Number(target.port || 5432));
  let a: TestApp;
  let b: TestApp;
  let httpA: HttpClient;
  let httpB: HttpClient;

  beforeAll(async () => {
    await forwarder.open();
    const name = `aip_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const viaForwarder = new URL(BASE_URL!);
    viaForwarder.hostname = '127.0.0.1';
    viaForwarder.port = String(forwarder.port);
    viaForwarder.pathname = `/${name}`;
    const env = {
      CATALOG_STALE_MAX_S: String(STALE_MAX_S),
      CACHE_REFRESH_MS: '500',
      USAGE_FLUSH_MS: '200',
      DATABASE_POOL_SIZE: '4',
    };
    a = await startTestApp({ databaseUrl: viaForwarder.toString(), env });
    // The second replica shares the database but has a small usage queue, to show the bound at work.
    b = await startTestApp({ databaseUrl: viaForwarder.toString(), env: { ...env, USAGE_QUEUE_MAX: String(QUEUE_MAX) } });
    httpA = httpClient(a.url);
    httpB = httpClient(b.url);
  }, 60_000);

  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
    await forwarder.close();
  });

  it(
    'serves cached keys for CATALOG_STALE_MAX_S, queues usage in memory (bounded, loudly), reports not ready, and writes every record when the database returns',
    async () => {
      const { event } = await seedEvent(httpA, { dailyRequestCap: 100_000 }, [builtinResource({ deploymentName: 'chat' })]);
      const keyA = (await registerAttendee(httpA, event.id)).apiKey;
      const keyB = (await registerAttendee(httpA, event.id)).apiKey;
      // Both replicas learn the keys and load today's counts while the database is up.
      await waitFor(async () => (await chat(httpB, keyB, { model: 'chat' })).status === 200, 'replica B to know the key');
      expect((await chat(httpA, keyA, { model: 'chat' })).status).toBe(200);
      const before = await waitFor(async () => (await countRows(event.id)) === 2 && 2, 'the first two usage records');

      await forwarder.cut();
      const outageStarted = Date.now();
      await waitFor(async () => (await httpA.get('/readyz')).status === 503, '/readyz to report not ready');
      const ready = await httpA.get<{ status: string; checks: { database: string } }>('/readyz');
      expect(ready.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable' } });

      // Replica B: more requests than its queue holds; the oldest records beyond the bound are dropped, loudly.
      const sentB: Sent[] = [];
      for (let i = 0; i < QUEUE_MAX + OVERFLOW; i++) {
        const res = await chat(httpB, keyB, { model: 'chat' });
        sentB.push({ at: Date.now() - outageStarted, status: res.status });
      }
      expect(sentB.every((s) => s.status === 200)).toBe(true);
      // A write under way holds records too; once it fails they count against the bound again.
      const metricsB = await waitFor(async () => {
        const text = (await httpB.get('/metrics', { admin: true })).text;
        return new RegExp(`^aiproxy_usage_dropped_total ${OVERFLOW}$`, 'm').test(text) && text;
      }, `${OVERFLOW} records dropped`);
      expect(metricsB).toMatch(new RegExp(`^aiproxy_usage_queue_depth ${QUEUE_MAX}$`, 'm'));
      // Logged loudly, in summaries (at most one line per few seconds) that name every dropped record.
      const dropLines = await waitFor(() => {
        const lines = b.logs.filter((l) => l.includes('Usage queue full (USAGE_QUEUE_MAX)')).map((l) => JSON.parse(l) as { level: number; dropped: number; requestIds: string[] });
        return lines.reduce((n, l) => n + l.dropped, 0) === OVERFLOW && lines;
      }, 'the dropped records in the log', 15_000);
      expect(dropLines.every((l) => l.level === 50)).toBe(true);
      expect(dropLines.flatMap((l) => l.requestIds)).toHaveLength(OVERFLOW);

      // Replica A: steady traffic (some streamed) for the whole outage.
      const sentA: Sent[] = [];
      let i = 0;
      while (Date.now() - outageStarted < OUTAGE_S * 1000) {
        const stream = i++ % 3 === 0;
        const res = await chat(httpA, keyA, { model: 'chat', stream });
        const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
        sentA.push({ at: Date.now() - outageStarted, status: res.status, code });
        if (sentA.length % 20 === 0) expect((await httpA.get('/readyz')).status).toBe(503);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const queued = Number(/^aiproxy_usage_queue_depth (\d+)$/m.exec((await httpA.get('/metrics', { admin: true })).text)?.[1]);

      await forwarder.open();
      await waitFor(async () => (await httpA.get('/readyz')).status === 200, '/readyz to report ready again', 20_000);

      const served = sentA.filter((s) => s.status === 200);
      const refused = sentA.filter((s) => s.status !== 200);
      // Bounded staleness: answered from memory until CATALOG_STALE_MAX_S, refused (503, OpenAI shape) after it.
      expect(served.length).toBeGreaterThan(0);
      expect(Math.max(...served.map((s) => s.at))).toBeLessThan((STALE_MAX_S + 2) * 1000);
      expect(served.some((s) => s.at > (STALE_MAX_S - 5) * 1000)).toBe(true);
      expect(new Set(refused.map((s) => `${s.status} ${s.code}`))).toEqual(new Set(['503 service_unavailable']));
      expect(Math.min(...refused.map((s) => s.at))).toBeGreaterThan((STALE_MAX_S - 1) * 1000);
      expect(queued).toBe(served.length);
      // Keys work again once the catalog has reached the database.
      await waitFor(async () => (await chat(httpA, keyA, { model: 'chat' })).status === 200, 'keys to work again', 10_000);

      // Every record of a request that was served is written: none lost (B's overflow dropped by design, and counted).
      const expected = before + served.length + 1 + QUEUE_MAX;
      const rows = await waitFor(async () => {
        const n = await countRows(event.id);
        return n >= expected && n;
      }, `${expected} usage records`, 20_000);
      expect(rows).toBe(expected);
      process.stdout.write(
        `\nFAULT SUITE (database down ${OUTAGE_S} s): replica A sent ${sentA.length}, served ${served.length} from memory, refused ${refused.length} after ${STALE_MAX_S} s; ` +
          `replica B sent ${sentB.length} with USAGE_QUEUE_MAX=${QUEUE_MAX}, dropped ${OVERFLOW}; ${rows} usage records written, none lost\n`,
      );
    },
    OUTAGE_S * 1000 + 90_000,
  );

  async function countRows(eventId: string): Promise<number> {
    const c = new Client({ connectionString: a.databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM usage_records WHERE event_id = $1', [eventId]);
      return Number(rows[0].n);
    } finally {
      await c.end();
    }
  }
});
