import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, type HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat, expectOpenAiError, type UsageReport, waitFor } from './support/proxy';
import { type RefusedHandshake, RealtimeClient, realtimeBuiltin, TEXT_ONLY_GA, wsUrl } from './support/realtime';
import { startTestApp, type TestApp } from './support/test-app';
import { freshMinute } from './support/token-limits';

const GA = '/openai/v1/realtime?model=gpt-realtime';
/** 40 characters: 10 input tokens, and the simulator's "echo: …" reply is 12 output tokens. */
const TURN = 'a'.repeat(40);

type ErrorEvent = { error: { type: string; code: string; message: string; param: null } };

/** Realtime sessions draw on the same token budgets as the HTTP routes, in the same shared counters. */
describe('realtime token budgets', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  async function live(limits: Record<string, number | null>): Promise<{ eventId: string; key: string }> {
    const seeded = await seedEvent(http, { maxTokenCap: 200, ...limits }, [realtimeBuiltin(), builtinResource({ deploymentName: 'chat' })]);
    const attendee = await registerAttendee(http, seeded.event.id);
    return { eventId: seeded.event.id, key: attendee.apiKey };
  }

  function open(key: string): Promise<RealtimeClient> {
    return RealtimeClient.connect(wsUrl(t.url, GA), { headers: { 'api-key': key } });
  }

  function refusal(key: string): Promise<RefusedHandshake> {
    return RealtimeClient.refusal(wsUrl(t.url, GA), { headers: { 'api-key': key } });
  }

  /** Asks until the proxy closes the session; answers the totals of the responses that completed. */
  async function askUntilClosed(client: RealtimeClient): Promise<number[]> {
    client.send(TEXT_ONLY_GA);
    for (let n = 1; n <= 10; n++) {
      try {
        await client.ask(TURN, n);
      } catch {
        break;
      }
      // The close follows the charge of the response that filled the budget.
      if (await Promise.race([client.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 1_000))])) break;
    }
    return client.ofType<{ response: { usage: { total_tokens: number } } }>('response.done').map((e) => e.response.usage.total_tokens);
  }

  function expectRefused(refused: RefusedHandshake, limit: string, maxRetryAfterS: number) {
    expect(refused.status).toBe(429);
    const error = (JSON.parse(refused.body) as ErrorEvent).error;
    expect(error).toMatchObject({ type: 'rate_limit_error', code: 'token_limit_exceeded' });
    expect(error.message).toContain(`${limit} limit`);
    expect(error.message).toMatch(/frees at \d{4}-\d\d-\d\dT/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(maxRetryAfterS);
    return error;
  }

  it('closes a session when its responses use up the attendee minute budget, then refuses new sessions until the minute ends', async () => {
    await freshMinute(20);
    const { eventId, key } = await live({ attendeeTokensPerMinute: 50 });
    const client = await open(key);

    const totals = await askUntilClosed(client);
    const closed = await client.waitClosed();
    const error = client.ofType<ErrorEvent>('error').at(-1)?.error;

    // 22 tokens leave room, so the session goes on; the second response (44, the conversation so far) fills it.
    expect(totals).toEqual([22, 44]);
    expect(closed).toEqual({ code: 1008, reason: 'token_limit_exceeded' });
    expect(error).toMatchObject({ type: 'rate_limit_error', code: 'token_limit_exceeded', param: null });
    expect(error?.message).toContain('attendee-tokens-per-minute limit (50 tokens per attendee per minute)');
    expect(error?.message).toContain('66 tokens counted');
    expectRefused(await refusal(key), 'attendee-tokens-per-minute', 60);
    // Both responses are metered, the refused handshake with no tokens.
    const report = await waitFor(async () => {
      const res = await http.get<UsageReport>(`/api/v1/admin/events/${eventId}/usage`);
      return res.body.totals.totalTokens >= 66 && res.body;
    }, 'the session usage records');
    expect(report.totals.totalTokens).toBe(66);
  });

  it('holds a session to the attendee day budget, and the realtime usage then blocks HTTP requests', async () => {
    const { key } = await live({ attendeeTokensPerDay: 30 });
    const client = await open(key);

    const totals = await askUntilClosed(client);
    const closed = await client.waitClosed();

    expect(totals).toEqual([22, 44]);
    expect(closed).toEqual({ code: 1008, reason: 'token_limit_exceeded' });
    expect(client.ofType<ErrorEvent>('error').at(-1)?.error.message).toContain('attendee-tokens-per-day limit');
    const refused = expectRefused(await refusal(key), 'attendee-tokens-per-day', 86_400);
    expect(refused.message).toContain('when the day ends');
    const http429 = await chat(http, key, { model: 'chat', max_tokens: 10 });
    expect(expectOpenAiError(http429, 429, 'token_limit_exceeded').message).toContain('attendee-tokens-per-day');
    const info = await http.get<{ usage: { tokens: number } }>('/api/v1/eventinfo', { headers: attendeeHeaders(key) });
    expect(info.body.usage.tokens).toBe(66);
  });

  it('refuses a session before the upgrade when HTTP usage used up the event minute budget, for every attendee', async () => {
    await freshMinute(20);
    const { eventId, key } = await live({ eventTokensPerMinute: 2 });
    const other = (await registerAttendee(http, eventId)).apiKey;

    const answered = await chat(http, key, { model: 'chat', max_tokens: 10 });
    expect(answered.status).toBe(200);
    expect((answered.body as { usage: { total_tokens: number } }).usage.total_tokens).toBeGreaterThanOrEqual(2);

    const refused = await refusal(other);
    const error = expectRefused(refused, 'event-tokens-per-minute', 60);
    expect(error.message).toContain('2 tokens for the whole event per minute');
    expect(refused.headers['x-ratelimit-limit-tokens']).toBe('2');
    expect(refused.headers['x-should-retry']).toBeUndefined();
  });

  it('shares the event day budget between realtime sessions of different attendees', async () => {
    const { eventId, key } = await live({ eventTokensPerDay: 20 });
    const other = (await registerAttendee(http, eventId)).apiKey;
    const client = await open(key);

    expect(await askUntilClosed(client)).toEqual([22]);
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'token_limit_exceeded' });

    const refused = expectRefused(await refusal(other), 'event-tokens-per-day', 86_400);
    expect(refused.message).toContain('20 tokens for the whole event per day');
  });

  it('leaves sessions alone when the event has no token budgets', async () => {
    const { key } = await live({});
    const client = await open(key);
    client.send(TEXT_ONLY_GA);
    for (let n = 1; n <= 3; n++) await client.ask(TURN, n);
    client.close();

    expect(await client.waitClosed()).toMatchObject({ code: 1000 });
    expect(client.ofType('error')).toEqual([]);
  });
});
