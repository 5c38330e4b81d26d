import OpenAI from 'openai';
import { chatCounts, closedPortUrl, Pool, startPool, startRawBackend, type BackendSpec } from './support/backends';
import { httpClient, type HttpClient, type HttpResult } from './support/http';
import { attendeeHeaders, expectOpenAiError, USER_HELLO, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const fail = (status: number, count = 1, retryAfterMs?: number) => ({
  simulator: { faults: { fail_next: [{ status, count, ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }) }] } },
});

describe('proxy failover', () => {
  let t: TestApp;
  let http: HttpClient;
  let pools: Pool[] = [];

  beforeAll(async () => {
    // undici checks headers timeouts on a ~1 s tick, so a 500 ms timeout fires after 0.5–1.5 s.
    t = await startTestApp({
      env: { BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_MS: '1000', UPSTREAM_HEADERS_TIMEOUT_MS: '500', UPSTREAM_BODY_TIMEOUT_MS: '500' },
    });
    http = httpClient(t.url);
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
  });
  afterAll(() => t.close());

  async function pool(specs: BackendSpec[]): Promise<Pool> {
    const p = await startPool(http, specs);
    pools.push(p);
    return p;
  }

  function send(p: Pool): Promise<HttpResult> {
    return http.post('/v1/chat/completions', { model: p.deployment, messages: USER_HELLO }, { headers: attendeeHeaders(p.key) });
  }

  async function sendOk(p: Pool): Promise<void> {
    const res = await send(p);
    expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: expect.stringContaining('echo: hello there') });
  }

  describe('unreachable and slow backends', () => {
    it('fails over when a backend refuses the connection', async () => {
      const p = await pool([{ priority: 0, endpointUrl: await closedPortUrl() }, { priority: 1 }]);
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([0, 1]);
    });

    it('answers 503 in the OpenAI shape when the only backend refuses the connection', async () => {
      const url = await closedPortUrl();
      const p = await pool([{ endpointUrl: url }]);
      const res = await send(p);
      expect(expectOpenAiError(res, 503, 'upstream_unavailable').type).toBe('server_error');
      expect(res.text).not.toContain(new URL(url).port);
      expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    });

    it('fails over when a backend sends no headers within UPSTREAM_HEADERS_TIMEOUT_MS', async () => {
      const p = await pool([{ priority: 0, simulator: { faults: { latency_ms: 2_500 } } }, { priority: 1 }]);
      const started = Date.now();
      await sendOk(p);
      expect(Date.now() - started).toBeLessThan(2_400);
      expect(await chatCounts(p.sims)).toEqual([1, 1]);
    });

    it('answers 504 when the only backend sends no headers in time', async () => {
      const p = await pool([{ simulator: { faults: { latency_ms: 2_500 } } }]);
      expect(expectOpenAiError(await send(p), 504, 'upstream_timeout').type).toBe('server_error');
    });

    it('answers 502 in the OpenAI shape when a non-streamed answer is cut off after its headers', async () => {
      const raw = await startRawBackend((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"id":"chatcmpl-1","object":"chat.comp');
        setTimeout(() => res.socket?.destroy(), 20);
      });
      try {
        const p = await pool([{ endpointUrl: raw.url }]);
        const res = await send(p);
        expect(expectOpenAiError(res, 502, 'upstream_error').type).toBe('server_error');
        expect(res.text).not.toMatch(/other side closed|SocketError|127\.0\.0\.1/);
        expect(t.logs.join('')).not.toContain('Unhandled error');
      } finally {
        await raw.close();
      }
    });

    it('answers 504 when a non-streamed answer stalls after its headers', async () => {
      const raw = await startRawBackend((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-1",');
      });
      try {
        const p = await pool([{ endpointUrl: raw.url }]);
        expect(expectOpenAiError(await send(p), 504, 'upstream_timeout').type).toBe('server_error');
      } finally {
        await raw.close();
      }
    });

    it('fails over when a backend drops a non-streamed request unanswered', async () => {
      const p = await pool([{ priority: 0, simulator: { faults: { drop_after: 0 } } }, { priority: 1 }]);
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([1, 1]);
    });
  });

  describe('429 and cooldowns', () => {
    it('serves the request from another backend when one answers 429', async () => {
      const p = await pool([{ priority: 0, ...fail(429, 1, 1_500) }, { priority: 1 }]);
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([1, 1]);
    });

    it('parks a backend whose rate limit is exhausted for the retry-after it sent', async () => {
      const p = await pool([{ priority: 0 }, { priority: 1 }]);
      await p.sims[0]!.control.patchConfig({ faults: { rate_limit: { rpm: 1 } } });
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([1, 0]);
      await sendOk(p); // A answers 429 with retry-after; B serves.
      expect(await chatCounts(p.sims)).toEqual([2, 1]);
      for (let i = 0; i < 3; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([2, 4]);
    });

    it('sends nothing to a cooling backend and uses it again once the cooldown ends', async () => {
      const p = await pool([{ priority: 0, ...fail(429, 1, 1_500) }, { priority: 1 }]);
      const started = Date.now();
      await sendOk(p);
      for (let i = 0; i < 5; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([1, 6]);

      await waitFor(
        async () => {
          await sendOk(p);
          return (await chatCounts(p.sims))[0] === 2;
        },
        'the cooled backend to get traffic again',
        6_000,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_450);
    });

    it('answers 429 with retry-after in the OpenAI shape when every backend is cooling', async () => {
      const p = await pool([fail(429, 1, 2_000), fail(429, 1, 4_000)]);
      const first = await send(p);
      expect(expectOpenAiError(first, 429, 'upstream_rate_limited').type).toBe('rate_limit_error');
      const firstMs = Number(first.headers.get('retry-after-ms'));
      expect(firstMs).toBeGreaterThan(1_000);
      expect(firstMs).toBeLessThanOrEqual(2_000);
      expect(first.headers.get('retry-after')).toBe(String(Math.ceil(firstMs / 1000)));
      expect(await chatCounts(p.sims)).toEqual([1, 1]);

      // Both are parked now: the proxy answers without asking either, naming the soonest recovery.
      const second = await send(p);
      expectOpenAiError(second, 429, 'upstream_rate_limited');
      const secondMs = Number(second.headers.get('retry-after-ms'));
      expect(secondMs).toBeGreaterThan(0);
      expect(secondMs).toBeLessThanOrEqual(firstMs);
      expect(second.headers.get('retry-after')).toBe(String(Math.ceil(secondMs / 1000)));
      expect(await chatCounts(p.sims)).toEqual([1, 1]);
    });

    it('lets the openai SDK retry after our retry-after-ms', async () => {
      const p = await pool([fail(429, 1, 1_500)]);
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: p.key, maxRetries: 2 });
      const started = Date.now();
      const res = await client.chat.completions.create({ model: p.deployment, messages: [{ role: 'user', content: 'hello there' }] });
      expect(res.choices[0].message.content).toBe('echo: hello there');
      // The SDK's own first backoff is at most 0.5 s; waiting ~1.5 s means it read retry-after-ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(await chatCounts(p.sims)).toEqual([2]);
    });

    it('hands the SDK a RateLimitError with the retry headers when it may not retry', async () => {
      const p = await pool([fail(429, 1, 1_500)]);
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: p.key, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: p.deployment, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimited = err as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimited.code).toBe('upstream_rate_limited');
      expect(Number(rateLimited.headers?.get('retry-after-ms'))).toBeGreaterThan(1_000);
    });
  });

  describe('weighted round robin and priorities', () => {
    it('splits traffic 3:1 over 8 requests for weights 3 and 1', async () => {
      const p = await pool([{ weight: 3 }, { weight: 1 }]);
      for (let i = 0; i < 8; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([6, 2]);
    });

    it('uses priority 1 only when priority 0 fails', async () => {
      const p = await pool([{ priority: 0 }, { priority: 1 }]);
      for (let i = 0; i < 4; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([4, 0]);

      await p.sims[0]!.control.patchConfig({ faults: { fail_next: [{ status: 500, count: 1 }] } });
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([5, 1]);

      // One failure is below the breaker threshold: the preferred tier serves again at once.
      await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([6, 1]);
    });

    it('fails over within the preferred tier before touching the next one', async () => {
      const p = await pool([{ priority: 0, ...fail(500, 1) }, { priority: 0, ...fail(500, 1) }, { priority: 1 }]);
      const first = await send(p);
      // Both preferred backends failed once: only then does the backup tier answer.
      expect(first.status).toBe(200);
      expect(await chatCounts(p.sims)).toEqual([1, 1, 1]);
      for (let i = 0; i < 4; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([3, 3, 1]);
    });
  });

  describe('circuit breaker', () => {
    it('opens after repeated 500s, rests the backend, then closes after one successful trial', async () => {
      const p = await pool([{ priority: 0, ...fail(500, 2) }, { priority: 1 }]);
      await sendOk(p);
      await sendOk(p);
      const opened = Date.now();
      expect(await chatCounts(p.sims)).toEqual([2, 2]);

      for (let i = 0; i < 4; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([2, 6]);

      await waitFor(
        async () => {
          await sendOk(p);
          return (await chatCounts(p.sims))[0] === 3;
        },
        'the trial request after BREAKER_OPEN_MS',
        6_000,
      );
      expect(Date.now() - opened).toBeGreaterThanOrEqual(900);

      // The trial succeeded: the breaker is closed and the preferred backend takes everything again.
      const [, backupBefore] = await chatCounts(p.sims);
      for (let i = 0; i < 3; i++) await sendOk(p);
      expect(await chatCounts(p.sims)).toEqual([6, backupBefore]);
    });

    it('lets exactly one trial through when concurrent requests arrive after the open period', async () => {
      const p = await pool([{ priority: 0, ...fail(500, 2) }, { priority: 1 }]);
      await sendOk(p);
      await sendOk(p);
      // A slow trial stays in flight while the rest of its batch arrives.
      await p.sims[0]!.control.patchConfig({ faults: { latency_ms: 300 } });

      const batch = await waitFor(
        async () => {
          const before = (await chatCounts(p.sims))[0];
          await Promise.all(Array.from({ length: 4 }, () => sendOk(p)));
          const after = (await chatCounts(p.sims))[0];
          return after > before ? after - before : undefined;
        },
        'the half-open trial',
        6_000,
      );
      expect(batch).toBe(1);
    });

    it('answers 503 with retry-after, not a rate limit, while the only backend rests', async () => {
      const p = await pool([fail(500, 2)]);
      expectOpenAiError(await send(p), 503, 'upstream_unavailable');
      expectOpenAiError(await send(p), 503, 'upstream_unavailable');

      const resting = await send(p);
      expect(expectOpenAiError(resting, 503, 'upstream_unavailable').type).toBe('server_error');
      const ms = Number(resting.headers.get('retry-after-ms'));
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(1_000);
      expect(resting.headers.get('retry-after')).toBe('1');
      expect(await chatCounts(p.sims)).toEqual([2]);
    });
  });

  describe('what errors reveal', () => {
    it('passes no stack, upstream URL or key to the client when the upstream answers 500', async () => {
      const p = await pool([{ ...fail(500, 1) }]);
      const sim = p.sims[0]!;
      const res = await send(p);
      expectOpenAiError(res, 503, 'upstream_unavailable');
      const upstreamKey = (await sim.control.config()).apiKey;
      const leaks = [sim.url, new URL(sim.url).host, upstreamKey, upstreamKey.slice(-8), 'InternalServerError', '/openai/deployments'];
      for (const leak of leaks) expect(res.text).not.toContain(leak);
      expect(res.text).not.toMatch(/\n\s+at |stack|api-version/i);
      for (const name of ['server', 'x-ms-region', 'apim-request-id']) expect(res.headers.get(name)).toBeNull();
      expect(t.logs.join('')).not.toContain(upstreamKey);
    });
  });
});
