import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import OpenAI from 'openai';
import type { CompletionUsage } from 'openai/resources/completions';
import { DataSource } from 'typeorm';
import { Agent, fetch as undiciFetch } from 'undici';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventInfo, EventResponse } from './support/api';
import { expectFieldError } from './support/expect-error';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat, simulatedResource, UsageReport, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const SIM_KEY = 'usage-upstream-key-5521';
/** UTC+14: the event's calendar day is often not the UTC one, so a report keyed by UTC day would show. */
const ZONE = 'Pacific/Kiritimati';

interface RecordRow {
  deployment: string;
  status: number;
  error_code: string | null;
  total_tokens: number;
  streamed: boolean;
  estimated: boolean;
  route: string;
  resource_id: string | null;
  request_id: string | null;
}

function localDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function sum(...usages: CompletionUsage[]): { promptTokens: number; completionTokens: number; totalTokens: number } {
  return {
    promptTokens: usages.reduce((n, u) => n + u.prompt_tokens, 0),
    completionTokens: usages.reduce((n, u) => n + u.completion_tokens, 0),
    totalTokens: usages.reduce((n, u) => n + u.total_tokens, 0),
  };
}

async function records(t: TestApp, eventId: string): Promise<RecordRow[]> {
  const rows = (await t.app.get(DataSource).query(
    `SELECT deployment, status, error_code, total_tokens, streamed, estimated, route, resource_id::text AS resource_id, request_id
       FROM usage_records WHERE event_id = $1 ORDER BY id`,
    [eventId],
  )) as RecordRow[];
  return rows.map((r) => ({ ...r, status: Number(r.status), total_tokens: Number(r.total_tokens) }));
}

describe('proxy usage metering', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY, faults: { content_filter_regex: 'forbidden-topic' } });
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  describe('report', () => {
    let event: EventResponse;
    let started: Date;
    let ada: { key: string; id: string };
    let bob: { key: string; id: string };
    let adaChat: CompletionUsage;
    let adaEmbed: CompletionUsage;
    let bobChat: CompletionUsage;

    beforeAll(async () => {
      started = new Date();
      ({ event } = await seedEvent(http, { timeZone: ZONE, maxTokenCap: 200 }, [
        builtinResource({ deploymentName: 'chat' }),
        builtinResource({ deploymentName: 'embed', modelClass: 'openai-embeddings' }),
        simulatedResource(sim, SIM_KEY, { deploymentName: 'filtered' }),
      ]));
      const a = await registerAttendee(http, event.id, { name: 'Ada' });
      const b = await registerAttendee(http, event.id, { name: 'Bob' });
      ada = { key: a.apiKey, id: a.attendeeId };
      bob = { key: b.apiKey, id: b.attendeeId };

      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: ada.key, maxRetries: 0 });
      const messages = [{ role: 'user' as const, content: 'count my tokens please' }];
      const plain = await client.chat.completions.create({ model: 'chat', messages });
      adaChat = plain.usage!;
      // Streamed with the usage chunk, and without it: both metered from the upstream usage, not estimated.
      let streamedUsage: CompletionUsage | undefined;
      for await (const c of await client.chat.completions.create({ model: 'chat', messages, stream: true, stream_options: { include_usage: true } })) {
        if (c.usage) streamedUsage = c.usage;
      }
      expect(streamedUsage).toEqual(adaChat);
      for await (const c of await client.chat.completions.create({ model: 'chat', messages, stream: true })) expect(c.usage ?? null).toBeNull();
      adaEmbed = (await client.embeddings.create({ model: 'embed', input: 'some words to embed', encoding_format: 'float' })).usage as CompletionUsage;
      adaEmbed = { ...adaEmbed, completion_tokens: 0 };
      // Errors after admission: the proxy's own refusals and an upstream content filter.
      expect((await chat(http, ada.key, { model: 'chat', max_tokens: 10_000 })).status).toBe(400);
      expect((await chat(http, ada.key, { model: 'nope' }, { 'x-request-id': 'trace-nope-0001' })).status).toBe(404);
      expect((await chat(http, ada.key, { model: 'filtered', messages: [{ role: 'user', content: 'forbidden-topic' }] })).status).toBe(400);
      // Not admitted: no record at all.
      expect((await chat(http, 'bogus-key', { model: 'chat' })).status).toBe(401);

      const bobRes = await chat(http, bob.key, { model: 'chat', messages: [{ role: 'user', content: 'a somewhat longer question from bob' }] });
      bobChat = (bobRes.body as { usage: CompletionUsage }).usage;
    });

    it('totals by day, deployment and attendee with exact token sums', async () => {
      const res = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`);
      expect(res.status).toBe(200);
      const report = res.body;
      const all = sum(adaChat, adaChat, adaChat, adaEmbed, bobChat);
      expect(report.totals).toEqual({ requests: 8, errors: 3, rateLimited: 0, estimatedRequests: 0, ...all });
      expect(report.byDay).toEqual([{ day: localDay(new Date(), ZONE), requests: 8, errors: 3, rateLimited: 0, estimatedRequests: 0, ...all }]);
      expect(report.byDeployment).toEqual([
        { deployment: 'chat', requests: 5, errors: 1, rateLimited: 0, estimatedRequests: 0, ...sum(adaChat, adaChat, adaChat, bobChat) },
        { deployment: 'embed', requests: 1, errors: 0, rateLimited: 0, estimatedRequests: 0, ...sum(adaEmbed) },
        { deployment: 'filtered', requests: 1, errors: 1, rateLimited: 0, estimatedRequests: 0, ...sum() },
        { deployment: 'nope', requests: 1, errors: 1, rateLimited: 0, estimatedRequests: 0, ...sum() },
      ]);
      expect(report.byAttendee).toHaveLength(2);
      expect(report.byAttendee).toEqual(
        expect.arrayContaining([
          { attendeeId: ada.id, name: 'Ada', email: expect.any(String), requests: 7, errors: 3, rateLimited: 0, estimatedRequests: 0, ...sum(adaChat, adaChat, adaChat, adaEmbed) },
          { attendeeId: bob.id, name: 'Bob', email: expect.any(String), requests: 1, errors: 0, rateLimited: 0, estimatedRequests: 0, ...sum(bobChat) },
        ]),
      );
    });

    it('totals by UTC hour that add up to the whole, and today against the daily cap per attendee', async () => {
      const report = (await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`)).body;
      expect(report.byHour.length).toBeGreaterThanOrEqual(1);
      for (const h of report.byHour) expect(h.hour).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/);
      const hours = report.byHour.map((h) => Date.parse(h.hour));
      expect(hours).toEqual([...hours].sort((a, b) => a - b));
      expect(hours[0]).toBeLessThanOrEqual(started.getTime());
      expect(hours[hours.length - 1]).toBeGreaterThan(Date.now() - 3_600_000);
      const summed = report.byHour.reduce((t, h) => ({ requests: t.requests + h.requests, errors: t.errors + h.errors, totalTokens: t.totalTokens + h.totalTokens }), {
        requests: 0,
        errors: 0,
        totalTokens: 0,
      });
      expect(summed).toEqual({ requests: 8, errors: 3, totalTokens: report.totals.totalTokens });

      expect(report.today).toEqual({
        day: localDay(new Date(), ZONE),
        timeZone: ZONE,
        resetsAt: expect.any(String),
        dailyRequestCap: event.dailyRequestCap,
        byAttendee: [
          // Only requests that reached a model count against the cap (5 of Ada's 7).
          { attendeeId: ada.id, name: 'Ada', email: expect.any(String), requests: 5, tokens: sum(adaChat, adaChat, adaChat, adaEmbed).totalTokens, remainingRequests: event.dailyRequestCap - 5 },
          { attendeeId: bob.id, name: 'Bob', email: expect.any(String), requests: 1, tokens: sum(bobChat).totalTokens, remainingRequests: event.dailyRequestCap - 1 },
        ],
      });
      expect(Date.parse(report.today.resetsAt)).toBeGreaterThan(Date.now());
      // Today does not depend on the range asked for.
      const future = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
      expect(future.body.byHour).toEqual([]);
      expect(future.body.today.byAttendee).toHaveLength(2);
    });

    it('series per hour and deployment, and per hour and top attendee, that add up to the totals', async () => {
      const report = (await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`)).body;
      const hours = new Set(report.byHour.map((h) => h.hour));
      const { byHourDeployment, byHourAttendee } = report.series;
      for (const r of [...byHourDeployment, ...byHourAttendee]) expect(hours.has(r.hour)).toBe(true);
      // The requests may straddle an hour boundary, so compare each key's hours summed.
      const summed = <T extends { hour: string; requests: number; totalTokens: number }>(rows: T[], key: (r: T) => string) => {
        const out: Record<string, { requests: number; totalTokens: number }> = {};
        for (const r of rows) {
          const k = key(r);
          out[k] = { requests: (out[k]?.requests ?? 0) + r.requests, totalTokens: (out[k]?.totalTokens ?? 0) + r.totalTokens };
        }
        return out;
      };
      expect(summed(byHourDeployment, (r) => r.deployment)).toEqual({
        chat: { requests: 5, totalTokens: sum(adaChat, adaChat, adaChat, bobChat).totalTokens },
        embed: { requests: 1, totalTokens: adaEmbed.total_tokens },
        filtered: { requests: 1, totalTokens: 0 },
        nope: { requests: 1, totalTokens: 0 },
      });
      expect(summed(byHourAttendee, (r) => `${r.attendeeId}:${r.name}`)).toEqual({
        [`${ada.id}:Ada`]: { requests: 7, totalTokens: sum(adaChat, adaChat, adaChat, adaEmbed).totalTokens },
        [`${bob.id}:Bob`]: { requests: 1, totalTokens: bobChat.total_tokens },
      });
      const order = byHourDeployment.map((r) => `${r.hour} ${r.deployment}`);
      expect(order).toEqual([...order].sort());
      const future = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
      expect(future.body.series).toEqual({ byHourDeployment: [], byHourAttendee: [] });
    });

    it('keeps a record with its status for every error after admission', async () => {
      await http.get(`/api/v1/admin/events/${event.id}/usage`); // flushes the buffer
      const rows = await records(t, event.id);
      expect(rows).toHaveLength(8);
      const errors = rows.filter((r) => r.status >= 400).map(({ deployment, status, error_code }) => ({ deployment, status, error_code }));
      expect(errors).toEqual([
        { deployment: 'chat', status: 400, error_code: 'max_tokens_exceeds_cap' },
        { deployment: 'nope', status: 404, error_code: 'DeploymentNotFound' },
        { deployment: 'filtered', status: 400, error_code: 'content_filter' },
      ]);
      expect(rows.filter((r) => r.streamed)).toHaveLength(2);
      // Each record carries the request id the client saw (its own x-request-id when it sent one).
      expect(rows.find((r) => r.deployment === 'nope')!.request_id).toBe('trace-nope-0001');
      expect(new Set(rows.map((r) => r.request_id)).size).toBe(8);
      expect(rows.every((r) => typeof r.request_id === 'string' && r.request_id.length > 0)).toBe(true);
      expect(rows.find((r) => r.deployment === 'filtered')!.resource_id).not.toBeNull();
    });

    it('counts the attendee daily usage from the same records', async () => {
      const info = await http.get<EventInfo>('/api/v1/eventinfo', { headers: attendeeHeaders(ada.key) });
      // The proxy's own refusals (cap, unknown deployment) do not use up a request; the upstream's do.
      expect(info.body.usage).toEqual(expect.objectContaining({ day: localDay(new Date(), ZONE), requests: 5, tokens: sum(adaChat, adaChat, adaChat, adaEmbed).totalTokens }));
    });

    it('filters by from and to', async () => {
      const url = `/api/v1/admin/events/${event.id}/usage`;
      const window = await http.get<UsageReport>(`${url}?from=${new Date(started.getTime() - 1000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`);
      expect(window.status).toBe(200);
      expect(window.body.totals.requests).toBe(8);
      expect(window.body.from).toBe(new Date(started.getTime() - 1000).toISOString());
      const future = await http.get<UsageReport>(`${url}?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
      expect(future.body.totals).toEqual({ requests: 0, errors: 0, rateLimited: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedRequests: 0 });
      expect(future.body.byDay).toEqual([]);
      const past = await http.get<UsageReport>(`${url}?to=${encodeURIComponent(new Date(started.getTime() - 3_600_000).toISOString().replace('Z', '+00:00'))}`);
      expect(past.body.totals.requests).toBe(0);
    });

    it('rejects malformed or inverted dates with 400', async () => {
      const url = `/api/v1/admin/events/${event.id}/usage`;
      expectFieldError(await http.get(`${url}?from=yesterday`), 'from');
      expectFieldError(await http.get(`${url}?to=2026-13-45T00:00:00Z`), 'to');
      expectFieldError(await http.get(`${url}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`), 'to');
      expect((await http.get(`/api/v1/admin/events/no-such-event/usage`)).status).toBe(404);
    });
  });

  describe('client disconnect', () => {
    /** The simulator-side socket that carried the proxy's chat request, once it has arrived. */
    function upstreamSocket(sim: RunningSimulator): () => Socket | undefined {
      let socket: Socket | undefined;
      sim.app.server.on('request', (req: IncomingMessage) => {
        if (req.url?.includes('/chat/completions')) socket = req.socket;
      });
      return () => socket;
    }

    /** Starts a chat request from a client of its own, so its aborted connection cannot linger in a shared pool. */
    function clientRequest(key: string, body: Record<string, unknown>, signal: AbortSignal) {
      return undiciFetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...attendeeHeaders(key), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'take your time' }], ...body }),
        signal,
        dispatcher: client,
      });
    }

    async function recordsOf(eventId: string): Promise<RecordRow[]> {
      return waitFor(async () => {
        await http.get(`/api/v1/admin/events/${eventId}/usage`);
        const found = await records(t, eventId);
        return found.length > 0 && found;
      }, 'the usage record');
    }

    let client: Agent;
    beforeEach(() => {
      client = new Agent();
    });
    afterEach(() => client.destroy());

    it('keeps a 499 record with estimated tokens and closes the upstream stream when the client leaves mid-stream', async () => {
      const slow = await startSimulator({ apiKey: SIM_KEY, replyText: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '), faults: { inter_chunk_ms: 100 } });
      const upstream = upstreamSocket(slow);
      try {
        const { event } = await seedEvent(http, {}, [simulatedResource(slow, SIM_KEY, { deploymentName: 'slow' })]);
        const key = (await registerAttendee(http, event.id)).apiKey;
        const abort = new AbortController();
        const res = await clientRequest(key, { stream: true }, abort.signal);
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        const first = await reader.read();
        expect(new TextDecoder().decode(first.value)).toContain('data: ');
        abort.abort();
        await expect(reader.read()).rejects.toThrow();

        // The upstream socket closes long before the 6 s stream would have ended.
        await waitFor(() => upstream()?.destroyed, 'the upstream connection to close', 3_000);
        const rows = await recordsOf(event.id);
        expect(rows).toEqual([expect.objectContaining({ deployment: 'slow', status: 499, error_code: 'client_closed_request', streamed: true })]);
        // Tokens the upstream produced before the client left are still metered, marked as estimated.
        expect(rows[0].total_tokens).toBeGreaterThan(0);
        expect(rows[0].estimated).toBe(true);
        // The app keeps serving.
        expect((await chat(http, key, { model: 'slow', max_tokens: 2 })).status).toBe(200);
      } finally {
        await slow.close();
      }
    });

    it('keeps a 499 record, gives the request back and abandons the upstream call when the client leaves before the answer', async () => {
      const slow = await startSimulator({ apiKey: SIM_KEY, faults: { latency_ms: 10_000 } });
      const upstream = upstreamSocket(slow);
      try {
        const { event } = await seedEvent(http, {}, [simulatedResource(slow, SIM_KEY, { deploymentName: 'slow' })]);
        const key = (await registerAttendee(http, event.id)).apiKey;
        const abort = new AbortController();
        const pending = clientRequest(key, {}, abort.signal);
        await waitFor(() => upstream() !== undefined, 'the upstream to receive the request');
        abort.abort();
        await expect(pending).rejects.toThrow();
        await waitFor(() => upstream()!.destroyed, 'the upstream connection to close', 3_000);
        const rows = await recordsOf(event.id);
        expect(rows).toEqual([expect.objectContaining({ deployment: 'slow', status: 499, error_code: 'client_closed_request', streamed: false, total_tokens: 0 })]);
        // Nothing reached the attendee: the request does not count against the daily cap.
        const info = await http.get<EventInfo>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
        expect(info.body.usage.requests).toBe(0);
      } finally {
        await slow.close();
      }
    });
  });

  describe('shutdown', () => {
    let slowSim: RunningSimulator;
    const noKeepAlive = new Agent({ pipelining: 0 });
    beforeAll(async () => {
      slowSim = await startSimulator({ apiKey: SIM_KEY, replyText: Array.from({ length: 20 }, (_, i) => `word${i}`).join(' '), faults: { inter_chunk_ms: 40 } });
    });
    afterAll(async () => {
      await slowSim.close();
      await noKeepAlive.close();
    });

    it('flushes buffered usage on shutdown so a restart still reports it', async () => {
      // A flush interval far beyond the test: only the shutdown flush can write the records.
      const env = { USAGE_FLUSH_MS: '60000' };
      const first = await startTestApp({ env });
      const firstHttp = httpClient(first.url);
      const { event } = await seedEvent(firstHttp, {}, [builtinResource({ deploymentName: 'chat' }), simulatedResource(slowSim, SIM_KEY, { deploymentName: 'slow' })]);
      const key = (await registerAttendee(firstHttp, event.id)).apiKey;
      const answers = await Promise.all([0, 1, 2].map((i) => chat(firstHttp, key, { model: 'chat', stream: i === 1 })));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      // One stream is still running when shutdown begins: it finishes, and its usage is kept too.
      // Without keep-alive: an idle keep-alive socket would hold the server's close open (see the report).
      const inFlight = await undiciFetch(`${first.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...attendeeHeaders(key), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'still talking' }] }),
        dispatcher: noKeepAlive,
      });
      const reader = inFlight.body!.getReader();
      await reader.read();
      const closing = first.close({ keepData: true });
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      expect(rest).toContain('data: [DONE]');
      await closing;

      const second = await startTestApp({ env, dataDir: first.dataDir, databaseUrl: first.databaseUrl });
      try {
        const secondHttp = httpClient(second.url);
        const report = await secondHttp.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`);
        expect(report.body.totals.requests).toBe(4);
        expect(report.body.byDeployment.map((d) => [d.deployment, d.requests])).toEqual([['chat', 3], ['slow', 1]]);
        expect(report.body.totals.totalTokens).toBeGreaterThan(0);
        expect(report.body.totals.estimatedRequests).toBe(0);
        // The daily counter was persisted too: the cap survives a restart.
        const info = await secondHttp.get<EventInfo>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
        expect(info.body.usage.requests).toBe(4);
        expect(info.body.usage.tokens).toBe(report.body.totals.totalTokens);
      } finally {
        await second.close();
      }
    });
  });
});
