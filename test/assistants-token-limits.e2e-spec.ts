import OpenAI, { AzureOpenAI } from 'openai';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, chat, simulatedResource } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { expectTokenLimit, freshMinute } from './support/token-limits';

const SIM_KEY = 'assistants-budget-upstream-key-93d2';
const API_VERSION = '2025-04-01-preview';
const DEPLOYMENT = 'assistant-4o';
const POLL = { pollIntervalMs: 20 };
/** ~100 prompt tokens: one chat completion uses a small minute budget up on its own. */
const LONG_PROMPT = 'tokens '.repeat(60);

describe('token budgets on assistant runs', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY });
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  async function event(limits: Record<string, number | null>): Promise<EventResponse> {
    const { event } = await seedEvent(http, limits, [
      simulatedResource(sim, SIM_KEY, { name: 'Assistants', deploymentName: DEPLOYMENT, modelClass: 'openai-assistant' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'chat' }),
    ]);
    return event;
  }

  function client(key: string): AzureOpenAI {
    return new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
  }

  const usageOf = async (key: string) =>
    (await http.get<{ usage: { requests: number; tokens: number } }>('/api/v1/eventinfo', { headers: attendeeHeaders(key) })).body.usage;

  it('refuses a run with 429 token_limit_exceeded once a chat completion used the minute budget up, and does not count it', async () => {
    await freshMinute();
    const ev = await event({ attendeeTokensPerMinute: 50 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    const a = client(key);
    const assistant = await a.beta.assistants.create({ model: DEPLOYMENT });
    const thread = await a.beta.threads.create({ messages: [{ role: 'user', content: 'hello' }] });

    const used = await chat(http, key, { model: 'chat', max_tokens: 20, messages: [{ role: 'user', content: LONG_PROMPT }] });
    expect(used.status).toBe(200);
    expect((used.body as { usage: { total_tokens: number } }).usage.total_tokens).toBeGreaterThanOrEqual(50);

    // The raw HTTP answer, to see the headers the SDK hides.
    const refused = await http.post(
      `/openai/threads/${thread.id}/runs?api-version=${API_VERSION}`,
      { assistant_id: assistant.id },
      { headers: attendeeHeaders(key) },
    );
    expectTokenLimit(refused, 'attendee-tokens-per-minute', 60);
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('50');
    let sdkError: unknown;
    try {
      await a.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } });
    } catch (err) {
      sdkError = err;
    }
    expect(sdkError).toBeInstanceOf(OpenAI.APIError);
    expect(sdkError).toMatchObject({ status: 429, code: 'token_limit_exceeded' });
    // Neither refused run took one of the day's requests: only the chat completion did.
    expect((await usageOf(key)).requests).toBe(1);
  });

  it("charges a finished run's tokens to the shared budgets once, so they block a chat completion", async () => {
    await freshMinute();
    const ev = await event({ attendeeTokensPerMinute: 5, eventTokensPerDay: 1_000 });
    const key = (await registerAttendee(http, ev.id)).apiKey;
    const other = (await registerAttendee(http, ev.id)).apiKey;
    const a = client(key);
    const assistant = await a.beta.assistants.create({ model: DEPLOYMENT });
    const thread = await a.beta.threads.create({ messages: [{ role: 'user', content: 'hello, a run of a few more tokens please' }] });

    const run = await a.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, POLL);
    expect(run.status).toBe('completed');
    const runTokens = run.usage!.total_tokens;
    expect(runTokens).toBeGreaterThan(5);
    // Reading the finished run again charges nothing more.
    expect((await a.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status).toBe('completed');

    expectTokenLimit(await chat(http, key, { model: 'chat', max_tokens: 10 }), 'attendee-tokens-per-minute', 60);
    expect(await usageOf(key)).toMatchObject({ requests: 1, tokens: runTokens });
    // The budget is the attendee's: another attendee of the event still gets an answer.
    const answered = await chat(http, other, { model: 'chat', max_tokens: 10 });
    expect(answered.status).toBe(200);
    const chatTokens = (answered.body as { usage: { total_tokens: number } }).usage.total_tokens;

    // The event's day window holds both (seeded like the HTTP routes'): a day budget now below it refuses.
    const patched = await http.patch(`/api/v1/admin/events/${ev.id}`, { eventTokensPerDay: runTokens + chatTokens });
    expect(patched.status).toBe(200);
    expectTokenLimit(await chat(http, other, { model: 'chat', max_tokens: 10 }), 'event-tokens-per-day', 86_400);
  });
});
