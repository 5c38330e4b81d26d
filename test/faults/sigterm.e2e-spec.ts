import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../src/database/data-source.factory';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator.app';
import { registerAttendee, seedEvent } from '../support/factories';
import { httpClient } from '../support/http';
import { simulatedResource, USER_HELLO, waitFor } from '../support/proxy';
import { freshDataDir } from '../support/pglite-template';
import { ADMIN_TOKEN, ENCRYPTION_KEY } from '../support/test-app';

/**
 * SIGTERM with streams in flight, against the built product in a child process: it stops accepting
 * connections, lets the streams and requests in flight finish, writes their usage and exits 0.
 * CI runs it on the dist/ build of the same job; elsewhere it builds into a temporary directory so it
 * never touches a dist/ someone else is using.
 */
const ROOT = resolve(__dirname, '../..');
const GRACE_S = 20;
const STREAMS = 6;
const SLOW_REQUESTS = 3;
const REPLY = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');

function buildProduct(): { main: string; cleanup(): void } {
  if (process.env.CI && existsSync(join(ROOT, 'dist/src/main.js'))) return { main: join(ROOT, 'dist/src/main.js'), cleanup: () => undefined };
  const out = mkdtempSync(join(tmpdir(), 'ai-proxy-sigterm-build-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, stdio: 'pipe' });
  // Modules resolve from the build's own directory upwards.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return { main: join(out, 'src/main.js'), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe('fault suite: SIGTERM with streams in flight', () => {
  let build: { main: string; cleanup(): void };
  let child: ChildProcess | undefined;
  let sim: RunningSimulator;
  let slowSim: RunningSimulator;
  let dataDir: string;
  let databaseUrl: string | undefined;
  const stdout: string[] = [];

  beforeAll(async () => {
    build = buildProduct();
    sim = await startSimulator({ apiKey: 'sigterm-sim-key-0123456789', replyText: REPLY, faults: { ttft_ms: 100, inter_chunk_ms: 100 } });
    slowSim = await startSimulator({ apiKey: 'sigterm-sim-key-0123456789', faults: { latency_ms: 2_000 } });
    const base = process.env.TEST_DATABASE_URL;
    if (base) {
      dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-sigterm-'));
      const name = `aip_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(base);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
    } else {
      dataDir = freshDataDir();
    }
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    await slowSim?.close();
    const base = process.env.TEST_DATABASE_URL;
    if (base && databaseUrl) {
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
    build?.cleanup();
  });

  it('stops accepting, finishes the streams and requests in flight, writes their usage and exits 0', async () => {
    const metricsPort = await freePort();
    child = spawn(process.execPath, [build.main], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        ADMIN_TOKEN,
        ENCRYPTION_KEY,
        LOG_LEVEL: 'info',
        SIMULATOR_ENABLED: 'false',
        SHUTDOWN_GRACE_S: String(GRACE_S),
        // On PostgreSQL the product runs a worker per core by default: the primary then serves the workers' metrics summed.
        METRICS_PORT: String(metricsPort),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => stdout.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => stdout.push(c.toString()));
    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));
    const port = await waitFor(() => {
      if (child!.exitCode !== null) throw new Error(`the product exited with ${child!.exitCode}: ${stdout.join('').slice(-2000)}`);
      return Number(/AI Proxy is running at http:\/\/[^:]+:(\d+)/.exec(stdout.join(''))?.[1]) || undefined;
    }, 'the product to listen', 60_000);
    const url = `http://127.0.0.1:${port}`;
    const http = httpClient(url);
    const { event } = await seedEvent(http, { dailyRequestCap: 1_000 }, [
      simulatedResource(sim, 'sigterm-sim-key-0123456789', { deploymentName: 'chat' }),
      simulatedResource(slowSim, 'sigterm-sim-key-0123456789', { deploymentName: 'slow' }),
    ]);
    const key = (await registerAttendee(http, event.id)).apiKey;
    const warmup = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: USER_HELLO }),
    });
    expect(warmup.status).toBe(200);
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toMatch(new RegExp(`^aiproxy_requests_total\\{event="${event.id}",deployment="chat",status="200"\\} 1$`, 'm'));
    expect(scraped).toMatch(/^aiproxy_usage_queue_depth \d+$/m);

    const firstBytes: Promise<void>[] = [];
    const call = (model: string, stream: boolean) => {
      let sawFirst!: () => void;
      firstBytes.push(new Promise<void>((r) => (sawFirst = r)));
      return (async () => {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: USER_HELLO, stream }),
        });
        if (!stream) sawFirst();
        let text = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body!) {
          if (!text) sawFirst();
          text += decoder.decode(chunk as Uint8Array, { stream: true });
        }
        return { status: res.status, text };
      })();
    };
    const inFlight = [...Array.from({ length: STREAMS }, () => call('chat', true)), ...Array.from({ length: SLOW_REQUESTS }, () => call('slow', false))];
    // Streams have begun; the slow requests are waiting on their upstream.
    await Promise.all(firstBytes.slice(0, STREAMS));
    const signalled = Date.now();
    child.kill('SIGTERM');

    await waitFor(async () => !(await canConnect(port)), 'the listener to close', 5_000);
    const results = await Promise.all(inFlight);
    const code = await exited;
    const tookMs = Date.now() - signalled;

    for (const r of results.slice(0, STREAMS)) {
      expect(r.status).toBe(200);
      expect(r.text.trim().endsWith('data: [DONE]')).toBe(true);
      expect(r.text).toContain('word29');
    }
    for (const r of results.slice(STREAMS)) expect({ status: r.status, answered: r.text.includes('"choices"') }).toEqual({ status: 200, answered: true });
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(GRACE_S * 1000);
    expect(stdout.join('')).toContain('Shut down cleanly');

    const rows = await usageCount(event.id);
    expect(rows).toBe(STREAMS + SLOW_REQUESTS + 1);
    process.stdout.write(
      `\nFAULT SUITE (SIGTERM): ${STREAMS} streams and ${SLOW_REQUESTS} slow requests in flight finished, exit code ${code} after ${tookMs} ms, ${rows} usage records written\n`,
    );
  }, 120_000);

  async function usageCount(eventId: string): Promise<number> {
    const sql = 'SELECT COUNT(*)::int AS n FROM usage_records WHERE event_id = $1';
    if (databaseUrl) {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      const { rows } = await c.query<{ n: number }>(sql, [eventId]);
      await c.end();
      return Number(rows[0].n);
    }
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') }, false);
    const rows = (await db.dataSource.query(sql, [eventId])) as { n: number }[];
    await db.close();
    return Number(rows[0].n);
  }
});
