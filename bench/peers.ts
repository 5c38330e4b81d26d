/**
 * Peer benchmark: the same chat requests, on this machine, in one run, at the same fixed rates, against
 *   1. the simulated upstream directly (the baseline),
 *   2. a bare Fastify passthrough (@fastify/reply-from: the Node limit),
 *   3. Portkey's gateway (@portkey-ai/gateway, its own bin) routed to the simulator,
 *   4. AI Proxy (`node dist/src/main.js` as deployed) with 1 worker and a worker per core, auth, caps,
 *      token limits and metering on, on PGlite and (with --database-url) PostgreSQL.
 *
 *   npm run bench:peers -- [--rates 500,1000,2000] [--duration 10] [--workers 1,<cores>]
 *                          [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--hold 5000]
 *                          [--targets direct,passthrough,portkey,aiproxy] [--no-profile] [--out docs]
 *
 * Every target gets: open-loop plain chat at each rate (latency from each request's scheduled send, so a
 * target that falls behind shows it), a closed loop (the most it serves, and CPU per request from /proc),
 * streaming time to first byte at a fixed rate, and N streams held open at once (peak RSS of its process
 * tree). The simulator answers after a fixed latency; the load generator and the simulator run in child
 * processes of their own. Then AI Proxy runs once more under `--cpu-prof` at 1,000 req/s and the profile is
 * summarised. Writes docs/benchmarks.md, docs/benchmarks-*.svg and docs/benchmarks.json.
 *
 * --database-url names a PostgreSQL server it may create and drop scratch databases on.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
import { Client } from 'pg';
import { startSimulator } from '../src/simulator/simulator.app';
import { SimulatorControl } from '../src/simulator/simulator.client';
import { type Job, type Summary, type Target, runLoadChild } from './load-generator';
import { treeCpuMs, treeRss } from './proc-stats';
import { barChart } from './svg-chart';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  rates: number[];
  durationS: number;
  warmupS: number;
  closedConcurrency: number;
  closedDurationS: number;
  streamRate: number;
  streamDurationS: number;
  hold: number;
  holdRampS: number;
  latencyMs: number;
  workers: number[];
  attendees: number;
  targets: Set<string>;
  /** Which AI Proxy database lanes run: PGlite always unless left out, PostgreSQL when a URL is given. */
  databases: Set<string>;
  profile: boolean;
  profileRate: number;
  profileDurationS: number;
  out: string;
  databaseUrl?: string;
}

function readSettings(argv: string[]): Settings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const value = m[2] ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true');
    flags.set(m[1], value);
  }
  const get = (flag: string) => flags.get(flag) ?? process.env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
  const num = (flag: string, min: number, max: number, fallback: number): number => {
    const raw = get(flag);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} must be a number from ${min} to ${max} (got ${raw})`);
    return value;
  };
  const list = (flag: string, fallback: number[], max: number): number[] => {
    const raw = get(flag);
    if (raw === undefined) return fallback;
    const values = raw.split(',').map(Number);
    if (values.some((v) => !Number.isInteger(v) || v < 1 || v > max)) throw new Error(`--${flag} must be a comma-separated list of integers from 1 to ${max}`);
    return values;
  };
  const databaseUrl = get('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  const targets = new Set((get('targets') ?? 'direct,passthrough,portkey,aiproxy').split(','));
  for (const t of targets) if (!['direct', 'passthrough', 'portkey', 'aiproxy'].includes(t)) throw new Error(`unknown target ${t}`);
  targets.add('direct'); // every other figure is relative to it
  const databases = new Set((get('databases') ?? 'pglite,postgres').split(','));
  for (const d of databases) if (!['pglite', 'postgres'].includes(d)) throw new Error(`unknown database ${d} (pglite or postgres)`);
  return {
    rates: list('rates', [500, 1000, 2000], 20_000),
    durationS: num('duration', 1, 120, 10),
    warmupS: num('warmup', 0, 30, 2),
    closedConcurrency: num('concurrency', 1, 1024, 64),
    closedDurationS: num('closed-duration', 1, 60, 5),
    streamRate: num('stream-rate', 1, 5_000, 200),
    streamDurationS: num('stream-duration', 1, 60, 5),
    hold: num('hold', 1, 10_000, 5_000),
    holdRampS: num('hold-ramp', 0.1, 60, 3),
    latencyMs: num('latency', 0, 1_000, 20),
    workers: [...new Set(list('workers', [1, availableParallelism()], 256))],
    attendees: num('attendees', 1, 1_000, 50),
    targets,
    databases,
    profile: get('no-profile') === undefined,
    profileRate: num('profile-rate', 1, 20_000, 1_000),
    profileDurationS: num('profile-duration', 1, 120, 15),
    out: resolve(get('out') ?? 'docs'),
    databaseUrl,
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes: simulator, bare passthrough

async function runSimulatorChild(apiKey: string, latencyMs: number): Promise<void> {
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', apiKey, faults: { latency_ms: latencyMs, jitter_ms: 0 } });
  process.on('disconnect', () => void sim.close().finally(() => process.exit(0)));
  process.send!({ url: sim.url });
}

/** The Node limit: Fastify relaying bytes to the upstream with @fastify/reply-from, nothing else. */
async function runPassthroughChild(upstream: string): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 25 * 1024 * 1024 });
  // Bodies are not read: the request stream itself is the body, and reply-from pipes it upstream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // No cap on upstream connections below what the held-streams phase opens.
  await app.register(replyFrom, { base: upstream, undici: { connections: 16_384, pipelining: 1, keepAliveTimeout: 30_000 } });
  app.all('/*', (request, reply) => reply.from(request.url));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  process.send!({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator helpers

function startChild(role: string, args: string[] = []): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = fork(__filename, [`--role=${role}`, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    child.once('message', (first: Record<string, unknown>) => resolvePromise({ child, first }));
    child.once('exit', (code) => reject(new Error(`${role} process exited early (${code})`)));
  });
}

function runJob(load: ChildProcess, job: Job): Promise<Summary> {
  return new Promise((resolvePromise, reject) => {
    load.once('message', (reply: { ok: boolean; summary?: Summary; error?: string }) =>
      reply.ok ? resolvePromise(reply.summary!) : reject(new Error(reply.error)),
    );
    load.send(job);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited during startup (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill(signal);
  });
}

/** Samples a process tree's RSS every 100 ms while `work` runs; resolves with the work's result and the peak, MB. */
async function withPeakRss<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; peakMb: number; cpuMs: number }> {
  if (pid === undefined) return { result: await work(), peakMb: NaN, cpuMs: NaN };
  let peak = treeRss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 100);
  const cpu0 = treeCpuMs(pid);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peak, treeRss(pid)) / 1024 / 1024, cpuMs: treeCpuMs(pid) - cpu0 };
  } finally {
    clearInterval(timer);
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

// ---------------------------------------------------------------------------------------------
// Targets

interface Server {
  label: string;
  kind: 'direct' | 'passthrough' | 'portkey' | 'aiproxy';
  workers?: number;
  database?: string;
  /** The process tree whose memory and CPU are the target's; none for the baseline (the simulator is in every path). */
  pid?: number;
  /** Notes to print under the tables (e.g. a feature the build lacked). */
  notes: string[];
  target(stream: boolean, prompt: string): Target;
  stop(): Promise<void>;
}

const body = (stream: boolean, prompt: string) => JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: prompt }], max_tokens: 64, ...(stream ? { stream: true } : {}) });

function directServer(simUrl: string, simKey: string): Server {
  return {
    label: 'Simulator direct (baseline)',
    kind: 'direct',
    notes: [],
    target: (stream, prompt) => ({
      url: `${simUrl}/v1/chat/completions`,
      headers: [{ authorization: `Bearer ${simKey}`, 'content-type': 'application/json' }],
      body: body(stream, prompt),
    }),
    stop: async () => undefined,
  };
}

async function passthroughServer(simUrl: string, simKey: string): Promise<Server> {
  const { child, first } = await startChild('passthrough', [`--upstream=${simUrl}`]);
  const url = String(first.url);
  return {
    label: 'Bare Fastify + reply-from',
    kind: 'passthrough',
    pid: child.pid,
    workers: 1,
    notes: [],
    target: (stream, prompt) => ({
      url: `${url}/v1/chat/completions`,
      headers: [{ authorization: `Bearer ${simKey}`, 'content-type': 'application/json' }],
      body: body(stream, prompt),
    }),
    stop: () => {
      child.disconnect();
      return stopProcess(child);
    },
  };
}

const ROOT = join(__dirname, '..', '..');

async function portkeyServer(simUrl: string, simKey: string): Promise<Server> {
  const bin = join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (!existsSync(bin)) throw new Error(`${bin} not found (npm install)`);
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', join(__dirname, 'portkey-fetch-shim.js'), bin, `--port=${port}`, '--headless'], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/`, child, 30_000);
  return {
    label: 'Portkey gateway',
    kind: 'portkey',
    pid: child.pid,
    workers: 1,
    notes: ['runs with bench/portkey-fetch-shim.ts preloaded: without it every streamed request fails with "TypeError: immutable" (Portkey-AI/gateway#1389)'],
    target: (stream, prompt) => ({
      url: `${url}/v1/chat/completions`,
      // Portkey's OpenAI provider pointed at the simulator's OpenAI-compatible /v1 (loopback is a trusted custom host).
      headers: [{ authorization: `Bearer ${simKey}`, 'content-type': 'application/json', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${simUrl}/v1` }],
      body: body(stream, prompt),
    }),
    stop: () => stopProcess(child),
  };
}

interface AiProxyOptions {
  simUrl: string;
  simKey: string;
  workers: number;
  databaseUrl?: string;
  attendees: number;
  cpuProfDir?: string;
}

async function aiProxyServer(o: AiProxyOptions): Promise<Server> {
  const mainJs = join(__dirname, '..', 'src', 'main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} not found: build first (npm run build)`);
  const port = await freePort();
  const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-peers-'));
  const child = fork(mainJs, [], {
    execArgv: ['--require', join(__dirname, 'soak-probe.js'), ...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: adminToken,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SIMULATOR_ENABLED: 'false',
      WORKERS: String(o.workers),
      REGISTRATION_RATE_LIMIT: '100000',
      ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const notes: string[] = [];
  try {
    await waitFor(`${url}/readyz`, child, 120_000);
    const now = Date.now();
    const event = {
      id: `bench-${randomBytes(4).toString('hex')}`,
      name: 'Benchmark',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
      dailyRequestCap: 10_000_000,
    };
    // Token limits on, set far above what the run uses, so they are checked on every request but never bite.
    const limits = { attendeeTokensPerMinute: 100_000_000, attendeeTokensPerDay: 1_000_000_000, eventTokensPerMinute: 1_000_000_000, eventTokensPerDay: 1_000_000_000 };
    let created: { id: string };
    try {
      created = await admin<{ id: string }>(url, adminToken, 'POST', '/api/v1/admin/events', { ...event, ...limits });
    } catch (err) {
      if (!/→ 400/.test(String(err))) throw err;
      created = await admin<{ id: string }>(url, adminToken, 'POST', '/api/v1/admin/events', event);
      notes.push('this build does not take event token limits, so they were not on');
    }
    const resource = await admin<{ id: string }>(url, adminToken, 'POST', '/api/v1/admin/resources', {
      name: 'Simulator',
      deploymentName: 'chat',
      modelClass: 'openai-chat',
      upstream: 'azure',
      endpointUrl: o.simUrl,
      apiKey: o.simKey,
    });
    await admin(url, adminToken, 'PUT', `/api/v1/admin/events/${created.id}/resources/${resource.id}`);
    const keys: string[] = [];
    for (let i = 0; i < o.attendees; i++) {
      const attendee = await admin<{ apiKey: string }>(url, adminToken, 'POST', `/api/v1/events/${created.id}/attendees`, {
        name: `Bench ${i}`,
        email: `bench-${i}-${randomBytes(3).toString('hex')}@example.com`,
      });
      keys.push(attendee.apiKey);
    }
    return {
      label: `AI Proxy, ${o.workers} worker${o.workers === 1 ? '' : 's'}, ${o.databaseUrl ? 'PostgreSQL' : 'PGlite'}`,
      kind: 'aiproxy',
      workers: o.workers,
      database: o.databaseUrl ? 'PostgreSQL' : 'PGlite',
      pid: child.pid,
      notes,
      target: (stream, prompt) => ({
        url: `${url}/v1/chat/completions`,
        headers: keys.map((key) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' })),
        body: body(stream, prompt),
      }),
      stop: async () => {
        if (child.connected) child.send({ type: 'soak-exit' });
        await stopProcess(child, 'SIGTERM', 20_000);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopProcess(child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring one target

interface RateResult {
  rate: number;
  summary: Summary;
  peakRssMb: number;
  cpuMs: number;
}

interface TargetResult {
  label: string;
  kind: Server['kind'];
  workers?: number;
  database?: string;
  notes: string[];
  error?: string;
  rates: RateResult[];
  closed?: { summary: Summary; cpuUsPerRequest: number };
  stream?: Summary;
  hold?: { summary: Summary; idleRssMb: number; peakRssMb: number };
}

const PROMPT = 'hello there, how are you today?';
// The simulator echoes the prompt a word per chunk: a few words 700 ms apart hold a stream open ~5 s, longer
// than the ramp, so every stream is open at once if the target lets them through. Chunks are sparse so the
// simulator and the load generator (one process each, sharing the cores) keep up with 5,000 streams.
const HOLD_PROMPT = 'one two three four';
const HOLD_CHUNK_MS = 700;

async function measure(server: Server, load: ChildProcess, sim: SimulatorControl, s: Settings, log: (line: string) => void): Promise<TargetResult> {
  const result: TargetResult = { label: server.label, kind: server.kind, workers: server.workers, database: server.database, notes: server.notes, rates: [] };
  const plain = server.target(false, PROMPT);
  const streamed = server.target(true, PROMPT);
  if (s.warmupS > 0) {
    await runJob(load, { kind: 'closed', target: plain, concurrency: 16, durationMs: s.warmupS * 1000 });
    await runJob(load, { kind: 'open', target: streamed, rate: 100, durationMs: 1000, stream: true });
  }
  for (const rate of s.rates) {
    const { result: summary, peakMb, cpuMs } = await withPeakRss(server.pid, () =>
      runJob(load, { kind: 'open', target: plain, rate, durationMs: s.durationS * 1000, stream: false }),
    );
    result.rates.push({ rate, summary, peakRssMb: peakMb, cpuMs });
    log(`  ${rate} req/s: achieved ${summary.achievedRps.toFixed(0)}, p50 ${f2(summary.latency.p50)} p99 ${f2(summary.latency.p99)} ms, errors ${summary.errors}${summary.firstError ? ` (${summary.firstError})` : ''}`);
    await pause(1000);
  }
  const closed = await withPeakRss(server.pid, () => runJob(load, { kind: 'closed', target: plain, concurrency: s.closedConcurrency, durationMs: s.closedDurationS * 1000 }));
  result.closed = { summary: closed.result, cpuUsPerRequest: (closed.cpuMs * 1000) / Math.max(1, closed.result.ok) };
  log(`  closed loop ${s.closedConcurrency}: ${closed.result.achievedRps.toFixed(0)} req/s, errors ${closed.result.errors}`);
  await pause(1000);
  result.stream = await runJob(load, { kind: 'open', target: streamed, rate: s.streamRate, durationMs: s.streamDurationS * 1000, stream: true });
  log(`  streams ${s.streamRate} req/s: ttfb p50 ${f2(result.stream.ttfb!.p50)} p99 ${f2(result.stream.ttfb!.p99)} ms, errors ${result.stream.errors}`);
  await pause(1000);
  const idleRssMb = server.pid === undefined ? NaN : treeRss(server.pid) / 1024 / 1024;
  await sim.patchConfig({ faults: { inter_chunk_ms: HOLD_CHUNK_MS } });
  try {
    const hold = await withPeakRss(server.pid, () => runJob(load, { kind: 'hold', target: server.target(true, HOLD_PROMPT), count: s.hold, rampMs: s.holdRampS * 1000 }));
    result.hold = { summary: hold.result, idleRssMb, peakRssMb: hold.peakMb };
    log(`  ${s.hold} held streams: max open ${hold.result.maxOpen}, ok ${hold.result.ok}, errors ${hold.result.errors}${hold.result.firstError ? ` (${hold.result.firstError})` : ''}, RSS ${f1(idleRssMb)} → peak ${f1(hold.peakMb)} MB`);
  } finally {
    await sim.patchConfig({ faults: { inter_chunk_ms: 0 } });
  }
  return result;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f1 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : '–');
const f0 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(0) : '–');
const signed = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');

// ---------------------------------------------------------------------------------------------
// CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  top: { name: string; where: string; selfMs: number; share: number }[];
  areas: { area: string; selfMs: number; share: number }[];
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn === '(garbage collector)' ? 'garbage collection' : fn === '(program)' ? 'V8/native (program)' : fn || 'native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'Node core';
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite\'s PostgreSQL)';
  const own = /\/dist\/src\/([^/]+)\//.exec(url);
  if (own) return `AI Proxy src/${own[1]}`;
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

/**
 * Self time per function and per area from a .cpuprofile, counting only samples inside `window` (µs on the
 * monotonic clock, which V8's profile timestamps and process.hrtime share), so boot and setup stay out.
 */
export function summariseProfile(file: string, window?: [startUs: number, endUs: number], top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window[0] || t > window[1])) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const short = url.includes('/node_modules/') ? url.replace(/^.*\/node_modules\//, '') : url.replace(/^file:\/\//, '').replace(/^.*\/dist\//, 'dist/');
    const key = `${functionName}|${short}|${lineNumber}`;
    const entry = fns.get(key) ?? { name: functionName || '(anonymous)', where: short ? `${short}:${lineNumber + 1}` : '', us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busy = total - idle;
  return {
    file,
    totalMs: total / 1000,
    busyMs: busy / 1000,
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: e.us / busy })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([area, us]) => ({ area, selfMs: us / 1000, share: us / busy })),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function gitCommit(): string {
  // A copy outside the repository (so other builds cannot change it mid-run) names its commit in BENCH_COMMIT.
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

interface Context {
  settings: Settings;
  started: Date;
  finished: Date;
  loadBefore: number[];
  loadAfter: number[];
  postgres?: string;
  results: TargetResult[];
  skipped: string[];
  profile?: ProfileSummary & { rate: number; summary: Summary; label: string };
  profileError?: string;
}

function report(c: Context): string {
  const s = c.settings;
  const direct = c.results.find((r) => r.kind === 'direct');
  const baseAt = (rate: number) => direct?.rates.find((r) => r.rate === rate)?.summary;
  const passthrough = c.results.find((r) => r.kind === 'passthrough' && !r.error);
  const portkey = c.results.find((r) => r.kind === 'portkey' && !r.error);
  const cpu = cpus()[0]?.model ?? 'cpu';
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench:peers` (bench/peers.ts): the same chat completion requests, on one machine, in one run, at the same fixed ' +
      'rates, against the simulated upstream directly, a bare Fastify passthrough, Portkey\'s gateway and AI Proxy. Rerun it on a quiet machine ' +
      'for figures to compare with; it rewrites this file.',
    '',
    '## Conditions',
    '',
    `- Run ${c.started.toISOString()} – ${c.finished.toISOString()}, AI Proxy commit ${gitCommit()}.`,
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM, Linux ${release()}. ` +
      `Load average (1 min) ${c.loadBefore[0].toFixed(2)} before, ${c.loadAfter[0].toFixed(2)} after: the machine was shared with other work, so treat small differences as noise.`,
    `- Versions: Node ${process.version}, fastify ${version('fastify')}, @fastify/reply-from ${version('@fastify/reply-from')}, ` +
      `@portkey-ai/gateway ${version('@portkey-ai/gateway')}, undici ${version('undici')}, @electric-sql/pglite ${version('@electric-sql/pglite')}` +
      `${c.postgres ? `, ${c.postgres}` : ''}.`,
    `- Everything on loopback. The simulator (its own process) answers after a fixed ${s.latencyMs} ms; the load generator is another process ` +
      '(undici, keep-alive). Every target is its own process (tree), started fresh, warmed up, and measured alone.',
    `- Same request everywhere: \`POST /v1/chat/completions\` with \`model\`, one user message, \`max_tokens: 64\`. AI Proxy runs as deployed ` +
      `(\`node dist/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn) with ${s.attendees} attendee keys used in turn: key lookup, event window, ` +
      'daily request cap, token limits, load balancing and a usage record per request are all on. Portkey gets `x-portkey-provider: openai` and ' +
      '`x-portkey-custom-host` pointing at the simulator. The passthrough relays bytes.',
    '- Open loop: requests leave on a fixed schedule whatever the answers do, and latency counts from the scheduled moment, so a target that ' +
      'falls behind shows it in its latency and its achieved rate. Added = target minus direct at the same rate.',
    '',
    `## Latency at fixed rates (non-streaming, ${s.durationS} s per rate)`,
    '',
    '| Target | Rate | Achieved req/s | p50 ms | p99 ms | Added p50 ms | Added p99 ms | Errors | Peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of c.results) {
    if (r.error) {
      lines.push(`| ${r.label} | – | – | – | – | – | – | failed: ${r.error.replace(/\|/g, '/')} | – |`);
      continue;
    }
    for (const x of r.rates) {
      const base = baseAt(x.rate);
      const isBase = r.kind === 'direct';
      lines.push(
        `| ${r.label} | ${x.rate} | ${f0(x.summary.achievedRps)} | ${f2(x.summary.latency.p50)} | ${f2(x.summary.latency.p99)} | ` +
          `${isBase ? '–' : signed(x.summary.latency.p50 - (base?.latency.p50 ?? NaN))} | ${isBase ? '–' : signed(x.summary.latency.p99 - (base?.latency.p99 ?? NaN))} | ` +
          `${x.summary.errors} | ${f1(x.peakRssMb)} |`,
      );
    }
  }
  lines.push(
    '',
    '![Latency added over the baseline](benchmarks-latency.svg)',
    '',
    `## Throughput (closed loop, ${s.closedConcurrency} clients back to back, ${s.closedDurationS} s)`,
    '',
    '| Target | Workers | req/s | × bare passthrough | × Portkey | p50 ms | p99 ms | CPU µs per request | Errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of c.results) {
    if (r.error || !r.closed) continue;
    const t = r.closed.summary.achievedRps;
    lines.push(
      `| ${r.label} | ${r.workers ?? '–'} | ${f0(t)} | ${passthrough?.closed ? (t / passthrough.closed.summary.achievedRps).toFixed(2) : '–'} | ` +
        `${portkey?.closed ? (t / portkey.closed.summary.achievedRps).toFixed(2) : '–'} | ${f2(r.closed.summary.latency.p50)} | ${f2(r.closed.summary.latency.p99)} | ` +
        `${r.kind === 'direct' ? '–' : f0(r.closed.cpuUsPerRequest)} | ${r.closed.summary.errors} |`,
    );
  }
  lines.push(
    '',
    'The baseline row is the simulator alone, the ceiling for everything behind it on this machine; every proxied target shares the two cores ' +
      'with the simulator and the load generator. CPU per request is the target process tree\'s user + system time (from /proc) over requests answered.',
    '',
    '![Throughput](benchmarks-throughput.svg)',
    '',
    `## Streaming: time to first byte (${s.streamRate} streams/s for ${s.streamDurationS} s)`,
    '',
    '| Target | TTFB p50 ms | TTFB p99 ms | Added p50 ms | Added p99 ms | Errors |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const r of c.results) {
    if (r.error || !r.stream?.ttfb) continue;
    const isBase = r.kind === 'direct';
    lines.push(
      `| ${r.label} | ${f2(r.stream.ttfb.p50)} | ${f2(r.stream.ttfb.p99)} | ${isBase ? '–' : signed(r.stream.ttfb.p50 - (direct?.stream?.ttfb?.p50 ?? NaN))} | ` +
        `${isBase ? '–' : signed(r.stream.ttfb.p99 - (direct?.stream?.ttfb?.p99 ?? NaN))} | ${r.stream.errors} |`,
    );
  }
  lines.push(
    '',
    `## Memory with ${s.hold} concurrent streams`,
    '',
    `${s.hold} streaming requests started over ${s.holdRampS} s, each on its own connection; the simulator sends a chunk every ${HOLD_CHUNK_MS} ms ` +
      'so each stream stays open about 5 s once it starts. RSS is the target\'s whole process tree, sampled every 100 ms. ' +
      '"Most open at once" counts streams whose answer had started: a target that queues upstream requests shows fewer.',
    '',
    '| Target | Most open at once | Completed | Errors | RSS before MB | Peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const r of c.results) {
    if (r.error || !r.hold) continue;
    lines.push(
      `| ${r.label} | ${r.hold.summary.maxOpen ?? '–'} | ${r.hold.summary.ok} | ${r.hold.summary.errors}${r.hold.summary.firstError ? ` (${r.hold.summary.firstError.replace(/\|/g, '/').slice(0, 60)})` : ''} | ` +
        `${f1(r.hold.idleRssMb)} | ${f1(r.hold.peakRssMb)} |`,
    );
  }

  // Targets from the issue, checked against this run.
  const proxies = c.results.filter((r) => r.kind === 'aiproxy' && !r.error);
  const at1000 = (r: TargetResult) => r.rates.find((x) => x.rate === 1000)?.summary;
  const checks: string[] = [];
  for (const p of proxies) {
    const m = at1000(p);
    const base = baseAt(1000);
    if (m && base) {
      const a50 = m.latency.p50 - base.latency.p50;
      const a99 = m.latency.p99 - base.latency.p99;
      checks.push(`| ${p.label} | added p50 ≤ 0.5 ms and p99 ≤ 3 ms at 1,000 req/s | ${signed(a50)} / ${signed(a99)} ms | ${a50 <= 0.5 && a99 <= 3 && m.errors === 0 ? 'met' : 'missed'} |`);
    }
    if (p.closed && passthrough?.closed && p.workers === passthrough.workers) {
      const ratio = p.closed.summary.achievedRps / passthrough.closed.summary.achievedRps;
      checks.push(`| ${p.label} | throughput ≥ 0.7 × bare passthrough (same worker count) | ${ratio.toFixed(2)} × | ${ratio >= 0.7 ? 'met' : 'missed'} |`);
    }
    if (p.closed && portkey?.closed && p.workers === portkey.workers) {
      const ratio = p.closed.summary.achievedRps / portkey.closed.summary.achievedRps;
      checks.push(`| ${p.label} | throughput ≥ 3 × Portkey (same worker count) | ${ratio.toFixed(2)} × | ${ratio >= 3 ? 'met' : 'missed'} |`);
    }
    if (p.hold) {
      const okHold = p.hold.peakRssMb < 400 && (p.hold.summary.maxOpen ?? 0) >= s.hold && p.hold.summary.errors === 0;
      checks.push(`| ${p.label} | ${s.hold} concurrent streams under 400 MB RSS | ${f1(p.hold.peakRssMb)} MB, ${p.hold.summary.maxOpen} open at once | ${okHold ? 'met' : 'missed'} |`);
    }
  }
  lines.push('', '## Targets (issue #7), this run', '', '| AI Proxy | Target | Measured | |', '|---|---|---|---|', ...checks);
  const notes = [...c.results.flatMap((r) => r.notes.map((n) => `- ${r.label}: ${n}.`)), ...c.skipped.map((n) => `- ${n}.`)];
  if (notes.length > 0) lines.push('', ...notes);

  lines.push('', `## Where AI Proxy spends its time (CPU profile at ${s.profileRate} req/s)`, '');
  if (c.profile) {
    const p = c.profile;
    lines.push(
      `\`node --cpu-prof\` on ${p.label} while it served ${s.profileRate} req/s for ${s.profileDurationS} s ` +
        `(achieved ${f0(p.summary.achievedRps)} req/s, p50 ${f2(p.summary.latency.p50)} ms, p99 ${f2(p.summary.latency.p99)} ms, ${p.summary.errors} errors). ` +
        `Only samples taken while the load ran are counted (not boot or setup). The serving process was busy ${f0(p.busyMs)} ms of ${f0(p.totalMs)} ms ` +
        `(${((100 * p.busyMs) / p.totalMs).toFixed(0)}% of one core); shares below are of busy time.`,
      '',
      '| Area | Self ms | Share |',
      '|---|---:|---:|',
      ...p.areas.map((a) => `| ${a.area} | ${f0(a.selfMs)} | ${(100 * a.share).toFixed(1)}% |`),
      '',
      '| Function (self time) | Where | Self ms | Share |',
      '|---|---|---:|---:|',
      ...p.top.map((t) => `| \`${t.name.replace(/\|/g, '/')}\` | ${t.where} | ${f0(t.selfMs)} | ${(100 * t.share).toFixed(1)}% |`),
    );
  } else {
    lines.push(c.profileError ? `Not profiled: ${c.profileError}.` : 'Not profiled in this run (--no-profile).');
  }
  lines.push(
    '',
    '## Running it',
    '',
    '```bash',
    'npm run bench:peers                                                         # PGlite lanes only',
    'npm run bench:peers -- --database-url postgres://postgres@127.0.0.1:5432/postgres   # and PostgreSQL lanes',
    'npm run bench:peers -- --rates 250,500 --duration 5 --hold 1000 --targets aiproxy    # a quick look',
    'npm run bench:peers -- --targets aiproxy --databases postgres --workers 1 --no-profile --database-url …  # one lane',
    '```',
    '',
    'Raw figures of this run: [benchmarks.json](benchmarks.json).',
    '',
  );
  return lines.join('\n');
}

function charts(c: Context): void {
  const s = c.settings;
  const direct = c.results.find((r) => r.kind === 'direct');
  const others = c.results.filter((r) => r.kind !== 'direct' && !r.error);
  writeFileSync(
    join(s.out, 'benchmarks-latency.svg'),
    barChart({
      title: 'p99 latency added over the simulator alone (ms, lower is better)',
      yLabel: 'added p99 ms',
      categories: s.rates.map((r) => `${r} req/s`),
      series: others.map((r) => ({
        name: r.label,
        values: s.rates.map((rate) => {
          const x = r.rates.find((y) => y.rate === rate)?.summary;
          const b = direct?.rates.find((y) => y.rate === rate)?.summary;
          return x && b ? Math.max(0, x.latency.p99 - b.latency.p99) : NaN;
        }),
      })),
    }),
  );
  writeFileSync(
    join(s.out, 'benchmarks-throughput.svg'),
    barChart({
      title: `Throughput, ${s.closedConcurrency} clients back to back (req/s, higher is better)`,
      yLabel: 'req/s',
      categories: ['closed loop'],
      series: c.results.filter((r) => !r.error && r.closed).map((r) => ({ name: r.label, values: [r.closed!.summary.achievedRps] })),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Main

async function scratchDatabase(adminUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function main(): Promise<void> {
  const s = readSettings(process.argv.slice(2));
  mkdirSync(s.out, { recursive: true });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = new Date();
  const loadBefore = loadavg();
  const simKey = randomBytes(16).toString('hex');
  const sim = await startChild('simulator', [`--api-key=${simKey}`, `--latency=${s.latencyMs}`]);
  const load = await startChild('load');
  const simUrl = String(sim.first.url);
  const control = new SimulatorControl(simUrl);
  let postgres: string | undefined;
  if (s.databaseUrl) {
    const client = new Client({ connectionString: s.databaseUrl });
    await client.connect();
    postgres = ((await client.query('SHOW server_version')).rows[0] as { server_version: string }).server_version.replace(/^/, 'PostgreSQL ');
    await client.end();
  }

  type Plan = { name: string; start: () => Promise<Server>; cleanup?: () => Promise<void> };
  const skipped: string[] = [];
  const plans: Plan[] = [{ name: 'direct', start: async () => directServer(simUrl, simKey) }];
  if (s.targets.has('passthrough')) plans.push({ name: 'passthrough', start: () => passthroughServer(simUrl, simKey) });
  if (s.targets.has('portkey')) plans.push({ name: 'portkey', start: () => portkeyServer(simUrl, simKey) });
  if (s.targets.has('aiproxy')) {
    for (const database of (s.databaseUrl ? ['pglite', 'postgres'] : ['pglite']).filter((d) => s.databases.has(d))) {
      for (const workers of s.workers) {
        // Embedded PGlite lives in one process: the product refuses WORKERS > 1 with it.
        if (database === 'pglite' && workers > 1) {
          skipped.push(`AI Proxy, ${workers} workers, PGlite: not run (PGlite is in-process, so the product refuses WORKERS > 1 with it)`);
          continue;
        }
        let drop: (() => Promise<void>) | undefined;
        plans.push({
          name: `aiproxy-${database}-w${workers}`,
          start: async () => {
            let databaseUrl: string | undefined;
            if (database === 'postgres') {
              const db = await scratchDatabase(s.databaseUrl!, `aiproxy_bench_${Date.now()}_w${workers}`);
              databaseUrl = db.url;
              drop = db.drop;
            }
            return aiProxyServer({ simUrl, simKey, workers, databaseUrl, attendees: s.attendees });
          },
          cleanup: async () => drop?.(),
        });
      }
    }
  }

  // Stopped by hand: take the targets down too (Portkey has no IPC channel to notice).
  let current: Server | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const results: TargetResult[] = [];
  const context: Context = { settings: s, started, finished: started, loadBefore, loadAfter: loadBefore, postgres, results, skipped };
  try {
    for (const plan of plans) {
      log(`${plan.name}`);
      let server: Server | undefined;
      try {
        server = await plan.start();
        current = server;
        results.push(await measure(server, load.child, control, s, log));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log(`  failed: ${message}`);
        results.push({ label: server?.label ?? plan.name, kind: server?.kind ?? 'aiproxy', notes: [], error: message.slice(0, 200), rates: [] });
      } finally {
        await server?.stop();
        await plan.cleanup?.();
      }
    }

    if (s.profile && s.targets.has('aiproxy')) {
      log(`profile: AI Proxy, 1 worker, PGlite, ${s.profileRate} req/s under --cpu-prof`);
      const dir = mkdtempSync(join(tmpdir(), 'ai-proxy-cpuprof-'));
      let server: Server | undefined;
      try {
        server = await aiProxyServer({ simUrl, simKey, workers: 1, attendees: s.attendees, cpuProfDir: dir });
        const plain = server.target(false, PROMPT);
        await runJob(load.child, { kind: 'closed', target: plain, concurrency: 16, durationMs: Math.max(1, s.warmupS) * 1000 });
        const from = Number(process.hrtime.bigint() / 1000n);
        const summary = await runJob(load.child, { kind: 'open', target: plain, rate: s.profileRate, durationMs: s.profileDurationS * 1000, stream: false });
        const to = Number(process.hrtime.bigint() / 1000n);
        await server.stop();
        server = undefined;
        const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
        if (files.length === 0) throw new Error('no .cpuprofile was written (the proxy did not exit cleanly)');
        // With workers, each writes its own profile: the busiest one is the one serving.
        const summaries = files.map((f) => summariseProfile(join(dir, f), [from, to]));
        const busiest = summaries.sort((a, b) => b.busyMs - a.busyMs)[0];
        copyProfile(busiest.file, s.out);
        context.profile = { ...busiest, rate: s.profileRate, summary, label: 'AI Proxy, 1 worker, PGlite' };
        log(`  busy ${busiest.busyMs.toFixed(0)} ms of ${busiest.totalMs.toFixed(0)} ms`);
      } catch (err) {
        context.profileError = err instanceof Error ? err.message : String(err);
        log(`  profile failed: ${context.profileError}`);
      } finally {
        await server?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    context.finished = new Date();
    context.loadAfter = loadavg();
    writeFileSync(join(s.out, 'benchmarks.json'), JSON.stringify({ ...context, settings: { ...s, targets: [...s.targets] } }, null, 2) + '\n');
    writeFileSync(join(s.out, 'benchmarks.md'), report(context));
    charts(context);
    log(`wrote ${join(s.out, 'benchmarks.md')}`);
    load.child.disconnect();
    sim.child.disconnect();
  }
}

/** Keeps the profile next to the report (outside the repo's docs: it is large) for opening in DevTools. */
function copyProfile(file: string, out: string): void {
  const target = join(tmpdir(), `ai-proxy-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  writeFileSync(target, readFileSync(file));
  process.stdout.write(`  profile kept at ${target} (open in Chrome DevTools › Performance); summary in ${join(out, 'benchmarks.md')}\n`);
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (role === 'load') {
  runLoadChild();
} else if (role === 'simulator') {
  runSimulatorChild(arg('api-key') ?? '', Number(arg('latency') ?? 20)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (role === 'passthrough') {
  runPassthroughChild(arg('upstream') ?? '').catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
