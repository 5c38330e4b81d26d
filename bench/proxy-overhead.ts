/**
 * Proxy overhead benchmark: the same chat requests straight to a simulated upstream and through the real
 * proxy, on loopback, with the latency the proxy adds.
 *
 *   npm run bench -- [--rate 200] [--duration 10] [--stream-rate 100] [--stream-duration 5]
 *                    [--concurrency 32] [--closed-duration 5] [--warmup 1] [--database-url postgres://…]
 *
 * Flags may also come from BENCH_RATE, BENCH_DURATION, … (the flag wins). Three processes, so no
 * measurement steals another's event loop: this one runs the proxy (createApp; PGlite in a temp DATA_DIR
 * unless --database-url names a PostgreSQL database it may write to), a child runs the simulator, another
 * child generates the load with undici. The proxy process's event-loop delay is sampled during each run.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { startSimulator } from '../src/simulator/simulator.app';
import { type Job, type Summary, type Target, runLoadChild } from './load-generator';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  rate: number;
  durationS: number;
  streamRate: number;
  streamDurationS: number;
  concurrency: number;
  closedDurationS: number;
  warmupS: number;
  databaseUrl?: string;
}

type NumericSetting = Exclude<keyof Settings, 'databaseUrl'>;

const LIMITS: Record<NumericSetting, [flag: string, min: number, max: number, fallback: number]> = {
  rate: ['rate', 1, 5_000, 200],
  durationS: ['duration', 1, 60, 10],
  streamRate: ['stream-rate', 1, 2_000, 100],
  streamDurationS: ['stream-duration', 1, 60, 5],
  concurrency: ['concurrency', 1, 512, 32],
  closedDurationS: ['closed-duration', 1, 60, 5],
  warmupS: ['warmup', 0, 10, 1],
};

const flagOrEnv = (flags: Map<string, string>, flag: string) => flags.get(flag) ?? process.env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];

function readSettings(argv: string[]): Settings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const value = m[2] ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : undefined);
    if (value !== undefined) flags.set(m[1], value);
  }
  const out = {} as Record<NumericSetting, number>;
  for (const [key, [flag, min, max, fallback]] of Object.entries(LIMITS) as [NumericSetting, (typeof LIMITS)[NumericSetting]][]) {
    const raw = flagOrEnv(flags, flag);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} must be a number from ${min} to ${max} (got ${raw})`);
    out[key] = value;
  }
  const databaseUrl = flagOrEnv(flags, 'database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  return { ...out, databaseUrl };
}

// ---------------------------------------------------------------------------------------------
// Messages between the processes

/** How long the proxy process's event loop was held up while a run went on, ms. */
interface LoopDelay {
  p99: number;
  max: number;
}

// ---------------------------------------------------------------------------------------------
// Simulator (child process)

async function runSimulatorChild(apiKey: string): Promise<void> {
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', apiKey });
  process.on('disconnect', () => void sim.close().finally(() => process.exit(0)));
  process.send!({ url: sim.url });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator (this process runs the proxy)

function startChild(role: string, args: string[] = []): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = fork(__filename, [`--role=${role}`, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (first: Record<string, unknown>) => resolve({ child, first }));
    child.once('exit', (code) => reject(new Error(`${role} process exited early (${code})`)));
  });
}

function runJob(load: ChildProcess, job: Job): Promise<Summary> {
  return new Promise((resolve, reject) => {
    load.once('message', (reply: { ok: boolean; summary?: Summary; error?: string }) =>
      reply.ok ? resolve(reply.summary!) : reject(new Error(reply.error)),
    );
    load.send(job);
  });
}

/** Runs a job while sampling this (the proxy's) process's event-loop delay. */
async function runSampled(load: ChildProcess, job: Job): Promise<Summary & { loop: LoopDelay }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    const summary = await runJob(load, job);
    return { ...summary, loop: { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 } };
  } finally {
    histogram.disable();
  }
}

async function admin<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const rps = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');

function line(name: string, s: Summary & { loop: LoopDelay }): string {
  const ttfb = s.ttfb ? `  ttfb p50 ${ms(s.ttfb.p50)} p99 ${ms(s.ttfb.p99)}` : '';
  const err = s.errors ? `  (first error: ${s.firstError})` : '';
  return (
    `  ${name.padEnd(8)} ${rps(s.achievedRps).padStart(6)} req/s  p50 ${ms(s.latency.p50)}  p90 ${ms(s.latency.p90)}  ` +
    `p99 ${ms(s.latency.p99)}  max ${ms(s.latency.max)} ms  ok ${s.ok}/${s.sent}  errors ${s.errors}${ttfb}  ` +
    `proxy-process loop delay p99 ${ms(s.loop.p99)} max ${ms(s.loop.max)} ms${err}`
  );
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const watchdogMs = 60_000 + 1000 * (2 * settings.durationS + 2 * settings.streamDurationS + 2 * settings.closedDurationS + 4 * settings.warmupS);
  const children: ChildProcess[] = [];
  const watchdog = setTimeout(() => {
    process.stderr.write(`benchmark exceeded ${watchdogMs} ms; giving up\n`);
    for (const c of children) c.kill();
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();

  const simKey = randomBytes(16).toString('hex');
  const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-bench-'));
  const sim = await startChild('simulator', [`--api-key=${simKey}`]);
  children.push(sim.child);
  const load = await startChild('load');
  children.push(load.child);
  const simUrl = String(sim.first.url);

  const config = loadConfig({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    SIMULATOR_ENABLED: 'false',
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
  });
  const { app } = await createApp(config);
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const now = Date.now();
    const event = await admin<{ id: string }>(proxyUrl, adminToken, 'POST', '/api/v1/admin/events', {
      id: `bench-${randomBytes(4).toString('hex')}`,
      name: 'Benchmark',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
      dailyRequestCap: 10_000_000,
    });
    const resource = await admin<{ id: string }>(proxyUrl, adminToken, 'POST', '/api/v1/admin/resources', {
      name: 'Simulator',
      deploymentName: 'chat',
      modelClass: 'openai-chat',
      upstream: 'azure',
      endpointUrl: simUrl,
      apiKey: simKey,
    });
    await admin(proxyUrl, adminToken, 'PUT', `/api/v1/admin/events/${event.id}/resources/${resource.id}`);
    const attendee = await admin<{ apiKey: string }>(proxyUrl, adminToken, 'POST', `/api/v1/events/${event.id}/attendees`, {
      name: 'Bench',
      email: `bench-${randomBytes(4).toString('hex')}@example.com`,
    });

    // The same Azure dated request to both: only the host and the key differ.
    const path = '/openai/deployments/chat/chat/completions?api-version=2024-10-21';
    const messages = [{ role: 'user', content: 'hello there, how are you today?' }];
    const target = (base: string, key: string, stream: boolean): Target => ({
      url: base + path,
      headers: [{ 'api-key': key, 'content-type': 'application/json' }],
      body: JSON.stringify({ messages, max_tokens: 64, ...(stream ? { stream: true } : {}) }),
    });
    const direct = { plain: target(simUrl, simKey, false), stream: target(simUrl, simKey, true) };
    const proxied = { plain: target(proxyUrl, attendee.apiKey, false), stream: target(proxyUrl, attendee.apiKey, true) };

    const s = settings;
    process.stdout.write(
      `Proxy overhead benchmark (loopback; simulator and load generator in child processes; proxy on ${config.database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'})\n` +
        `  open loop ${s.rate} req/s × ${s.durationS} s, streaming ${s.streamRate} req/s × ${s.streamDurationS} s, ` +
        `closed loop ${s.concurrency} clients × ${s.closedDurationS} s\n\n`,
    );
    if (s.warmupS > 0) {
      for (const t of [direct.plain, proxied.plain, direct.stream, proxied.stream]) {
        await runJob(load.child, { kind: 'closed', target: t, concurrency: 8, durationMs: s.warmupS * 1000 });
      }
    }

    type Sampled = Summary & { loop: LoopDelay };
    const results: { scenario: string; direct: Sampled; proxy: Sampled }[] = [];
    const compare = async (scenario: string, make: (t: Target) => Job, d: Target, p: Target) => {
      process.stdout.write(`${scenario}\n`);
      const dr = await runSampled(load.child, make(d));
      process.stdout.write(`${line('direct', dr)}\n`);
      const pr = await runSampled(load.child, make(p));
      process.stdout.write(`${line('proxy', pr)}\n`);
      results.push({ scenario, direct: dr, proxy: pr });
      return { dr, pr };
    };

    const plain = await compare(
      `Open loop, non-streaming, ${s.rate} req/s for ${s.durationS} s`,
      (t) => ({ kind: 'open', target: t, rate: s.rate, durationMs: s.durationS * 1000, stream: false }),
      direct.plain,
      proxied.plain,
    );
    process.stdout.write(`  added    p50 ${ms(plain.pr.latency.p50 - plain.dr.latency.p50)} ms  p99 ${ms(plain.pr.latency.p99 - plain.dr.latency.p99)} ms\n\n`);

    const streamed = await compare(
      `Open loop, streaming, ${s.streamRate} req/s for ${s.streamDurationS} s`,
      (t) => ({ kind: 'open', target: t, rate: s.streamRate, durationMs: s.streamDurationS * 1000, stream: true }),
      direct.stream,
      proxied.stream,
    );
    process.stdout.write(`  added    ttfb p50 ${ms(streamed.pr.ttfb!.p50 - streamed.dr.ttfb!.p50)} ms  p99 ${ms(streamed.pr.ttfb!.p99 - streamed.dr.ttfb!.p99)} ms\n\n`);

    await compare(
      `Closed loop, non-streaming, ${s.concurrency} concurrent clients for ${s.closedDurationS} s`,
      (t) => ({ kind: 'closed', target: t, concurrency: s.concurrency, durationMs: s.closedDurationS * 1000 }),
      direct.plain,
      proxied.plain,
    );

    const rows = [
      '| Scenario | Target | req/s | p50 ms | p90 ms | p99 ms | max ms | TTFB p50 ms | TTFB p99 ms | errors | proxy loop delay max ms |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const r of results) {
      for (const [name, x] of [['direct', r.direct], ['proxy', r.proxy]] as const) {
        rows.push(
          `| ${r.scenario} | ${name} | ${rps(x.achievedRps)} | ${ms(x.latency.p50)} | ${ms(x.latency.p90)} | ${ms(x.latency.p99)} | ` +
            `${ms(x.latency.max)} | ${x.ttfb ? ms(x.ttfb.p50) : ''} | ${x.ttfb ? ms(x.ttfb.p99) : ''} | ${x.errors} | ${ms(x.loop.max)} |`,
        );
      }
    }
    const [p, st, cl] = results;
    rows.push(
      '',
      '| Added by the proxy | p50 ms | p99 ms |',
      '|---|---:|---:|',
      `| Non-streaming latency | ${ms(p.proxy.latency.p50 - p.direct.latency.p50)} | ${ms(p.proxy.latency.p99 - p.direct.latency.p99)} |`,
      `| Streaming TTFB | ${ms(st.proxy.ttfb!.p50 - st.direct.ttfb!.p50)} | ${ms(st.proxy.ttfb!.p99 - st.direct.ttfb!.p99)} |`,
      `| Closed-loop max throughput | direct ${rps(cl.direct.achievedRps)} req/s | proxy ${rps(cl.proxy.achievedRps)} req/s |`,
    );
    process.stdout.write(`\n${rows.join('\n')}\n`);
    const failed = results.some((r) => r.direct.errors > 0 || r.proxy.errors > 0);
    if (failed) process.exitCode = 1;
  } finally {
    await app.close();
    for (const c of children) c.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
if (role === 'load') {
  runLoadChild();
} else if (role === 'simulator') {
  const key = process.argv.find((a) => a.startsWith('--api-key='))?.slice('--api-key='.length) ?? '';
  runSimulatorChild(key).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
