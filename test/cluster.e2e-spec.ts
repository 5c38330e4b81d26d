import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { builtinResource, chat, expectOpenAiError, waitFor } from './support/proxy';
import { ADMIN_TOKEN, ENCRYPTION_KEY } from './support/test-app';

/**
 * The built product in cluster mode (WORKERS=2): one port, workers sharing caps and invalidation through
 * the primary, no Redis. Several workers need PostgreSQL (TEST_DATABASE_URL); PGlite is one process.
 */
const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL;
const ROOT = resolve(__dirname, '..');
/** Inside the repository so the build resolves node_modules; apart from `dist` so it never meets other builds. */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'aip-cluster-build');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('cluster mode', () => {
  it('refuses WORKERS > 1 on the embedded PGlite database, naming the variable', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aip-cluster-'));
    try {
      expect(() => loadConfig({ DATA_DIR: dataDir, WORKERS: '2' })).toThrow(/WORKERS: more than one worker needs DATABASE_URL/);
      expect(loadConfig({ DATA_DIR: dataDir }).scale.workers).toBe(1);
      expect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://x@127.0.0.1/db', WORKERS: '3' }).scale.workers).toBe(3);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  if (!BASE_DATABASE_URL) {
    process.stdout.write('cluster.e2e-spec: the two-worker run needs TEST_DATABASE_URL (PostgreSQL); the PostgreSQL lane runs it\n');
    return;
  }

  describe('two workers on PostgreSQL', () => {
    let proxy: ChildProcess;
    let output = '';
    let http: HttpClient;
    let databaseUrl: string;
    let dataDir: string;
    let exited: Promise<number | null>;

    beforeAll(async () => {
      await promisify(execFile)('node', [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT_DIR, '--tsBuildInfoFile', join(OUT_DIR, '.tsbuildinfo')], {
        cwd: ROOT,
      }).catch((err: { stdout?: string }) => {
        // Type errors elsewhere still emit JavaScript; only a missing entry point is fatal.
        if (!String(err.stdout ?? '').length) throw err;
      });
      const name = `aip_test_cluster_${randomBytes(4).toString('hex')}`;
      const admin = new Client({ connectionString: BASE_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(BASE_DATABASE_URL!);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dataDir = mkdtempSync(join(tmpdir(), 'aip-cluster-'));
      const port = await freePort();
      proxy = spawn(process.execPath, [join(OUT_DIR, 'src/main.js')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'development',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          ADMIN_TOKEN,
          ENCRYPTION_KEY,
          WORKERS: '2',
          LOG_LEVEL: 'info',
          REGISTRATION_RATE_LIMIT: '100000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proxy.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      proxy.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      exited = new Promise((r) => proxy.once('exit', (code) => r(code)));
      await waitFor(() => (output.match(/"AI Proxy listening"/g) ?? []).length >= 2 && output.includes('AI Proxy is running at'), 'two workers to listen', 60_000);
      http = httpClient(`http://127.0.0.1:${port}`);
    }, 240_000);

    afterAll(async () => {
      if (proxy.exitCode === null) proxy.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      const admin = new Client({ connectionString: BASE_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    });

    /** The primary's children: the workers. */
    async function workerPids(): Promise<number[]> {
      const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(proxy.pid)]);
      return stdout.split('\n').map(Number).filter((n) => n > 0);
    }

    /** CPU time (clock ticks) a process has used: a worker that served requests has used more. */
    function cpuTicks(pid: number): number {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]);
    }

    it('prints the banner once and admits exactly the daily cap across both workers', async () => {
      expect(output.match(/AI Proxy is running at/g)).toHaveLength(1);
      const { event } = await seedEvent(http, { dailyRequestCap: 30 }, [builtinResource({ deploymentName: 'chat' })]);
      const key = (await registerAttendee(http, event.id)).apiKey;
      const pids = await workerPids();
      expect(pids).toHaveLength(2);
      const before = pids.map(cpuTicks);
      // Separate connections, so the primary hands them to both workers in turn.
      const results = await Promise.all(Array.from({ length: 90 }, () => chat(http, key, { model: 'chat', max_tokens: 5 }, { connection: 'close' })));
      expect(results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.text)).toEqual([]);
      expect(results.filter((r) => r.status === 200)).toHaveLength(30);
      for (const r of results.filter((r) => r.status !== 200)) expectOpenAiError(r, 429, 'daily_request_cap_exceeded');
      // Both workers did the work: each used CPU during the burst.
      pids.forEach((pid, i) => expect(cpuTicks(pid) - before[i]).toBeGreaterThan(5));
    });

    it('applies a revoke made through one worker on every worker within a second', async () => {
      const { event } = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
      const attendee = await registerAttendee(http, event.id);
      const first = await chat(http, attendee.apiKey, { model: 'chat', max_tokens: 5 }, { connection: 'close' });
      expect([first.status, first.text.slice(0, 300)]).toEqual([200, expect.any(String)]);
      expect((await http.patch(`/api/v1/admin/events/${event.id}/attendees/${attendee.attendeeId}`, { active: false })).status).toBe(200);
      const revokedAt = Date.now();
      await waitFor(async () => {
        const statuses = await Promise.all(Array.from({ length: 6 }, () => chat(http, attendee.apiKey, { model: 'chat', max_tokens: 5 }, { connection: 'close' })));
        return statuses.every((r) => r.status === 401 || r.status === 403);
      }, 'every worker to refuse the revoked key', 1_000);
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(1_000);
    });

    it('replaces a worker that dies, and stops every worker on SIGTERM', async () => {
      const [victim] = await workerPids();
      process.kill(victim, 'SIGKILL');
      await waitFor(() => output.includes('A worker died; starting a new one'), 'the primary to notice', 10_000);
      await waitFor(() => (output.match(/"AI Proxy listening"/g) ?? []).length >= 3, 'a new worker to listen', 60_000);
      expect(await workerPids()).toHaveLength(2);

      proxy.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('All workers stopped');
    });
  });
});
