/**
 * The benchmarks' load generator, run in a child process of its own so it never shares an event loop with
 * what it measures. Open loop (a fixed schedule whatever the answers do, each request timed from its
 * scheduled moment), closed loop (N clients back to back: the most a target serves), and hold (N streams
 * open at once: memory under concurrency). Keep-alive connections through undici; loopback hosts only.
 */
import { Agent, request } from 'undici';

export interface Target {
  url: string;
  /** Headers per request, used in turn (one set per attendee key, say). */
  headers: Record<string, string>[];
  body: string;
}

export type Job =
  | { kind: 'open'; target: Target; rate: number; durationMs: number; stream: boolean }
  | { kind: 'closed'; target: Target; concurrency: number; durationMs: number }
  | { kind: 'hold'; target: Target; count: number; rampMs: number };

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Summary {
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  /** Successful requests per second over the run. */
  achievedRps: number;
  /** Completion latency (open loop: from the scheduled send time), ms. */
  latency: Percentiles;
  /** Time to the first body byte, ms (streams). */
  ttfb?: Percentiles;
  /** Hold: the most streams open (headers in, not yet ended) at one moment. */
  maxOpen?: number;
}

export const REQUEST_TIMEOUT_MS = 10_000;
// Long enough for a target that queues streams behind a capped upstream pool to get through them all.
const HOLD_TIMEOUT_MS = 180_000;

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== '[::1]' && host !== 'localhost') throw new Error(`refusing to load a non-loopback host: ${host}`);
}

const errorText = (err: unknown) => (err instanceof Error ? (err.name === 'TimeoutError' ? 'timeout' : err.message) : String(err));

export class LoadGenerator {
  /** One request; resolves with its timings (from `t0`) or throws. `onHeaders` fires when the answer starts. */
  private async once(
    agent: Agent,
    target: Target,
    n: number,
    stream: boolean,
    t0: number,
    timeoutMs = REQUEST_TIMEOUT_MS,
    onHeaders?: () => void,
  ): Promise<{ ms: number; ttfbMs?: number }> {
    const res = await request(target.url, {
      method: 'POST',
      headers: target.headers[n % target.headers.length],
      body: target.body,
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    onHeaders?.();
    let ttfbMs: number | undefined;
    let tail = '';
    for await (const chunk of res.body) {
      ttfbMs ??= performance.now() - t0;
      tail = (tail + (chunk as Buffer).toString('utf8')).slice(-64);
    }
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${tail.slice(-48)}`);
    if (stream && !tail.includes('[DONE]')) throw new Error('stream ended without [DONE]');
    return { ms: performance.now() - t0, ttfbMs };
  }

  /** Open loop: sends on a fixed schedule whatever the answers do, timing each from its scheduled moment. */
  async open(job: Extract<Job, { kind: 'open' }>): Promise<Summary> {
    const agent = new Agent({ connections: 1024, keepAliveTimeout: 30_000, pipelining: 1 });
    const total = Math.max(1, Math.round((job.rate * job.durationMs) / 1000));
    const interval = 1000 / job.rate;
    const latencies: number[] = [];
    const ttfbs: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let finished = 0;
    let lastDone = 0;
    const start = performance.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      const fire = (n: number, scheduled: number) => {
        this.once(agent, job.target, n, job.stream, scheduled)
          .then(({ ms, ttfbMs }) => {
            latencies.push(ms);
            if (ttfbMs !== undefined) ttfbs.push(ttfbMs);
          })
          .catch((err: unknown) => {
            errors++;
            firstError ??= errorText(err);
          })
          .finally(() => {
            lastDone = performance.now();
            if (++finished === total) resolve();
          });
      };
      const tick = () => {
        const now = performance.now();
        while (sent < total && start + sent * interval <= now) fire(sent, start + sent++ * interval);
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      tick();
    });
    await agent.close();
    return {
      sent: total,
      ok: latencies.length,
      errors,
      firstError,
      // Over the scheduled span at least, so a run that answers a burst late does not look faster.
      achievedRps: latencies.length / (Math.max(lastDone - start, job.durationMs) / 1000),
      latency: percentiles(latencies),
      ...(job.stream ? { ttfb: percentiles(ttfbs) } : {}),
    };
  }

  /** Closed loop: N clients, each sending its next request as soon as the last one is answered. */
  async closed(job: Extract<Job, { kind: 'closed' }>): Promise<Summary> {
    const agent = new Agent({ connections: job.concurrency, keepAliveTimeout: 30_000, pipelining: 1 });
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let n = 0;
    const start = performance.now();
    const deadline = start + job.durationMs;
    const client = async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push((await this.once(agent, job.target, n++, false, performance.now())).ms);
        } catch (err) {
          errors++;
          firstError ??= errorText(err);
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, client));
    const elapsedS = (performance.now() - start) / 1000;
    await agent.close();
    return { sent: latencies.length + errors, ok: latencies.length, errors, firstError, achievedRps: latencies.length / elapsedS, latency: percentiles(latencies) };
  }

  /** Hold: `count` streams started evenly over `rampMs`, each on its own connection, read to the end. */
  async hold(job: Extract<Job, { kind: 'hold' }>): Promise<Summary> {
    const agent = new Agent({ connections: job.count, keepAliveTimeout: 5_000, pipelining: 1 });
    const latencies: number[] = [];
    const ttfbs: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let open = 0;
    let maxOpen = 0;
    const start = performance.now();
    const interval = job.rampMs / job.count;
    const runs: Promise<void>[] = [];
    for (let n = 0; n < job.count; n++) {
      const due = start + n * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      let counted = false;
      runs.push(
        this.once(agent, job.target, n, true, due, HOLD_TIMEOUT_MS, () => {
          counted = true;
          maxOpen = Math.max(maxOpen, ++open);
        })
          .then(({ ms, ttfbMs }) => {
            latencies.push(ms);
            if (ttfbMs !== undefined) ttfbs.push(ttfbMs);
          })
          .catch((err: unknown) => {
            errors++;
            firstError ??= errorText(err);
          })
          .finally(() => {
            if (counted) open--;
          }),
      );
    }
    await Promise.all(runs);
    const elapsedS = (performance.now() - start) / 1000;
    await agent.destroy();
    return {
      sent: job.count,
      ok: latencies.length,
      errors,
      firstError,
      achievedRps: latencies.length / elapsedS,
      latency: percentiles(latencies),
      ttfb: percentiles(ttfbs),
      maxOpen,
    };
  }

  run(job: Job): Promise<Summary> {
    assertLoopback(job.target.url);
    if (job.kind === 'open') return this.open(job);
    if (job.kind === 'closed') return this.closed(job);
    return this.hold(job);
  }
}

/** The child's side: answers each Job message with `{ ok, summary }` or `{ ok: false, error }`. */
export function runLoadChild(): void {
  const generator = new LoadGenerator();
  process.on('message', (job: Job) => {
    generator.run(job).then(
      (summary) => process.send!({ ok: true, summary }),
      (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true });
}
