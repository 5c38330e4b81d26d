import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import type { EventInfo } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat, expectOpenAiError, simulatedResource, upstreamRequests, UsageReport } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';

const SIM_KEY = 'caps-upstream-key-0001';
/** No daylight saving time, and a half-hour offset: a day boundary that is neither UTC nor whole hours. */
const ZONE = 'Asia/Kolkata';

/** Seconds from `now` until the next midnight in `timeZone`, computed independently of the product. */
function secondsToLocalMidnight(now: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  );
  return 86_400 - (parts.hour * 3600 + parts.minute * 60 + parts.second);
}

describe('proxy caps', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY });
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  describe('max_tokens', () => {
    it('sends the event cap upstream when the client names no limit, and the client value otherwise', async () => {
      const { event } = await seedEvent(http, { maxTokenCap: 300 }, [
        simulatedResource(sim, SIM_KEY, { deploymentName: 'capped' }),
        simulatedResource(sim, SIM_KEY, { deploymentName: 'reasoner', modelName: 'o3-mini' }),
      ]);
      const key = (await registerAttendee(http, event.id)).apiKey;
      await sim.control.reset();

      expect((await chat(http, key, { model: 'capped' })).status).toBe(200);
      expect((await chat(http, key, { model: 'capped', max_tokens: 12 })).status).toBe(200);
      expect((await chat(http, key, { model: 'capped', max_completion_tokens: 20 })).status).toBe(200);
      expect((await chat(http, key, { model: 'reasoner' })).status).toBe(200);
      const sent = (await upstreamRequests(sim, '/chat/completions')).map((r) => r.body as Record<string, unknown>);
      expect(sent).toHaveLength(4);
      expect(sent[0]).toEqual(expect.objectContaining({ max_tokens: 300 }));
      expect(sent[1]).toEqual(expect.objectContaining({ max_tokens: 12 }));
      expect(sent[1]).not.toHaveProperty('max_completion_tokens');
      expect(sent[2]).toEqual(expect.objectContaining({ max_completion_tokens: 20 }));
      expect(sent[2]).not.toHaveProperty('max_tokens');
      // Reasoning models reject max_tokens; the cap goes in max_completion_tokens.
      expect(sent[3]).toEqual(expect.objectContaining({ max_completion_tokens: 300 }));
      expect(sent[3]).not.toHaveProperty('max_tokens');
    });

    it('leaves embeddings without a token limit', async () => {
      const { event } = await seedEvent(http, { maxTokenCap: 300 }, [simulatedResource(sim, SIM_KEY, { deploymentName: 'embed', modelClass: 'openai-embeddings' })]);
      const key = (await registerAttendee(http, event.id)).apiKey;
      await sim.control.reset();
      const res = await http.post('/v1/embeddings', { model: 'embed', input: 'hello' }, { headers: attendeeHeaders(key) });
      expect(res.status).toBe(200);
      const [sent] = await upstreamRequests(sim, '/embeddings');
      expect(sent.body).toEqual({ input: 'hello' });
    });
  });

  describe('daily request cap', () => {
    it('counts down on every success and answers 429 until midnight in the event time zone', async () => {
      const { event } = await seedEvent(http, { dailyRequestCap: 3, timeZone: ZONE }, [builtinResource({ deploymentName: 'chat' })]);
      const key = (await registerAttendee(http, event.id)).apiKey;
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await chat(http, key, { model: 'chat', stream: i === 2 });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit-requests')).toBe('3');
        remaining.push(res.headers.get('x-ratelimit-remaining-requests'));
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const refused = await chat(http, key, { model: 'chat' });
      const expected = secondsToLocalMidnight(new Date(), ZONE);
      const error = expectOpenAiError(refused, 429, 'daily_request_cap_exceeded');
      expect(error.type).toBe('rate_limit_error');
      expect(error.message).toMatch(/used all 3 requests allowed per day/);
      expect(error.message).toMatch(/resets at \d{4}-\d{2}-\d{2}T/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Math.abs(retryAfter - expected)).toBeLessThanOrEqual(3);
      expect(Math.abs(Number(refused.headers.get('retry-after-ms')) / 1000 - expected)).toBeLessThanOrEqual(3);
      expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(refused.headers.get('x-should-retry')).toBe('false');

      // Refusals do not use up anything more, on any route, and another attendee is unaffected.
      expectOpenAiError(await http.post('/openai/deployments/chat/chat/completions?api-version=2024-10-21', { messages: [] }, { headers: attendeeHeaders(key, 'azure') }), 429, 'daily_request_cap_exceeded');
      const info = await http.get<EventInfo>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
      expect(info.body.usage).toEqual(expect.objectContaining({ requests: 3, remainingRequests: 0 }));
      const other = (await registerAttendee(http, event.id)).apiKey;
      expect((await chat(http, other, { model: 'chat' })).headers.get('x-ratelimit-remaining-requests')).toBe('2');
    });

    it('tells SDKs not to retry a refusal that lasts until midnight', async () => {
      const { event } = await seedEvent(http, { dailyRequestCap: 1 }, [builtinResource({ deploymentName: 'chat' })]);
      const key = (await registerAttendee(http, event.id)).apiKey;
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 2 });
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      await expect(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
        status: 429,
        code: 'daily_request_cap_exceeded',
      });
      // Without x-should-retry: false the SDK sleeps for the whole retry-after (hours) and asks again.
      const report = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`);
      expect(report.body.totals).toEqual(expect.objectContaining({ requests: 2, errors: 1 }));
    });

    it('admits exactly the cap under 50 concurrent requests', async () => {
      const { event } = await seedEvent(http, { dailyRequestCap: 20 }, [builtinResource({ deploymentName: 'chat' })]);
      const { apiKey: key, attendeeId } = await registerAttendee(http, event.id);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(http, key, { model: 'chat', stream: i % 2 === 0 })));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30);
      const remaining = results.filter((r) => r.status === 200).map((r) => Number(r.headers.get('x-ratelimit-remaining-requests')));
      expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));

      const info = await http.get<EventInfo>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
      expect(info.body.usage).toEqual(expect.objectContaining({ requests: 20, remainingRequests: 0 }));
      const report = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`);
      expect(report.body.totals).toEqual(expect.objectContaining({ requests: 50, errors: 30 }));
      expect(report.body.byAttendee).toHaveLength(1);
      // The report flushed the buffer: the persisted daily counter (what a restart loads) says 20 too.
      const rows = (await t.app.get(DataSource).query('SELECT requests FROM attendee_daily_usage WHERE attendee_id = $1', [attendeeId])) as { requests: number }[];
      expect(rows.map((r) => Number(r.requests))).toEqual([20]);
    });
  });
});
