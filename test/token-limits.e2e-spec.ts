import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, chat, simulatedResource, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { expectTokenLimit, freshMinute } from './support/token-limits';

const SIM_KEY = 'token-limits-upstream-key-7781';
/** 50 words of 3 characters plus spaces: the simulator counts ceil(chars / 4) = 50 completion tokens. */
const REPLY = Array.from({ length: 50 }, () => 'abc').join(' ');
const NO_LIMITS = { attendeeTokensPerMinute: null, attendeeTokensPerDay: null, eventTokensPerMinute: null, eventTokensPerDay: null };

describe('token limits', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let slow: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY, replyText: REPLY });
    slow = await startSimulator({ apiKey: SIM_KEY, replyText: REPLY, faults: { latency_ms: 1_500 } });
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([sim.close(), slow.close()]);
  });

  async function event(limits: Record<string, number | null>, extra: Record<string, unknown> = {}): Promise<EventResponse> {
    const { event } = await seedEvent(http, { maxTokenCap: 2_000, ...limits, ...extra }, [
      simulatedResource(sim, SIM_KEY, { deploymentName: 'fast' }),
      simulatedResource(slow, SIM_KEY, { deploymentName: 'slow' }),
    ]);
    return event;
  }

  it('keeps the limits on the event: unlimited by default, set, changed and cleared through the admin API', async () => {
    const { event: plain } = await seedEvent(http);
    expect(plain).toMatchObject(NO_LIMITS);
    const limited = await event({ attendeeTokensPerMinute: 1_000, eventTokensPerDay: 50_000 });
    expect(limited).toMatchObject({ attendeeTokensPerMinute: 1_000, attendeeTokensPerDay: null, eventTokensPerMinute: null, eventTokensPerDay: 50_000 });
    const changed = await http.patch<EventResponse>(`/api/v1/admin/events/${limited.id}`, { attendeeTokensPerMinute: null, eventTokensPerMinute: 9_000 });
    expect(changed.body).toMatchObject({ attendeeTokensPerMinute: null, eventTokensPerMinute: 9_000, eventTokensPerDay: 50_000 });
    const bad = await http.patch(`/api/v1/admin/events/${limited.id}`, { attendeeTokensPerDay: 0 });
    expect(bad.status).toBe(400);
  });

  it('reserves prompt + max_tokens per attendee per minute: concurrent requests beyond the budget get 429 with retry-after', async () => {
    await freshMinute();
    const ev = await event({ attendeeTokensPerMinute: 1_000 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    // Each reserves about 408 tokens while the slow upstream holds it: 0, 408 and 816 have room, 1,224 does not.
    const results = await Promise.all(Array.from({ length: 5 }, () => chat(http, key, { model: 'slow', max_tokens: 400 })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    for (const refused of results.filter((r) => r.status === 429)) expectTokenLimit(refused, 'attendee-tokens-per-minute', 60);
    // Another attendee has a budget of their own.
    const other = (await registerAttendee(http, ev.id)).apiKey;
    expect((await chat(http, other, { model: 'fast', max_tokens: 400 })).status).toBe(200);
  });

  it('settles each reservation to the real usage, so sequential requests are not held to their reservations', async () => {
    await freshMinute();
    const ev = await event({ attendeeTokensPerMinute: 1_000 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    // Ten reservations of ~908 tokens would be 9,080; the real usage is ~55 each.
    for (let i = 0; i < 10; i++) expect((await chat(http, key, { model: 'fast', max_tokens: 900 })).status).toBe(200);
  });

  it('limits tokens per attendee per day and tells SDKs not to retry before midnight', async () => {
    const ev = await event({ attendeeTokensPerDay: 100 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    expect((await chat(http, key, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    expect((await chat(http, key, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    const refused = await chat(http, key, { model: 'fast', max_tokens: 200 });
    expectTokenLimit(refused, 'attendee-tokens-per-day', 86_400);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('100');
    // The refusal did not take one of the day's requests.
    const info = await http.get<{ usage: { requests: number; tokens: number } }>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
    expect(info.body.usage.requests).toBe(2);
    expect(info.body.usage.tokens).toBeGreaterThanOrEqual(100);
  });

  it('limits the whole event per day and per minute, across attendees', async () => {
    await freshMinute();
    const perDay = await event({ eventTokensPerDay: 100 });
    const [a, b] = [(await registerAttendee(http, perDay.id)).apiKey, (await registerAttendee(http, perDay.id)).apiKey];
    expect((await chat(http, a, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    expect((await chat(http, b, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    expectTokenLimit(await chat(http, a, { model: 'fast', max_tokens: 200 }), 'event-tokens-per-day', 86_400);

    const perMinute = await event({ eventTokensPerMinute: 100 });
    const [c, d] = [(await registerAttendee(http, perMinute.id)).apiKey, (await registerAttendee(http, perMinute.id)).apiKey];
    expect((await chat(http, c, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    expect((await chat(http, d, { model: 'fast', max_tokens: 200 })).status).toBe(200);
    expectTokenLimit(await chat(http, d, { model: 'fast', max_tokens: 200 }), 'event-tokens-per-minute', 60);
  });

  it('settles streamed answers to the usage the stream reported', async () => {
    const ev = await event({ attendeeTokensPerDay: 300 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    const openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
    // Each stream reserves ~208 tokens and uses ~55: without settling, the second could not start.
    for (let i = 0; i < 2; i++) {
      const stream = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 200, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe(REPLY);
    }
    const info = await waitFor(async () => {
      const res = await http.get<{ usage: { tokens: number } }>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
      return res.body.usage.tokens > 0 && res.body.usage;
    }, 'the streamed usage');
    expect(info.tokens).toBeGreaterThanOrEqual(100);
    expect(info.tokens).toBeLessThan(150);
  });

  it('releases the reservation of a request the client abandons', async () => {
    await freshMinute();
    const ev = await event({ attendeeTokensPerMinute: 1_000 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    const client = new Agent();
    try {
      const abort = new AbortController();
      // ~1,008 tokens reserved: the minute is full while this request waits on the slow upstream.
      const pending = undiciFetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...attendeeHeaders(key), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 1_000 }),
        signal: abort.signal,
        dispatcher: client,
      });
      await waitFor(async () => (await chat(http, key, { model: 'fast', max_tokens: 10 })).status === 429, 'the minute to be full');
      abort.abort();
      await expect(pending).rejects.toThrow();
      await waitFor(async () => (await chat(http, key, { model: 'fast', max_tokens: 10 })).status === 200, 'the reservation to be released', 3_000);
    } finally {
      await client.destroy();
    }
  });
});
