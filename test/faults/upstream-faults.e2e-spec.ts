import type { IncomingMessage, ServerResponse } from 'node:http';
import { closedPortUrl, Pool, startPool, startRawBackend, type BackendSpec } from '../support/backends';
import { httpClient, type HttpClient } from '../support/http';
import { USER_HELLO } from '../support/proxy';
import { startTestApp, TestApp } from '../support/test-app';
import { usageRecords } from '../support/usage-records';

/**
 * Upstream fault suite: every kind of upstream misbehaviour, many requests each, streamed and not. The
 * client always gets the answer or an OpenAI-shaped error within the configured time budget, and every
 * request leaves exactly one usage record. Prints its counts (CI shows them in the log).
 */
const HEADERS_TIMEOUT_MS = 800;
const BODY_TIMEOUT_MS = 1_000;
const TOTAL_BUDGET_MS = 2_500;
/** Time a request may take beyond the budget: scheduling on a busy 2-core machine. */
const SLACK_MS = 1_500;
const PER_SCENARIO = 12;

interface Outcome {
  scenario: string;
  stream: boolean;
  status: number;
  ms: number;
  /** 'answer', or the error code the client saw. */
  result: string;
}

/** The error's code when `value` is OpenAI's error shape (message, type, code, param; extra fields allowed). */
function openAiError(value: unknown): string | undefined {
  const error = (value as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || typeof error !== 'object' || !('param' in error)) return undefined;
  if (typeof error.message !== 'string' || !error.message || typeof error.type !== 'string' || typeof error.code !== 'string') return undefined;
  return error.code;
}

/** Reads the answer and classifies it; throws when it is neither an answer nor an OpenAI-shaped error. */
function classify(status: number, contentType: string, text: string, stream: boolean): string {
  if (status !== 200) {
    const code = openAiError(JSON.parse(text));
    if (!code) throw new Error(`HTTP ${status} without an OpenAI error: ${text.slice(0, 200)}`);
    return code;
  }
  if (!stream) {
    const body = JSON.parse(text) as { choices?: unknown[] };
    if (!Array.isArray(body.choices) || body.choices.length === 0) throw new Error(`200 without choices: ${text.slice(0, 200)}`);
    return 'answer';
  }
  if (!contentType.includes('text/event-stream')) throw new Error(`stream answered ${contentType}`);
  const events = text.split('\n\n').filter(Boolean);
  const last = events[events.length - 1] ?? '';
  if (last.trim() === 'data: [DONE]') return 'answer';
  const code = last.startsWith('data: ') ? openAiError(JSON.parse(last.slice(6))) : undefined;
  if (!code) throw new Error(`stream ended with neither [DONE] nor an error event: ${last.slice(0, 200)}`);
  return code;
}

describe('fault suite: upstream faults', () => {
  let t: TestApp;
  let http: HttpClient;
  const closers: (() => Promise<void>)[] = [];
  const outcomes: Outcome[] = [];
  const expectedRecords = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        UPSTREAM_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        UPSTREAM_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
        UPSTREAM_TOTAL_BUDGET_MS: String(TOTAL_BUDGET_MS),
        UPSTREAM_CONNECT_TIMEOUT_MS: '500',
        BREAKER_FAILURE_THRESHOLD: '3',
        BREAKER_OPEN_MS: '500',
      },
    });
    http = httpClient(t.url);
  });

  afterAll(async () => {
    const table = new Map<string, number>();
    for (const o of outcomes) table.set(`${o.scenario} | ${o.stream ? 'stream' : 'json'} | ${o.status} ${o.result}`, (table.get(`${o.scenario} | ${o.stream ? 'stream' : 'json'} | ${o.status} ${o.result}`) ?? 0) + 1);
    const lines = [...table].map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`);
    const slowest = Math.max(0, ...outcomes.map((o) => o.ms));
    process.stdout.write(
      `\nFAULT SUITE (upstream): ${outcomes.length} requests, ${[...expectedRecords.values()].reduce((a, b) => a + b, 0)} usage records checked, slowest ${slowest} ms\n${lines.join('\n')}\n`,
    );
    await Promise.all(closers.map((c) => c()));
    await t?.close();
  });

  async function pool(specs: BackendSpec[]): Promise<Pool> {
    const p = await startPool(http, specs);
    closers.push(() => p.close());
    return p;
  }

  /** A hand-written upstream; `handler` learns whether the proxied request asked for a stream. */
  async function raw(handler: (res: ServerResponse, stream: boolean) => void): Promise<string> {
    const backend = await startRawBackend((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(res, /"stream":\s*true/.test(body)));
    });
    closers.push(() => backend.close());
    return backend.url;
  }

  async function one(scenario: string, p: Pool, stream: boolean): Promise<Outcome> {
    const started = performance.now();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: p.deployment, messages: USER_HELLO, stream }),
    });
    const text = await res.text();
    const ms = Math.round(performance.now() - started);
    const result = classify(res.status, res.headers.get('content-type') ?? '', text, stream);
    const outcome = { scenario, stream, status: res.status, ms, result };
    outcomes.push(outcome);
    return outcome;
  }

  /** PER_SCENARIO concurrent requests, half streamed; checks time and shape, then counts the usage records. */
  async function storm(scenario: string, p: Pool, limitMs = TOTAL_BUDGET_MS + BODY_TIMEOUT_MS + SLACK_MS): Promise<Outcome[]> {
    const results = await Promise.all(Array.from({ length: PER_SCENARIO }, (_, i) => one(scenario, p, i % 2 === 1)));
    for (const r of results) expect({ scenario, ms: r.ms, ok: r.ms <= limitMs }).toEqual({ scenario, ms: r.ms, ok: true });
    expectedRecords.set(p.eventId, PER_SCENARIO);
    const rows = await usageRecords(t, http, p.eventId, PER_SCENARIO);
    expect(rows).toHaveLength(PER_SCENARIO);
    return results;
  }

  const results = (rs: Outcome[]) => new Set(rs.map((r) => `${r.status} ${r.result}`));

  it('answers a 429 storm on every backend with 429 upstream_rate_limited', async () => {
    const always429 = { fail_next: [{ status: 429, count: 100_000, retry_after_ms: 300 }] };
    const p = await pool([{ simulator: { faults: always429 } }, { simulator: { faults: always429 } }]);
    expect(results(await storm('429 storm', p))).toEqual(new Set(['429 upstream_rate_limited']));
  });

  it('answers 500s from the only backend with 503, never passing the 500 through', async () => {
    const p = await pool([{ simulator: { faults: { fail_next: [{ status: 500, count: 100_000 }] } } }]);
    expect(results(await storm('500s', p))).toEqual(new Set(['503 upstream_unavailable']));
  });

  it('serves every request from the healthy backend while the preferred one answers 503', async () => {
    const p = await pool([{ priority: 0, simulator: { faults: { fail_next: [{ status: 503, count: 100_000 }] } } }, { priority: 1 }]);
    expect(results(await storm('503 + failover', p))).toEqual(new Set(['200 answer']));
  });

  it('answers 503 quickly when the backend refuses connections', async () => {
    const p = await pool([{ endpointUrl: await closedPortUrl() }]);
    expect(results(await storm('connection refused', p, TOTAL_BUDGET_MS + SLACK_MS))).toEqual(new Set(['503 upstream_unavailable']));
  });

  it('answers 504 when the backend sends no headers before UPSTREAM_HEADERS_TIMEOUT_MS', async () => {
    const url = await raw(() => undefined);
    const p = await pool([{ endpointUrl: url }]);
    const rs = await storm('no headers (timeout)', p, TOTAL_BUDGET_MS + SLACK_MS);
    // Once the breaker opens, later requests are refused at once as an outage (503) instead of waiting.
    for (const r of rs) expect(['504 upstream_timeout', '503 upstream_unavailable']).toContain(`${r.status} ${r.result}`);
    expect(results(rs)).toContain('504 upstream_timeout');
  });

  it('relays slow answers and slow streams whole', async () => {
    const p = await pool([{ simulator: { replyText: 'one two three four five six', faults: { latency_ms: 300, ttft_ms: 200, inter_chunk_ms: 150 } } }]);
    expect(results(await storm('slow streams', p))).toEqual(new Set(['200 answer']));
  });

  it('ends a stream that stalls mid-way with an error event after UPSTREAM_BODY_TIMEOUT_MS', async () => {
    const url = await raw((res, stream) => {
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      res.write('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n');
    });
    const p = await pool([{ endpointUrl: url }]);
    const rs = await storm('stall mid-stream', p);
    for (const r of rs) expect(r.stream ? ['200 upstream_stream_interrupted'] : ['504 upstream_timeout']).toContain(`${r.status} ${r.result}`);
  });

  it('ends a stream whose connection resets mid-way with an error event, and fails over a reset before headers', async () => {
    const p = await pool([{ priority: 0, simulator: { faults: { drop_after: 2 } } }, { priority: 1 }]);
    const rs = await storm('reset mid-stream', p);
    // Streams cannot fail over after the first byte; a non-streamed request dropped unanswered can.
    for (const r of rs) expect(`${r.status} ${r.result}`).toBe(r.stream ? '200 upstream_stream_interrupted' : '200 answer');
  });

  it('ends a stream with an upstream error event as an error, not as a success', async () => {
    const p = await pool([{ simulator: { faults: { stream_error_after: 2 } } }]);
    const rs = await storm('stream error event', p);
    for (const r of rs.filter((x) => x.stream)) expect(r.result).not.toBe('answer');
  });

  it('answers an api-version the upstream does not offer with 404, without opening the backend breaker', async () => {
    const answer = { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    const backend = await startRawBackend((req, res) => {
      const unsupported = (req.url ?? '').includes('api-version=1999-01-01');
      res.writeHead(unsupported ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(unsupported ? { error: { code: 'NotFound', message: 'Resource not found' } } : answer));
    });
    closers.push(() => backend.close());
    const p = await pool([{ endpointUrl: backend.url }]);
    const azure = (version: string) =>
      fetch(`${t.url}/openai/deployments/${p.deployment}/chat/completions?api-version=${version}`, {
        method: 'POST',
        headers: { 'api-key': p.key, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: USER_HELLO }),
      });
    // Twice the breaker threshold: were a 404 a backend failure, the breaker would now be open.
    for (let i = 0; i < 6; i++) {
      const res = await azure('1999-01-01');
      const body = (await res.json()) as unknown;
      expect({ status: res.status, code: openAiError(body) }).toEqual({ status: 404, code: 'DeploymentNotFound' });
    }
    const ok = await azure('2024-10-21');
    expect(ok.status).toBe(200);
    expect(await usageRecords(t, http, p.eventId, 7)).toHaveLength(7);
  });

  it('turns malformed SSE and malformed JSON into OpenAI-shaped errors', async () => {
    const url = await raw((res, stream) => {
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {not json\n\nevent: odd\nretry: x\n\n: comment only\n\ndata: {"choices": 7}\n\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-1", "choices": [');
      }
    });
    const p = await pool([{ endpointUrl: url }]);
    const rs = await storm('malformed SSE/JSON', p);
    for (const r of rs) expect(`${r.status} ${r.result}`).toBe(r.stream ? '200 upstream_stream_interrupted' : '502 upstream_malformed_response');
  });
});
