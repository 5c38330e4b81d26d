/**
 * Realtime relay benchmark: N concurrent WebSocket sessions through the proxy to a simulated upstream,
 * each streaming audio up and receiving audio and transcript deltas back, checked frame by frame for
 * loss, with the proxy's memory measured while they are open.
 *
 *   npm run build && node dist/bench/realtime-sessions.js [--sessions 200] [--turns 5] [--per-attendee 10]
 *
 * Two processes, so the proxy's memory is its own: this one runs the proxy (createApp; PGlite in a temp
 * DATA_DIR, or DATABASE_URL), a child runs the simulator and the `ws` clients. With `node --expose-gc`
 * the figures are taken after a collection.
 */
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory';
import { createPinoLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/app-config';
import { RealtimeGateway } from '../src/realtime/realtime.gateway';
import { startSimulator } from '../src/simulator/simulator.app';
import { UsageService } from '../src/usage/usage.service';

interface Settings {
  sessions: number;
  turns: number;
  perAttendee: number;
}

function readSettings(argv: string[]): Settings {
  const flag = (name: string, fallback: number, max: number): number => {
    const i = argv.indexOf(`--${name}`);
    const raw = i >= 0 ? argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max} (got ${raw})`);
    return value;
  };
  return { sessions: flag('sessions', 200, 5_000), turns: flag('turns', 5, 100), perAttendee: flag('per-attendee', 10, 1_000) };
}

/** 0.5 s of 24 kHz PCM16 per turn, sent as four appends. */
const AUDIO_FRAMES_PER_TURN = 4;
const AUDIO_FRAME = Buffer.alloc(6_000).toString('base64');
const SIM_KEY = 'bench-realtime-upstream-key';

type ToChild = { kind: 'run'; proxyUrl: string; keys: string[]; settings: Settings } | { kind: 'go' };
type FromChild =
  | { kind: 'sim'; url: string }
  | { kind: 'opened'; ms: number }
  | { kind: 'result'; result: ClientResult };

interface ClientResult {
  sessions: number;
  failedSessions: number;
  firstFailure?: string;
  responses: number;
  framesUp: number;
  framesDown: number;
  bytesUp: number;
  bytesDown: number;
  lossDetected: number;
  tokens: number;
  conversationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Child: simulator + clients

interface Turn {
  audioDeltas: number;
  transcriptDeltas: number;
  transcript: string;
}

class Session {
  private readonly ws: WebSocket;
  private readonly waiters: (() => void)[] = [];
  readonly events: { type: string; [k: string]: unknown }[] = [];
  framesUp = 0;
  bytesUp = 0;
  framesDown = 0;
  bytesDown = 0;

  constructor(url: string, key: string) {
    this.ws = new WebSocket(url, ['realtime'], { headers: { 'api-key': key }, perMessageDeflate: false });
    this.ws.on('message', (data: Buffer) => {
      this.framesDown++;
      this.bytesDown += data.length;
      this.events.push(JSON.parse(data.toString('utf8')) as { type: string });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  send(event: object): void {
    const text = JSON.stringify(event);
    this.framesUp++;
    this.bytesUp += Buffer.byteLength(text);
    this.ws.send(text);
  }

  async until(type: string, count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.filter((e) => e.type === type).length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count}× ${type}`);
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`socket closed while waiting for ${type}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
    }
  }

  /** One turn: half a second of audio up, an audio answer with its transcript down. */
  async turn(n: number): Promise<Turn> {
    for (let i = 0; i < AUDIO_FRAMES_PER_TURN; i++) this.send({ type: 'input_audio_buffer.append', audio: AUDIO_FRAME });
    this.send({ type: 'input_audio_buffer.commit' });
    this.send({ type: 'response.create' });
    await this.until('response.done', n);
    const start = this.events.findLastIndex((e) => e.type === 'response.created');
    const events = this.events.slice(start);
    return {
      audioDeltas: events.filter((e) => e.type === 'response.output_audio.delta').length,
      transcriptDeltas: events.filter((e) => e.type === 'response.output_audio_transcript.delta').length,
      transcript: events.filter((e) => e.type === 'response.output_audio_transcript.delta').map((e) => e.delta as string).join(''),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'bench done');
    });
  }
}

async function child(): Promise<void> {
  const sim = await startSimulator({ apiKey: SIM_KEY, port: 0, host: '127.0.0.1' });
  const send = (message: FromChild) => process.send?.(message);
  send({ kind: 'sim', url: sim.url });
  const run = await new Promise<Extract<ToChild, { kind: 'run' }>>((resolve) => process.once('message', (m: ToChild) => m.kind === 'run' && resolve(m)));
  const { sessions: count, turns } = run.settings;
  const url = `${run.proxyUrl.replace(/^http/, 'ws')}/openai/v1/realtime?model=gpt-realtime`;

  const t0 = performance.now();
  const sessions = Array.from({ length: count }, (_, i) => new Session(url, run.keys[Math.floor(i / run.settings.perAttendee)]!));
  const opened = await Promise.allSettled(sessions.map((s) => s.opened()));
  const failures = opened.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  const live = sessions.filter((_, i) => opened[i]?.status === 'fulfilled');
  await Promise.all(live.map((s) => s.until('session.created', 1)));
  send({ kind: 'opened', ms: performance.now() - t0 });
  await new Promise<void>((resolve) => process.once('message', (m: ToChild) => m.kind === 'go' && resolve()));

  let lossDetected = 0;
  let responses = 0;
  let tokens = 0;
  const c0 = performance.now();
  await Promise.all(
    live.map(async (s) => {
      try {
        s.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['audio'] } });
        for (let n = 1; n <= turns; n++) {
          const turn = await s.turn(n);
          responses++;
          // Every appended frame must reach the upstream (0.5 s committed) and every delta come back.
          const expected = 'echo: [audio 0.5s]';
          if (turn.transcript !== expected || turn.audioDeltas !== turn.transcriptDeltas || turn.audioDeltas !== 3) lossDetected++;
        }
        type Done = { response: { usage: { total_tokens: number; input_token_details: { audio_tokens: number } } } };
        const dones = s.events.filter((e) => e.type === 'response.done') as unknown as Done[];
        // Input audio tokens grow by 5 per turn (0.5 s at 10 tokens/s) only if no append was lost.
        if (dones.some((d, i) => d.response.usage.input_token_details.audio_tokens !== 5 * (i + 1))) lossDetected++;
        tokens += dones.reduce((sum, d) => sum + d.response.usage.total_tokens, 0);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }),
  );
  const conversationMs = performance.now() - c0;
  await Promise.all(live.map((s) => s.close()));
  const sum = (f: (s: Session) => number) => live.reduce((acc, s) => acc + f(s), 0);
  send({
    kind: 'result',
    result: {
      sessions: count,
      failedSessions: failures.length,
      firstFailure: failures[0],
      responses,
      framesUp: sum((s) => s.framesUp),
      framesDown: sum((s) => s.framesDown),
      bytesUp: sum((s) => s.bytesUp),
      bytesDown: sum((s) => s.bytesDown),
      lossDetected,
      tokens,
      conversationMs,
    },
  });
  await sim.close();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Parent: the proxy

function waitFor<T extends FromChild['kind']>(proc: ChildProcess, kind: T): Promise<Extract<FromChild, { kind: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.kind !== kind) return;
      proc.off('message', onMessage);
      resolve(m as Extract<FromChild, { kind: T }>);
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`the client process exited (${code}) before '${kind}'`)));
  });
}

const MB = 1024 * 1024;
function memory(): { rssMb: number; heapMb: number; externalMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapMb: m.heapUsed / MB, externalMb: (m.external + m.arrayBuffers) / MB };
}

async function parent(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-bench-rt-'));
  const admin = 'bench-admin-token-0123456789abcdef';
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_TOKEN: admin,
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef0123456789',
    LOG_LEVEL: 'warn',
    SIMULATOR_ENABLED: 'false',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const { app } = await createApp(config, createPinoLogger('warn'));
  const proc = fork(__filename, ['--child'], { stdio: 'inherit', execArgv: [] });
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const simUrl = (await waitFor(proc, 'sim')).url;

    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(proxyUrl + path, {
        method,
        headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const event = await api<{ id: string }>('POST', '/api/v1/admin/events', {
      id: 'bench-realtime',
      name: 'Realtime bench',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      maxRealtimeSessions: settings.perAttendee,
      dailyRequestCap: 100_000,
    });
    const resource = await api<{ id: string }>('POST', '/api/v1/admin/resources', {
      name: 'Realtime (simulated)',
      deploymentName: 'gpt-realtime',
      modelClass: 'openai-realtime',
      upstream: 'azure',
      endpointUrl: simUrl,
      apiKey: SIM_KEY,
    });
    await api('PUT', `/api/v1/admin/events/${event.id}/resources/${resource.id}`);
    const keys: string[] = [];
    for (let i = 0; i < Math.ceil(settings.sessions / settings.perAttendee); i++) {
      keys.push((await api<{ apiKey: string }>('POST', `/api/v1/events/${event.id}/attendees`, { name: `Bench ${i}`, email: `bench-${i}@example.com` })).apiKey);
    }

    const base = memory();
    let peak = base;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss / MB > peak.rssMb) peak = { rssMb: m.rss / MB, heapMb: m.heapUsed / MB, externalMb: (m.external + m.arrayBuffers) / MB };
    }, 25);
    proc.send({ kind: 'run', proxyUrl, keys, settings } satisfies ToChild);
    const opened = await waitFor(proc, 'opened');
    const gateway = app.get(RealtimeGateway);
    const openMem = memory();
    const openCount = gateway.openSessions;
    proc.send({ kind: 'go' } satisfies ToChild);
    const { result } = await waitFor(proc, 'result');
    clearInterval(sampler);
    const deadline = Date.now() + 5_000;
    while (gateway.openSessions > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await app.get(UsageService).flush();
    const report = await api<{ totals: { requests: number; totalTokens: number } }>('GET', `/api/v1/admin/events/${event.id}/usage`);
    const after = memory();

    const perSession = (field: 'rssMb' | 'heapMb' | 'externalMb') => (((openMem[field] - base[field]) * 1024) / Math.max(1, openCount)).toFixed(1);
    const lines = [
      '',
      `Realtime relay: ${settings.sessions} concurrent sessions × ${settings.turns} turns (0.5 s audio up, audio + transcript down), database ${config.database.kind}`,
      `  opened           ${openCount} of ${settings.sessions} at once in ${opened.ms.toFixed(0)} ms; failed ${result.failedSessions}${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}`,
      `  relayed          ${result.responses} responses in ${(result.conversationMs / 1000).toFixed(2)} s; frames up ${result.framesUp} (${(result.bytesUp / MB).toFixed(1)} MB), down ${result.framesDown} (${(result.bytesDown / MB).toFixed(1)} MB)`,
      `  loss             ${result.lossDetected === 0 ? 'none' : `${result.lossDetected} sessions/turns with missing or altered frames`} (every append reached the upstream, every delta came back)`,
      `  metered          ${report.totals.requests} usage records, ${report.totals.totalTokens} tokens (clients saw ${result.tokens})`,
      `  proxy memory     before ${base.rssMb.toFixed(0)} MB RSS / ${base.heapMb.toFixed(1)} MB heap; ${openCount} idle sessions open ${openMem.rssMb.toFixed(0)} MB RSS / ${openMem.heapMb.toFixed(1)} MB heap` +
        `; peak during traffic ${peak.rssMb.toFixed(0)} MB RSS; after close ${after.rssMb.toFixed(0)} MB RSS / ${after.heapMb.toFixed(1)} MB heap`,
      `  per open session ${perSession('heapMb')} KB heap + ${perSession('externalMb')} KB buffers, ${perSession('rssMb')} KB RSS`,
      (globalThis as { gc?: unknown }).gc ? '' : '  (run with node --expose-gc for post-collection figures)',
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const ok = result.failedSessions === 0 && result.lossDetected === 0 && report.totals.totalTokens === result.tokens && openCount === settings.sessions;
    process.exitCode = ok ? 0 : 1;
  } finally {
    proc.kill();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) void child();
else
  parent().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
