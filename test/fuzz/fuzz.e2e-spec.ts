import { randomInt } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { registerAttendee, seedEvent } from '../support/factories';
import { httpClient, type HttpClient } from '../support/http';
import { builtinResource } from '../support/proxy';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { API_VERSIONS, HOSTILE_SEGMENTS, hostileBody, hostileMultipart, prng, RAW_REQUESTS, rawRequest, type Prng } from './fuzz-support';

/**
 * Fuzz suite: at least 10,000 generated malformed or hostile requests across every route of the OpenAPI
 * document plus the proxy, WebSocket and unknown routes. Zero 5xx, zero crashes, flat memory; the
 * counts by status are printed. FUZZ_SEED=<n> replays a run (the seed is printed); FUZZ_REQUESTS sets the count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
/** The heap is compared between this many requests and the end. */
const WARMUP = Math.min(2_000, Math.floor(TOTAL / 5));
/** Heap growth allowed between the sample after warm-up and the end (generous: this is a leak detector). */
const HEAP_GROWTH_LIMIT_MB = 96;

interface Route {
  method: string;
  path: string;
}

/** `key` belongs to a protected event; path parameters name a second event's ids, which admin routes may change or delete. */
interface Ctx {
  eventId: string;
  attendeeId: string;
  resourceId: string;
  key: string;
}

/** Forces a full collection so heap samples compare live data, not garbage awaiting collection. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const DEPLOYMENTS = ['chat', 'embed', 'whisper', 'tts', 'images', 'docs', 'rt', 'nope', 'gpt-4o'];

function fillPath(r: Prng, template: string, ctx: Ctx): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (r.chance(0.45)) return r.pick(HOSTILE_SEGMENTS);
    if (/deployment|index|model/i.test(name)) return r.pick(DEPLOYMENTS);
    if (/event/i.test(name) || name === 'id') return r.pick([ctx.eventId, ctx.resourceId, ctx.attendeeId, 'ev-missing']);
    if (/resource/i.test(name)) return ctx.resourceId;
    if (/attendee/i.test(name)) return ctx.attendeeId;
    return r.pick([ctx.eventId, ctx.attendeeId, 'x']);
  });
}

function query(r: Prng): string {
  const parts: string[] = [];
  if (r.chance(0.6)) parts.push(`api-version=${r.pick(API_VERSIONS)}`);
  if (r.chance(0.15)) parts.push(`api-version=${r.pick(API_VERSIONS)}`);
  if (r.chance(0.1)) parts.push(`${r.pick(['from', 'to', 'group', 'search', '$top', 'key', 'api-key', 'deployment', 'model'])}=${r.pick(HOSTILE_SEGMENTS)}`);
  if (r.chance(0.05)) parts.push('%zz=%zz');
  if (r.chance(0.03)) parts.push('a'.repeat(10_000));
  return parts.length ? `?${parts.join('&')}` : '';
}

function authHeaders(r: Prng, ctx: Ctx): Record<string, string> {
  switch (r.int(7)) {
    case 0:
      return { 'api-key': ctx.key };
    case 1:
      return { authorization: `Bearer ${ctx.key}` };
    case 2:
      return { authorization: `Bearer ${ADMIN_TOKEN}` };
    case 3:
      return {};
    case 4:
      return { 'api-key': `aip_${r.text(40)}` };
    case 5:
      return { authorization: r.pick(['Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(8_000)}`, 'Bearer \u00ff\u00fe', `bearer  ${ctx.key} extra`]) };
    default:
      return { 'api-key': ctx.key, authorization: `Bearer ${ADMIN_TOKEN}` };
  }
}

describe('fuzz suite: hostile requests on every route', () => {
  let t: TestApp;
  let http: HttpClient;
  let ctx: Ctx;
  let routes: Route[];
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000, headersTimeout: 60_000, bodyTimeout: 60_000 });

  beforeAll(async () => {
    // A small body limit makes "too large" cheap to provoke; uploads have their own 25 MB limit.
    t = await startTestApp({ env: { BODY_LIMIT_BYTES: String(1024 * 1024), LOG_LEVEL: 'warn' } });
    http = httpClient(t.url);
    const seeded = await seedEvent(http, { dailyRequestCap: 1_000_000, maxRealtimeSessions: 1_000 }, [
      builtinResource({ deploymentName: 'chat' }),
      builtinResource({ deploymentName: 'embed', modelClass: 'openai-embeddings' }),
      builtinResource({ deploymentName: 'whisper', modelClass: 'openai-audio-transcription' }),
      builtinResource({ deploymentName: 'tts', modelClass: 'openai-audio-speech' }),
      builtinResource({ deploymentName: 'images', modelClass: 'openai-dall-e-3' }),
      builtinResource({ deploymentName: 'rt', modelClass: 'openai-realtime' }),
    ]);
    const key = (await registerAttendee(http, seeded.event.id)).apiKey;
    const victim = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
    const victimAttendee = await registerAttendee(http, victim.event.id);
    ctx = { eventId: victim.event.id, attendeeId: victimAttendee.attendeeId, resourceId: victim.resources[0].id, key };
    const doc = (await http.get<{ paths: Record<string, Record<string, unknown>> }>('/docs/json')).body;
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    // Routes the document leaves out or cannot name, and some that do not exist.
    routes.push(
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/healthz' },
      { method: 'GET', path: '/readyz' },
      { method: 'GET', path: '/openai/v1/realtime' },
      { method: 'GET', path: '/openai/realtime' },
      { method: 'POST', path: '/openai/deployments/{deployment}/unknown/op' },
      { method: 'POST', path: '/v1/{deployment}' },
      { method: 'GET', path: '/api/v1/admin/../../etc/passwd' },
      { method: 'PUT', path: '/v1/chat/completions' },
      { method: 'OPTIONS', path: '/v1/chat/completions' },
      { method: 'HEAD', path: '/api/v1/admin/events' },
      { method: 'DELETE', path: '/v1/models/{model}' },
      { method: 'GET', path: '/{id}' },
    );
  }, 60_000);

  afterAll(async () => {
    await agent.close();
    await t?.close();
  });

  it(`answers ${TOTAL} hostile requests with no 5xx, no crash and a flat heap`, async () => {
    process.stdout.write(`\nFUZZ SUITE: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${TOTAL} requests over ${routes.length} routes\n`);
    const r = prng(SEED);
    const byStatus = new Map<number, number>();
    const byLabel = new Map<string, Map<number, number>>();
    const serverErrors: string[] = [];
    const noAnswer: string[] = [];
    const tally = (label: string, status: number) => {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const m = byLabel.get(label) ?? new Map<number, number>();
      m.set(status, (m.get(status) ?? 0) + 1);
      byLabel.set(label, m);
    };
    const port = Number(new URL(t.url).port);
    const checkpoints: { n: number; ms: number; cpuMs: number }[] = [];
    const cpuAtStart = process.cpuUsage();
    const started = performance.now();
    let heapAfterWarmup = 0;
    let issued = 0;
    let done = 0;

    const one = async (i: number) => {
      const route = r.pick(routes);
      const path = fillPath(r, route.path, ctx) + query(r);
      const model = r.pick(DEPLOYMENTS);
      if (r.chance(0.03)) {
        const raw = r.pick(RAW_REQUESTS);
        const status = await rawRequest(port, raw.build(path.startsWith('/') ? path : `/${path}`));
        tally(raw.label, status);
        if (status >= 500) serverErrors.push(`#${i} ${raw.label} ${path} -> ${status}`);
        return;
      }
      const headers: Record<string, string> = { ...authHeaders(r, ctx) };
      let label = 'no-body';
      let body: Buffer | string | undefined;
      const method = r.chance(0.05) ? r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) : route.method;
      if (method === 'OPTIONS' && r.chance(0.5)) Object.assign(headers, { origin: 'https://x.example', 'access-control-request-method': 'POST' });
      if (['POST', 'PUT', 'PATCH'].includes(method) || r.chance(0.05)) {
        if (/audio\/(transcriptions|translations)/.test(route.path) && r.chance(0.7)) {
          const m = hostileMultipart(r, model);
          ({ label, body } = m);
          headers['content-type'] = m.contentType;
        } else {
          const b = hostileBody(r, model);
          ({ label, body } = b);
          headers['content-type'] = b.contentType ?? r.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON']);
        }
      }
      if (r.chance(0.02)) headers['x-request-id'] = r.pick(['../../x', 'a'.repeat(500), '\u00ff', 'ok-id']);
      if (r.chance(0.02)) headers['content-encoding'] = r.pick(['gzip', 'br', 'deflate', 'x']);
      try {
        const res = await request(`${t.url}${path.startsWith('/') ? path : `/${path}`}`, { method: method as 'GET', headers, body, dispatcher: agent });
        const text = await res.body.text();
        tally(label, res.statusCode);
        if (res.statusCode >= 500) serverErrors.push(`#${i} ${method} ${path.slice(0, 200)} [${label}] -> ${res.statusCode} ${text.slice(0, 300)}`);
      } catch (err) {
        tally(label, 0);
        noAnswer.push(`#${i} ${method} ${path.slice(0, 200)} [${label}] -> ${(err as Error).message}`);
      }
    };

    const worker = async () => {
      while (issued < TOTAL) {
        const i = issued++;
        await one(i);
        done++;
        if (done % 1000 === 0) {
          const cpu = process.cpuUsage(cpuAtStart);
          checkpoints.push({ n: done, ms: Math.round(performance.now() - started), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
        }
        if (done === WARMUP) heapAfterWarmup = heapMb();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const oversize = await oversizeUploads(r);
    for (const [label, status] of oversize) tally(label, status);
    const ws = await webSocketGarbage(r, port);
    for (const [label, status] of ws) tally(label, status);

    const heapEnd = heapMb();
    const alive = await fetch(`${t.url}/healthz`).then((res) => res.status);
    const unhandled = t.logs.filter((l) => l.includes('Unhandled error')).length;
    const elapsed = Math.round(performance.now() - started);
    const statusLine = [...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s || 'no-answer'}: ${n}`).join(', ');
    const labelLines = [...byLabel]
      .sort()
      .map(([label, m]) => `  ${label.padEnd(26)} ${[...m].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s || 'none'}×${n}`).join(' ')}`);
    // Wall time and this process's CPU time per 1000: wall growing while CPU stays flat means the machine, not the app.
    const rate = checkpoints
      .map((c, i) => `${c.n}: ${((c.ms - (checkpoints[i - 1]?.ms ?? 0)) / 1000).toFixed(1)}s wall/${((c.cpuMs - (checkpoints[i - 1]?.cpuMs ?? 0)) / 1000).toFixed(1)}s cpu`)
      .join(', ');
    process.stdout.write(
      `FUZZ SUITE: ${[...byStatus.values()].reduce((a, b) => a + b, 0)} requests in ${elapsed} ms (seed ${SEED}); by status: ${statusLine}\n` +
        `FUZZ SUITE: 5xx: ${serverErrors.length}, no answer: ${noAnswer.length}, unhandled errors logged: ${unhandled}, heap ${heapAfterWarmup.toFixed(1)} MB after ${WARMUP} -> ${heapEnd.toFixed(1)} MB at the end\n` +
        `FUZZ SUITE: time per 1000: ${rate}\n${labelLines.join('\n')}\n` +
        (serverErrors.length ? `FUZZ SUITE 5xx:\n${serverErrors.slice(0, 20).join('\n')}\n` : '') +
        (noAnswer.length ? `FUZZ SUITE no answer:\n${noAnswer.slice(0, 20).join('\n')}\n` : ''),
    );

    expect(serverErrors).toEqual([]);
    // Connections the client library saw dropped: only an upload refused mid-way may be cut.
    expect(noAnswer).toEqual([]);
    expect(unhandled).toBe(0);
    expect(alive).toBe(200);
    expect(heapEnd - heapAfterWarmup).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    expect([...byStatus.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(TOTAL);
  }, 240_000);

  it('answers an OPTIONS request that is not a CORS preflight in the route family error shape, not plain text', async () => {
    const proxy = await request(`${t.url}/v1/chat/completions`, { method: 'OPTIONS', dispatcher: agent });
    expect({ status: proxy.statusCode, type: proxy.headers['content-type'] }).toEqual({ status: 400, type: expect.stringContaining('application/json') });
    expect(await proxy.body.json()).toEqual({ error: expect.objectContaining({ code: 'validation_failed', type: 'invalid_request_error', message: expect.any(String), param: null }) });
    const admin = await request(`${t.url}/api/v1/admin/events`, { method: 'OPTIONS', headers: { origin: 'https://x.example' }, dispatcher: agent });
    expect(admin.statusCode).toBe(400);
    expect(await admin.body.json()).toEqual(expect.objectContaining({ code: 'validation_failed', message: expect.any(String), requestId: expect.any(String) }));
  });

  /** Uploads over the 25 MB audio limit: refused with 413 (or the connection cut once the drain limit is passed). */
  async function oversizeUploads(r: Prng): Promise<[string, number][]> {
    const out: [string, number][] = [];
    for (const path of ['/v1/audio/transcriptions', '/openai/deployments/whisper/audio/translations?api-version=2024-10-21']) {
      const boundary = `----big${r.int(1e9)}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
        Buffer.alloc(26 * 1024 * 1024),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await request(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'api-key': ctx.key, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        dispatcher: agent,
      });
      await res.body.text();
      out.push(['oversize-upload', res.statusCode]);
    }
    return out;
  }

  /** Realtime handshakes with hostile keys and paths, then garbage frames on sessions that open. */
  async function webSocketGarbage(r: Prng, port: number): Promise<[string, number][]> {
    const out: [string, number][] = [];
    const paths = ['/openai/v1/realtime?model=rt', '/openai/realtime?api-version=2025-04-01-preview&deployment=rt', '/v1/realtime?model=rt', '/openai/v1/realtime?model=../../x', '/openai/v1/realtime', '/nowhere'];
    for (let i = 0; i < 40; i++) {
      const path = r.pick(paths);
      const key = r.chance(0.7) ? ctx.key : `aip_${r.text(20)}`;
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { 'api-key': key } });
        socket.on('unexpected-response', (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        socket.on('error', () => resolve(0));
        socket.on('open', () => {
          for (let f = 0; f < 20; f++) {
            const kind = r.int(5);
            if (kind === 0) socket.send(r.bytes(r.int(4096)));
            else if (kind === 1) socket.send(`{"type":"${r.text(10)}"`);
            else if (kind === 2) socket.send(JSON.stringify({ type: 'session.update', session: { instructions: 'x'.repeat(r.int(100_000)), voice: 5 } }));
            else if (kind === 3) socket.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: '!!notbase64!!' }));
            else socket.send(JSON.stringify([1, 2, 3]));
          }
          // Garbage at the frame level: a reserved opcode the server must refuse with a close, not a crash.
          const rawSocket = (socket as unknown as { _socket: import('node:net').Socket })._socket;
          rawSocket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
          socket.on('close', () => resolve(101));
          setTimeout(() => socket.terminate(), 500);
        });
      });
      out.push(['websocket', status]);
    }
    return out;
  }
});
