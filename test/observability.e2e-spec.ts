import { createServer, type Server } from 'node:http';
import { MetricsServer } from '../src/observability/metrics.server';
import { Pool, startPool } from './support/backends';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, type HttpClient } from './support/http';
import { waitFor } from './support/proxy';
import { closedPortUrl, RealtimeClient, realtimeBuiltin, type RealtimeResponse, TEXT_ONLY_GA, wsUrl } from './support/realtime';
import { startTestApp, TestApp } from './support/test-app';

/** OTLP/HTTP JSON as the exporter sends it (only the parts the test reads). */
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const SERVER = 2;
const CLIENT = 3;
const PROMPT = 'the secret ingredient is cardamom-7731';
const RT = 'rt-obs';

function attrs(span: OtlpSpan): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries(
    span.attributes.map(({ key, value }) => [key, value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue))]),
  );
}

/** A loopback OTLP/HTTP receiver: collects every export the app sends to /v1/traces. */
async function startReceiver(): Promise<{ url: string; exports: OtlpExport[]; raw: string[]; close(): Promise<void> }> {
  const exports: OtlpExport[] = [];
  const raw: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        raw.push(body);
        exports.push(JSON.parse(body) as OtlpExport);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, exports, raw, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Observability: /metrics, traces and logs', () => {
  let t: TestApp;
  let http: HttpClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let p: Pool;
  /** A realtime event whose preferred backend is a closed port: its session fails over to the built-in simulator. */
  let rt: { eventId: string; key: string; done: RealtimeResponse };

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, METRICS_PORT: '0' } });
    http = httpClient(t.url);
    // The preferred backend fails each request once with 500; each fails over to the second one.
    p = await startPool(http, [{ priority: 0, simulator: { faults: { fail_next: [{ status: 500, count: 2 }] } } }, { priority: 1 }]);
    for (const stream of [false, true]) {
      const res = await fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json', 'x-request-id': `obs-${stream ? 'stream' : 'json'}` },
        body: JSON.stringify({ model: p.deployment, messages: [{ role: 'user', content: PROMPT }], stream }),
      });
      expect(res.status).toBe(200);
      // The simulator echoes the prompt, so the completion carries it too.
      expect(await res.text()).toContain('cardamom');
    }

    const { event } = await seedEvent(http, {}, [
      realtimeBuiltin({ name: 'dead', upstream: 'azure', endpointUrl: await closedPortUrl(), apiKey: 'x', priority: 0, deploymentName: RT }),
      realtimeBuiltin({ name: 'simulated', priority: 1, deploymentName: RT }),
    ]);
    const key = (await registerAttendee(http, event.id)).apiKey;
    const client = await RealtimeClient.connect(wsUrl(t.url, `/openai/v1/realtime?model=${RT}`), { headers: { 'api-key': key, 'x-request-id': 'obs-realtime' } });
    client.send(TEXT_ONLY_GA);
    const done = await client.ask(PROMPT, 1);
    expect(JSON.stringify(client.events)).toContain('cardamom');
    client.close(1000, 'bye');
    await client.waitClosed();
    rt = { eventId: event.id, key, done: done.response };
    // A deployment the event does not have: refused after admission, before any upstream attempt.
    expect((await RealtimeClient.refusal(wsUrl(t.url, '/openai/v1/realtime?model=no-such-model'), { headers: { 'api-key': key } })).status).toBe(404);
  });

  afterAll(async () => {
    await p?.close();
    await t?.close();
    await receiver?.close();
  });

  describe('/metrics', () => {
    it('refuses a scrape without the admin token', async () => {
      const res = await http.get('/metrics', { admin: false });
      expect(res.status).toBe(401);
    });

    it('counts requests, tokens, latency, upstream errors, retries, failovers, breaker states and the usage queue', async () => {
      const res = await http.get('/metrics', { admin: true });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = res.text;
      const labels = `deployment="${p.deployment}"`;
      expect(text).toMatch(new RegExp(`^aiproxy_requests_total\\{event="${p.eventId}",${labels},status="200"\\} 2$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_tokens_total\\{event="${p.eventId}",${labels},type="prompt"\\} [1-9]\\d*$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_tokens_total\\{event="${p.eventId}",${labels},type="completion"\\} [1-9]\\d*$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_request_duration_seconds_count\\{event="${p.eventId}",${labels},status="200"\\} 2$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_time_to_first_byte_seconds_count\\{event="${p.eventId}",${labels}\\} 2$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_upstream_errors_total\\{${labels},resource="[^"]+",kind="status",status="500"\\} 2$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_upstream_retries_total\\{${labels}\\} 2$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_failovers_total\\{${labels}\\} 2$`, 'm'));
      expect(text.match(new RegExp(`^aiproxy_breaker_state\\{resource="[^"]+",${labels}\\} 0$`, 'gm'))).toHaveLength(2);
      expect(text).toMatch(/^aiproxy_usage_queue_depth \d+$/m);
      expect(text).toMatch(/^aiproxy_usage_dropped_total 0$/m);
      // Default process metrics.
      expect(text).toMatch(/^aiproxy_process_cpu_user_seconds_total /m);
      expect(text).toMatch(/^aiproxy_nodejs_heap_size_used_bytes /m);
      expect(text).not.toContain(p.key);
    });

    it('counts realtime sessions, their tokens in the shared token counter, their failover and the connect error', async () => {
      const labels = `event="${rt.eventId}",deployment="${RT}"`;
      // The session's close reaches the gateway a moment after the client saw it.
      const text = await waitFor(async () => {
        const body = (await http.get('/metrics', { admin: true })).text;
        return body.includes('aiproxy_realtime_sessions_closed_total{') && body;
      }, 'the realtime session closed');
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_sessions_opened_total\\{${labels}\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_sessions_open\\{${labels}\\} 0$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_sessions_closed_total\\{${labels},closed_by="client",outcome="normal"\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_session_duration_seconds_count\\{${labels}\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_sessions_refused_total\\{event="${rt.eventId}",deployment="",status="404"\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_realtime_responses_total\\{${labels},status="completed"\\} 1$`, 'm'));
      expect(rt.done.usage.input_tokens).toBeGreaterThan(0);
      expect(text).toMatch(new RegExp(`^aiproxy_tokens_total\\{${labels},type="prompt"\\} ${rt.done.usage.input_tokens}$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_tokens_total\\{${labels},type="completion"\\} ${rt.done.usage.output_tokens}$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_upstream_errors_total\\{deployment="${RT}",resource="[^"]+",kind="connection",status=""\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_upstream_retries_total\\{deployment="${RT}"\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^aiproxy_failovers_total\\{deployment="${RT}"\\} 1$`, 'm'));
      expect(text).not.toContain(rt.key);
      expect(text).not.toContain('no-such-model');
    });

    it('also serves /metrics without a token on METRICS_PORT, and nothing else there', async () => {
      const port = t.app.get(MetricsServer).port;
      expect(port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('aiproxy_requests_total');
      expect((await fetch(`http://127.0.0.1:${port}/v1/chat/completions`)).status).toBe(404);
    });
  });

  describe('OpenTelemetry traces', () => {
    let spans: OtlpSpan[];

    beforeAll(async () => {
      // The batch processor exports within a second or so.
      spans = await waitFor(() => {
        const all = receiver.exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
        // 2 chat requests and 2 realtime handshakes; 2 attempts each for the chat requests and the session.
        return all.filter((s) => s.kind === SERVER).length >= 4 && all.filter((s) => s.kind === CLIENT).length >= 6 && all;
      }, 'spans for both requests and the realtime session', 10_000);
    });

    const ofOperation = (operation: string) => spans.filter((s) => s.kind === SERVER && attrs(s)['gen_ai.operation.name'] === operation);

    it('exports one request span per request with GenAI attributes and token usage', () => {
      const requests = ofOperation('chat');
      expect(requests).toHaveLength(2);
      for (const span of requests) {
        expect(span.name).toBe(`chat ${p.deployment}`);
        const a = attrs(span);
        expect(a).toMatchObject({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': p.deployment,
          'http.response.status_code': 200,
          'aiproxy.event.id': p.eventId,
          'aiproxy.attempts': 2,
        });
        expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
        expect(a['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
        expect(['obs-json', 'obs-stream']).toContain(a['aiproxy.request.id']);
      }
      const service = receiver.exports[0].resourceSpans[0].resource.attributes.find((x) => x.key === 'service.name');
      expect(service?.value.stringValue).toBe('ai-proxy');
    });

    it('exports one child span per upstream attempt: the failed one with its error, the answering one with usage', () => {
      for (const request of ofOperation('chat')) {
        const attempts = spans.filter((s) => s.parentSpanId === request.spanId);
        expect(attempts).toHaveLength(2);
        for (const attempt of attempts) {
          expect(attempt.kind).toBe(CLIENT);
          expect(attempt.traceId).toBe(request.traceId);
          expect(attrs(attempt)).toMatchObject({
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'azure.ai.openai',
            'gen_ai.request.model': p.deployment,
            'server.address': '127.0.0.1',
            'server.port': expect.any(Number),
          });
        }
        const [failed, answered] = [attempts.find((s) => attrs(s)['error.type']), attempts.find((s) => !attrs(s)['error.type'])];
        expect(attrs(failed!)).toMatchObject({ 'error.type': '500', 'http.response.status_code': 500 });
        expect(failed!.status?.code).toBe(2);
        expect(attrs(answered!)).toMatchObject({ 'http.response.status_code': 200 });
        expect(attrs(answered!)['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      }
    });

    it('exports a realtime session span with one child per upstream connection attempt, the connected one ended with the session and its usage', () => {
      const sessions = ofOperation('realtime');
      expect(sessions).toHaveLength(2);
      const session = sessions.find((s) => attrs(s)['aiproxy.request.id'] === 'obs-realtime')!;
      const usage = { 'gen_ai.usage.input_tokens': rt.done.usage.input_tokens, 'gen_ai.usage.output_tokens': rt.done.usage.output_tokens };
      expect(session.name).toBe(`realtime ${RT}`);
      expect(attrs(session)).toMatchObject({
        ...usage,
        'gen_ai.operation.name': 'realtime',
        'gen_ai.request.model': RT,
        'http.route': 'azure-v1:realtime',
        'http.response.status_code': 101,
        'aiproxy.event.id': rt.eventId,
        'aiproxy.attempts': 2,
        'aiproxy.realtime.responses': 1,
        'aiproxy.realtime.closed_by': 'client',
        'aiproxy.realtime.close_code': 1000,
        'aiproxy.realtime.outcome': 'normal',
      });
      expect(attrs(session)['error.type']).toBeUndefined();

      const attempts = spans.filter((s) => s.parentSpanId === session.spanId);
      expect(attempts).toHaveLength(2);
      for (const attempt of attempts) {
        expect(attempt.kind).toBe(CLIENT);
        expect(attempt.traceId).toBe(session.traceId);
        expect(attempt.name).toBe(`realtime ${RT}`);
        expect(attrs(attempt)).toMatchObject({
          'gen_ai.operation.name': 'realtime',
          'gen_ai.provider.name': 'azure.ai.openai',
          'gen_ai.request.model': RT,
          'server.address': '127.0.0.1',
          'server.port': expect.any(Number),
        });
      }
      const [failed, connected] = [attempts.find((s) => attrs(s)['error.type']), attempts.find((s) => !attrs(s)['error.type'])];
      expect(attrs(failed!)['error.type']).toBe('connection');
      expect(failed!.status?.code).toBe(2);
      expect(attrs(connected!)).toMatchObject({ ...usage, 'http.response.status_code': 101, 'aiproxy.realtime.close_code': 1000 });

      const refused = sessions.find((s) => s !== session)!;
      expect(attrs(refused)).toMatchObject({ 'http.response.status_code': 404, 'error.type': 'DeploymentNotFound', 'aiproxy.attempts': 0 });
      expect(refused.status?.code).toBe(2);
      expect(spans.filter((s) => s.parentSpanId === refused.spanId)).toHaveLength(0);
    });

    it('puts no prompt, completion or key in any span', () => {
      const everything = receiver.raw.join('\n');
      expect(everything).not.toContain('cardamom');
      expect(everything).not.toContain('no-such-model');
      expect(everything).not.toContain(p.key);
      expect(everything).not.toContain(rt.key);
      expect(everything).not.toMatch(/upstream-key-/);
    });
  });

  describe('logs', () => {
    it('carries the request id on every request line and never a prompt, completion or key', () => {
      const lines = t.logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; reqId?: string; url?: string });
      const requestLines = lines.filter((l) => l.msg === 'request');
      expect(requestLines.length).toBeGreaterThan(0);
      for (const line of requestLines) expect(typeof line.reqId).toBe('string');
      expect(requestLines.filter((l) => l.reqId === 'obs-json' || l.reqId === 'obs-stream')).toHaveLength(2);
      const all = t.logs.join('');
      expect(all).not.toContain('cardamom');
      expect(all).not.toContain(p.key);
      expect(all).not.toContain(rt.key);
      expect(all).not.toMatch(/upstream-key-/);
    });
  });
});
