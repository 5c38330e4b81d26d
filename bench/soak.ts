/**
 * Soak: the built product at a steady rate for a long time, memory and latency sampled every minute.
 *
 *   npm run soak -- [--minutes 60] [--rate 50] [--stream-share 0.2] [--latency 20] [--attendees 20]
 *                   [--workers 1] [--database-url postgres://…] [--out docs] [--sample-seconds 60]
 *
 * Four processes, so each figure is its own: this one orchestrates and samples; a child runs the simulated
 * upstream (fixed latency, no jitter); the proxy runs as `node dist/src/main.js` exactly as deployed
 * (PGlite in a temp DATA_DIR unless --database-url names a PostgreSQL database it may write to), with a
 * small preload (soak-probe) that reports its heap over IPC; another child drives an open-loop mix of
 * streaming and non-streaming chat over keep-alive connections, one key per attendee in turn.
 *
 * Every sample: requests sent/ok/failed (by reason), p50/p99 latency (non-streaming) and time to first byte
 * (streaming), the proxy's RSS (its whole process tree, from /proc), heap, and event-loop delay. Writes
 * soak.csv, soak.svg and soak.md into --out (rewritten after every sample, so a run cut short still
 * leaves its figures). Exits 1 if any request failed or the proxy did not exit cleanly.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { startSimulator } from '../src/simulator/simulator.app';
import { treeRss } from './proc-stats';
import type { ProbeSample } from './soak-probe';
import { lineChart } from './svg-chart';

// ---------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  minutes: number;
  rate: number;
  streamShare: number;
  latencyMs: number;
  attendees: number;
  workers: number;
  sampleSeconds: number;
  out: string;
  databaseUrl?: string;
}

function readSettings(argv: string[]): Settings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const value = m[2] ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : undefined);
    if (value !== undefined) flags.set(m[1], value);
  }
  const num = (flag: string, min: number, max: number, fallback: number): number => {
    const raw = flags.get(flag) ?? process.env[`SOAK_${flag.toUpperCase().replace(/-/g, '_')}`];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} must be a number from ${min} to ${max} (got ${raw})`);
    return value;
  };
  const databaseUrl = flags.get('database-url') ?? process.env.SOAK_DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  return {
    minutes: num('minutes', 0.1, 24 * 60, 60),
    rate: num('rate', 1, 2_000, 50),
    streamShare: num('stream-share', 0, 1, 0.2),
    latencyMs: num('latency', 0, 10_000, 20),
    attendees: Math.round(num('attendees', 1, 1_000, 20)),
    workers: Math.round(num('workers', 1, 64, 1)),
    sampleSeconds: num('sample-seconds', 1, 3_600, 60),
    out: resolve(flags.get('out') ?? 'docs'),
    databaseUrl,
  };
}

// ---------------------------------------------------------------------------------------------
// Messages between the processes

interface LoadPlan {
  url: string;
  keys: string[];
  rate: number;
  streamShare: number;
  durationMs: number;
  sampleMs: number;
}

interface Window {
  /** 1-based sample number. */
  index: number;
  sent: number;
  ok: number;
  errors: Record<string, number>;
  plain: { count: number; p50: number; p99: number };
  stream: { count: number; ttfbP50: number; ttfbP99: number; totalP99: number };
  /** Largest delay between a request's scheduled and actual send: the generator keeping up. */
  sendLagMaxMs: number;
  inFlight: number;
}

type FromLoad = { kind: 'window'; window: Window; last: boolean };

const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Load generator (child process)

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function runLoadChild(): void {
  process.on('message', (plan: LoadPlan) => void generate(plan));
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true });
}

async function generate(plan: LoadPlan): Promise<void> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(plan.url).hostname)) throw new Error('refusing to load a non-loopback host');
  const agent = new Agent({ connections: 128, keepAliveTimeout: 60_000, pipelining: 1 });
  const messages = [{ role: 'user', content: 'Summarise the soak test in one sentence, please.' }];
  const bodies = {
    plain: JSON.stringify({ messages, max_tokens: 64 }),
    stream: JSON.stringify({ messages, max_tokens: 64, stream: true }),
  };
  let plain: number[] = [];
  let ttfb: number[] = [];
  let streamTotal: number[] = [];
  let errors: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  let lagMax = 0;
  let inFlight = 0;
  let index = 0;

  const flush = (last: boolean) => {
    const sortedPlain = plain.sort((a, b) => a - b);
    const sortedTtfb = ttfb.sort((a, b) => a - b);
    const sortedTotal = streamTotal.sort((a, b) => a - b);
    const window: Window = {
      index: ++index,
      sent,
      ok,
      errors,
      plain: { count: sortedPlain.length, p50: quantile(sortedPlain, 0.5), p99: quantile(sortedPlain, 0.99) },
      stream: { count: sortedTtfb.length, ttfbP50: quantile(sortedTtfb, 0.5), ttfbP99: quantile(sortedTtfb, 0.99), totalP99: quantile(sortedTotal, 0.99) },
      sendLagMaxMs: lagMax,
      inFlight,
    };
    plain = [];
    ttfb = [];
    streamTotal = [];
    errors = {};
    sent = ok = lagMax = 0;
    process.send!({ kind: 'window', window, last } satisfies FromLoad);
  };

  const once = async (n: number, scheduled: number): Promise<void> => {
    // A fixed pattern rather than random draws, so every run sends the same mix.
    const stream = Math.floor((n + 1) * plan.streamShare) > Math.floor(n * plan.streamShare);
    const key = plan.keys[n % plan.keys.length];
    lagMax = Math.max(lagMax, performance.now() - scheduled);
    sent++;
    inFlight++;
    try {
      const res = await request(plan.url, {
        method: 'POST',
        headers: { 'api-key': key, 'content-type': 'application/json' },
        body: stream ? bodies.stream : bodies.plain,
        dispatcher: agent,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      let first: number | undefined;
      let tail = '';
      for await (const chunk of res.body) {
        first ??= performance.now() - scheduled;
        tail = (tail + (chunk as Buffer).toString('utf8')).slice(-64);
      }
      const total = performance.now() - scheduled;
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      if (stream && !tail.includes('[DONE]')) throw new Error('stream ended without [DONE]');
      ok++;
      if (stream) {
        ttfb.push(first ?? total);
        streamTotal.push(total);
      } else {
        plain.push(total);
      }
    } catch (err) {
      const reason = err instanceof Error ? (err.name === 'TimeoutError' ? 'timeout' : err.message.slice(0, 60)) : 'unknown';
      errors[reason] = (errors[reason] ?? 0) + 1;
    } finally {
      inFlight--;
    }
  };

  const interval = 1000 / plan.rate;
  const total = Math.round((plan.rate * plan.durationMs) / 1000);
  const start = performance.now();
  let n = 0;
  let nextFlush = start + plan.sampleMs;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (n < total && start + n * interval <= now) {
        const scheduled = start + n * interval;
        void once(n++, scheduled);
      }
      if (now >= nextFlush && n < total) {
        flush(false);
        nextFlush += plan.sampleMs;
      }
      if (n < total) setTimeout(tick, Math.max(0, Math.min(start + n * interval, nextFlush) - performance.now()));
      else done();
    };
    tick();
  });
  // The tail: requests still in flight belong to the last window.
  const deadline = performance.now() + REQUEST_TIMEOUT_MS + 1_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  flush(true);
  await agent.close();
}

// ---------------------------------------------------------------------------------------------
// Simulator (child process)

async function runSimulatorChild(apiKey: string, latencyMs: number): Promise<void> {
  // Fixed latency before the answer, and a short gap between stream chunks so streams last like real ones.
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', apiKey, faults: { latency_ms: latencyMs, jitter_ms: 0, inter_chunk_ms: 2 } });
  process.on('disconnect', () => void sim.close().finally(() => process.exit(0)));
  process.send!({ url: sim.url });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

function startChild(role: string, args: string[] = []): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = fork(__filename, [`--role=${role}`, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    child.once('message', (first: Record<string, unknown>) => resolvePromise({ child, first }));
    child.once('exit', (code) => reject(new Error(`${role} process exited early (${code})`)));
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

async function waitReady(baseUrl: string, proxy: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proxy.exitCode !== null) throw new Error(`the proxy exited during startup (${proxy.exitCode}); see its log`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the proxy was not ready within ${timeoutMs} ms`);
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

function probe(proxy: ChildProcess, timeoutMs = 2_000): Promise<ProbeSample | undefined> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      proxy.off('message', onMessage);
      resolvePromise(undefined);
    }, timeoutMs);
    const onMessage = (m: ProbeSample) => {
      if (m?.type !== 'soak-sample') return;
      clearTimeout(timer);
      proxy.off('message', onMessage);
      resolvePromise(m);
    };
    proxy.on('message', onMessage);
    if (proxy.connected) proxy.send({ type: 'soak-sample' });
  });
}

export interface Row {
  minute: number;
  sent: number;
  ok: number;
  errors: number;
  errorKinds: string;
  rps: number;
  plainP50: number;
  plainP99: number;
  ttfbP50: number;
  ttfbP99: number;
  streamP99: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  loopP99Ms: number;
  loopMaxMs: number;
  simRssMb: number;
  sendLagMaxMs: number;
  /** The machine's 1-minute load average: a shared machine's contention shows here, not in the proxy. */
  loadAvg: number;
}

const COLUMNS: [keyof Row, string][] = [
  ['minute', 'minute'],
  ['sent', 'sent'],
  ['ok', 'ok'],
  ['errors', 'errors'],
  ['rps', 'req_per_s'],
  ['plainP50', 'latency_p50_ms'],
  ['plainP99', 'latency_p99_ms'],
  ['ttfbP50', 'stream_ttfb_p50_ms'],
  ['ttfbP99', 'stream_ttfb_p99_ms'],
  ['streamP99', 'stream_total_p99_ms'],
  ['rssMb', 'proxy_rss_mb'],
  ['heapUsedMb', 'proxy_heap_used_mb'],
  ['heapTotalMb', 'proxy_heap_total_mb'],
  ['externalMb', 'proxy_external_mb'],
  ['loopP99Ms', 'proxy_loop_delay_p99_ms'],
  ['loopMaxMs', 'proxy_loop_delay_max_ms'],
  ['simRssMb', 'simulator_rss_mb'],
  ['sendLagMaxMs', 'generator_send_lag_max_ms'],
  ['loadAvg', 'machine_load_avg_1m'],
  ['errorKinds', 'error_kinds'],
];

const MB = 1024 * 1024;
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/** Least-squares slope of y over x (per unit of x). */
function slope(points: [number, number][]): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

export interface RunInfo {
  settings: Settings;
  database: string;
  startedAt: Date;
  node: string;
  product: string;
  proxyExit?: string;
}

export function writeReport(info: RunInfo, rows: Row[], finished: boolean): void {
  const s = info.settings;
  mkdirSync(s.out, { recursive: true });
  const csv = [COLUMNS.map(([, h]) => h).join(','), ...rows.map((r) => COLUMNS.map(([k]) => (k === 'errorKinds' ? `"${r.errorKinds.replace(/"/g, "'")}"` : typeof r[k] === 'number' ? +(r[k] as number).toFixed(3) : r[k])).join(','))];
  writeFileSync(join(s.out, 'soak.csv'), csv.join('\n') + '\n');

  const unit = s.sampleSeconds === 60 ? 'minute' : `sample (${s.sampleSeconds} s)`;
  // Two charts: memory and latency have different scales, and a latency spike would flatten the memory curve.
  const title = `${s.rate} req/s (${Math.round(s.streamShare * 100)}% streaming), ${info.database}`;
  writeFileSync(
    join(s.out, 'soak.svg'),
    lineChart({
      title: `Soak memory: ${title}`,
      xLabel: unit,
      yLabel: 'MB',
      series: [
        { name: 'proxy RSS', points: rows.map((r) => [r.minute, r.rssMb]) },
        { name: 'proxy heap total', points: rows.map((r) => [r.minute, r.heapTotalMb]) },
        { name: 'proxy heap used', points: rows.map((r) => [r.minute, r.heapUsedMb]) },
      ],
    }),
  );
  writeFileSync(
    join(s.out, 'soak-latency.svg'),
    lineChart({
      title: `Soak latency: ${title}`,
      xLabel: unit,
      yLabel: 'ms',
      series: [
        { name: 'latency p50', points: rows.map((r) => [r.minute, r.plainP50]) },
        { name: 'latency p99', points: rows.map((r) => [r.minute, r.plainP99]) },
        { name: 'stream TTFB p99', points: rows.map((r) => [r.minute, r.ttfbP99]) },
      ],
    }),
  );

  const at = (minute: number) => rows.find((r) => r.minute === minute) ?? rows[rows.length - 1];
  const marks = [...new Set([1, 10, 30, 60, rows.length].filter((m) => m <= rows.length))];
  const sent = rows.reduce((t, r) => t + r.sent, 0);
  const ok = rows.reduce((t, r) => t + r.ok, 0);
  const errors = rows.reduce((t, r) => t + r.errors, 0);
  const settled = rows.filter((r) => r.minute >= Math.min(10, Math.ceil(rows.length / 2)));
  const rssSlope = slope(settled.map((r) => [r.minute, r.rssMb])) * (3600 / s.sampleSeconds);
  const heapSlope = slope(settled.map((r) => [r.minute, r.heapUsedMb])) * (3600 / s.sampleSeconds);
  const worst = (k: keyof Row) => Math.max(...rows.map((r) => r[k] as number).filter(Number.isFinite));

  const md = [
    '# Soak',
    '',
    `${finished ? 'One' : 'A partial (still running or cut short)'} run of \`npm run soak\` (bench/soak.ts): the built product (\`node dist/src/main.js\`) at a steady open-loop rate, ` +
      `memory and latency sampled every ${s.sampleSeconds} s. Regenerate with ` +
      `\`npm run soak -- --minutes ${s.minutes} --rate ${s.rate} --stream-share ${s.streamShare}${s.databaseUrl ? ' --database-url postgres://…' : ''}\`.`,
    '',
    `- Started ${info.startedAt.toISOString()}; ${rows.length} samples of ${s.minutes * 60 / s.sampleSeconds} planned${info.proxyExit ? `; proxy exit on SIGTERM: ${info.proxyExit}` : ''}.`,
    `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM, shared with other work while it ran. Node ${info.node}; ${info.product}.`,
    `- Proxy: ${s.workers} worker(s), ${info.database}, LOG_LEVEL=warn; auth, daily caps, balancing and usage metering on every request. ` +
      `${s.attendees} attendees, keys used in turn.`,
    `- Upstream: the built-in simulator in its own process, ${s.latencyMs} ms fixed latency, 2 ms between stream chunks.`,
    `- Load: ${s.rate} req/s open loop (latency timed from each request's scheduled send), ${Math.round(s.streamShare * 100)}% streaming, keep-alive connections (undici), 30 s timeout.`,
    '',
    '## Summary',
    '',
    `- Requests: ${sent} sent, ${ok} answered 200 in full, ${errors} failed.`,
    `- Proxy memory after warm-up (from ${unit} ${settled[0]?.minute ?? '–'}): RSS trend ${f1(rssSlope)} MB/hour, heap used trend ${f1(heapSlope)} MB/hour.`,
    `- Worst ${unit}: latency p99 ${f2(worst('plainP99'))} ms, stream TTFB p99 ${f2(worst('ttfbP99'))} ms, event-loop delay max ${f1(worst('loopMaxMs'))} ms.`,
    '',
    `| ${unit} | proxy RSS MB | heap used MB | heap total MB | latency p50 ms | latency p99 ms | TTFB p50 ms | TTFB p99 ms | errors |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...marks.map((m) => {
      const r = at(m);
      return `| ${r.minute} | ${f1(r.rssMb)} | ${f1(r.heapUsedMb)} | ${f1(r.heapTotalMb)} | ${f2(r.plainP50)} | ${f2(r.plainP99)} | ${f2(r.ttfbP50)} | ${f2(r.ttfbP99)} | ${r.errors} |`;
    }),
    '',
    '![Proxy memory over the soak](soak.svg)',
    '',
    '![Latency over the soak](soak-latency.svg)',
    '',
    `Every sample is in [soak.csv](soak.csv). RSS is the proxy's whole process tree (/proc); heap figures come from the proxy process itself (a preloaded probe, bench/soak-probe.ts).`,
    '',
    '<details><summary>All samples</summary>',
    '',
    `| ${unit} | req/s | ok | errors | p50 ms | p99 ms | TTFB p99 ms | stream p99 ms | RSS MB | heap MB | loop p99 ms | load avg | error kinds |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.minute} | ${f1(r.rps)} | ${r.ok} | ${r.errors} | ${f2(r.plainP50)} | ${f2(r.plainP99)} | ${f2(r.ttfbP99)} | ${f2(r.streamP99)} | ${f1(r.rssMb)} | ${f1(r.heapUsedMb)} | ${f1(r.loopP99Ms)} | ${f1(r.loadAvg)} | ${r.errorKinds} |`,
    ),
    '',
    '</details>',
    '',
  ];
  writeFileSync(join(s.out, 'soak.md'), md.join('\n'));
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const mainJs = join(__dirname, '..', 'src', 'main.js');
  const probeJs = join(__dirname, 'soak-probe.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} not found: build first (npm run build)`);
  mkdirSync(settings.out, { recursive: true });

  const simKey = randomBytes(16).toString('hex');
  const adminToken = `soak-admin-${randomBytes(12).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-soak-'));
  const children: ChildProcess[] = [];
  const sim = await startChild('simulator', [`--api-key=${simKey}`, `--latency=${settings.latencyMs}`]);
  children.push(sim.child);
  const load = await startChild('load');
  children.push(load.child);
  const simUrl = String(sim.first.url);

  const port = await freePort();
  const logPath = join(settings.out, 'soak-proxy.log');
  const logFd = openSync(logPath, 'a');
  const proxy = fork(mainJs, [], {
    execArgv: ['--require', probeJs],
    stdio: ['ignore', logFd, logFd, 'ipc'],
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
      WORKERS: String(settings.workers),
      // Setup registers every attendee from one address in a burst.
      REGISTRATION_RATE_LIMIT: '100000',
      ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    },
  });
  closeSync(logFd);
  children.push(proxy);
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const info: RunInfo = {
    settings,
    database: settings.databaseUrl ? 'PostgreSQL' : 'PGlite',
    startedAt: new Date(),
    node: process.version,
    product: `ai-proxy ${(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}`,
  };
  try {
    await waitReady(baseUrl, proxy, 120_000);
    const now = Date.now();
    const event = await admin<{ id: string }>(baseUrl, adminToken, 'POST', '/api/v1/admin/events', {
      id: `soak-${randomBytes(4).toString('hex')}`,
      name: 'Soak',
      startsAt: new Date(now - 3_600_000).toISOString(),
      endsAt: new Date(now + 7 * 86_400_000).toISOString(),
      dailyRequestCap: 10_000_000,
    });
    const resource = await admin<{ id: string }>(baseUrl, adminToken, 'POST', '/api/v1/admin/resources', {
      name: 'Simulator',
      deploymentName: 'chat',
      modelClass: 'openai-chat',
      upstream: 'azure',
      endpointUrl: simUrl,
      apiKey: simKey,
    });
    await admin(baseUrl, adminToken, 'PUT', `/api/v1/admin/events/${event.id}/resources/${resource.id}`);
    const keys: string[] = [];
    for (let i = 0; i < settings.attendees; i++) {
      const attendee = await admin<{ apiKey: string }>(baseUrl, adminToken, 'POST', `/api/v1/events/${event.id}/attendees`, {
        name: `Soak ${i}`,
        email: `soak-${i}-${randomBytes(3).toString('hex')}@example.com`,
      });
      keys.push(attendee.apiKey);
    }
    // The first call of each key warms the catalog; not part of the figures.
    for (const key of keys) {
      await fetch(`${baseUrl}/openai/deployments/chat/chat/completions?api-version=2024-10-21`, {
        method: 'POST',
        headers: { 'api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'warm up' }], max_tokens: 8 }),
      }).then((r) => r.arrayBuffer());
    }

    await probe(proxy); // resets the probe's event-loop histogram, so boot and setup are not in the first sample
    process.stdout.write(
      `Soak: ${settings.rate} req/s, ${Math.round(settings.streamShare * 100)}% streaming, ${settings.minutes} min, ${info.database}, ` +
        `${settings.workers} worker(s), upstream ${settings.latencyMs} ms; proxy pid ${proxy.pid}, log ${logPath}\n`,
    );
    const rows: Row[] = [];
    await new Promise<void>((done, fail) => {
      load.child.on('message', (m: FromLoad) => {
        if (m.kind !== 'window') return;
        void (async () => {
          const sample = await probe(proxy);
          const w = m.window;
          const errorCount = Object.values(w.errors).reduce((a, b) => a + b, 0);
          const row: Row = {
            minute: w.index,
            sent: w.sent,
            ok: w.ok,
            errors: errorCount,
            errorKinds: Object.entries(w.errors).map(([k, v]) => `${k}: ${v}`).join('; '),
            rps: w.ok / settings.sampleSeconds,
            plainP50: w.plain.p50,
            plainP99: w.plain.p99,
            ttfbP50: w.stream.ttfbP50,
            ttfbP99: w.stream.ttfbP99,
            streamP99: w.stream.totalP99,
            rssMb: treeRss(proxy.pid!) / MB,
            heapUsedMb: sample ? sample.heapUsed / MB : NaN,
            heapTotalMb: sample ? sample.heapTotal / MB : NaN,
            externalMb: sample ? sample.external / MB : NaN,
            loopP99Ms: sample ? sample.loopDelayP99Ms : NaN,
            loopMaxMs: sample ? sample.loopDelayMaxMs : NaN,
            simRssMb: treeRss(sim.child.pid!) / MB,
            sendLagMaxMs: w.sendLagMaxMs,
            loadAvg: loadavg()[0],
          };
          rows.push(row);
          process.stdout.write(
            `${new Date().toISOString()} #${row.minute} ok ${row.ok}/${row.sent} err ${row.errors} p50 ${f2(row.plainP50)} p99 ${f2(row.plainP99)} ` +
              `ttfb p99 ${f2(row.ttfbP99)} ms rss ${f1(row.rssMb)} heap ${f1(row.heapUsedMb)} MB loop max ${f1(row.loopMaxMs)} ms${row.errorKinds ? ` [${row.errorKinds}]` : ''}\n`,
          );
          writeReport(info, rows, false);
          if (m.last) done();
        })().catch(fail);
      });
      load.child.send({
        url: `${baseUrl}/openai/deployments/chat/chat/completions?api-version=2024-10-21`,
        keys,
        rate: settings.rate,
        streamShare: settings.streamShare,
        durationMs: settings.minutes * 60_000,
        sampleMs: settings.sampleSeconds * 1000,
      } satisfies LoadPlan);
    });

    // Graceful shutdown is part of the soak: SIGTERM and expect a clean exit.
    proxy.kill('SIGTERM');
    const exit = await new Promise<string>((done) => {
      const timer = setTimeout(() => {
        proxy.kill('SIGKILL');
        done('did not exit within 60 s (killed)');
      }, 60_000);
      proxy.once('exit', (code, signal) => {
        clearTimeout(timer);
        done(signal ? `signal ${signal}` : `code ${code}`);
      });
    });
    info.proxyExit = exit;
    writeReport(info, rows, true);
    const errors = rows.reduce((t, r) => t + r.errors, 0);
    process.stdout.write(`done: ${errors} errors; proxy ${exit}; report in ${join(settings.out, 'soak.md')}\n`);
    if (errors > 0 || exit !== 'code 0') process.exitCode = 1;
  } finally {
    stopAll();
    for (const c of children) if (c.connected) c.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
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
} else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
