import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { hashApiKey } from '../src/attendees/api-key';
import type { AttendeeResponse, EventResponse, Page } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat, expectOpenAiError, waitFor } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import type { UsageReport } from '../src/usage/dto/usage.schemas';

const CODE = 's3cret-code';
const HOUR = 3_600_000;

describe('Shared-code keys (<eventId>@<sharedCode>/<email or 8+ characters>)', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  const codeEvent = async (overrides: Record<string, unknown> = {}): Promise<EventResponse> =>
    (await seedEvent(http, { registration: { mode: 'code', code: CODE }, dailyRequestCap: 100, ...overrides }, [builtinResource({ deploymentName: 'chat' })])).event;
  const attendees = async (eventId: string): Promise<AttendeeResponse[]> =>
    (await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${eventId}/attendees?pageSize=100`)).body.items;

  it('accepts the key as is and registers the attendee on first use, persisted, so the usage report names them', async () => {
    const event = await codeEvent();
    const key = `${event.id}@${CODE}/ada@example.com`;

    const first = await chat(http, key, { model: 'chat' });
    const second = await chat(http, key, { model: 'chat' });

    expect([first.status, second.status]).toEqual([200, 200]);
    const [ada] = await attendees(event.id);
    expect(ada).toMatchObject({ name: 'ada', email: 'ada@example.com', keyPrefix: 'shared-code', active: true });
    expect(await attendees(event.id)).toHaveLength(1);
    // The key's own hash is the attendee's key hash: later requests take the in-memory path of issued keys.
    const [row] = (await t.app.get(DataSource).query('SELECT key_hash FROM attendees WHERE id = $1', [ada.id])) as { key_hash: string }[];
    expect(row.key_hash).toBe(hashApiKey(key));
    const report = await waitFor(async () => {
      const r = await http.get<UsageReport>(`/api/v1/admin/events/${event.id}/usage`);
      return r.body.byAttendee[0]?.requests === 2 ? r.body : undefined;
    }, 'both requests in the usage report');
    expect(report.byAttendee).toEqual([expect.objectContaining({ attendeeId: ada.id, name: 'ada', email: 'ada@example.com', requests: 2 })]);
  });

  it('makes each distinct suffix a distinct attendee, with the key in api-key, as a bearer, or through the openai SDK', async () => {
    const event = await codeEvent();

    expect((await http.post('/openai/deployments/chat/chat/completions?api-version=2024-10-21', { messages: [{ role: 'user', content: 'hi' }] }, {
      headers: attendeeHeaders(`${event.id}@${CODE}/githubuser42`, 'azure'),
    })).status).toBe(200);
    expect((await chat(http, `${event.id}@${CODE}/Grace@Example.com`, { model: 'chat' })).status).toBe(200);
    const sdk = new OpenAI({ baseURL: `${t.url}/api/v1`, apiKey: `${event.id}@${CODE}/another-person`, maxRetries: 0 });
    expect((await sdk.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] })).choices[0].message.content).toBe('echo: hi');

    expect((await attendees(event.id)).map((a) => [a.name, a.email]).sort()).toEqual([
      ['Grace', 'Grace@Example.com'],
      ['another-person', 'another-person'],
      ['githubuser42', 'githubuser42'],
    ]);
  });

  it('applies the daily request cap to shared-code attendees, each on their own', async () => {
    const event = await codeEvent({ dailyRequestCap: 2 });
    const key = `${event.id}@${CODE}/capped-user`;

    expect((await chat(http, key, { model: 'chat' })).status).toBe(200);
    expect((await chat(http, key, { model: 'chat' })).status).toBe(200);
    const third = await chat(http, key, { model: 'chat' });

    expect(expectOpenAiError(third, 429, 'daily_request_cap_exceeded').message).toContain('2 requests');
    expect((await chat(http, `${event.id}@${CODE}/someone-else`, { model: 'chat' })).status).toBe(200);
    const info = await http.post<{ is_authorized: boolean }>('/api/v1/eventinfo', undefined, { headers: { 'api-key': key } });
    expect(info.body.is_authorized).toBe(false);
  });

  it('creates exactly one attendee when the first uses of a key arrive together', async () => {
    const event = await codeEvent();
    const key = `${event.id}@${CODE}/concurrent@example.com`;

    const results = await Promise.all(Array.from({ length: 12 }, () => chat(http, key, { model: 'chat' })));

    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(await attendees(event.id)).toHaveLength(1);
  });

  it('answers a wrong code, a wrong event or an open-mode event with the usual invalid-key 401, registering nobody', async () => {
    const event = await codeEvent();
    const open = (await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })])).event;

    for (const key of [
      `${event.id}@wrong-code/ada@example.com`,
      `${event.id}@${CODE}x/ada@example.com`,
      `${event.id}@${CODE.slice(0, -1)}/ada@example.com`,
      `no-such-event@${CODE}/ada@example.com`,
      `${open.id}@${CODE}/ada@example.com`,
    ]) {
      expect(expectOpenAiError(await chat(http, key, { model: 'chat' }), 401, 'invalid_api_key').message).toMatch(/^Invalid API key/);
    }
    expect(await attendees(event.id)).toEqual([]);
    expect(await attendees(open.id)).toEqual([]);
  });

  it('says what a shared-code key must end with when the part after the code is too short', async () => {
    const event = await codeEvent();

    const error = expectOpenAiError(await chat(http, `${event.id}@${CODE}/ada`, { model: 'chat' }), 401, 'invalid_api_key');

    expect(error.message).toContain('your email or at least 8 characters');
    expect((await chat(http, `${event.id}@${CODE}/a@b.io`, { model: 'chat' })).status).toBe(200);
  });

  it('refuses before the event starts and after it ends, saying when, and registers nobody', async () => {
    const startsAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const upcoming = await codeEvent({ startsAt, endsAt: new Date(Date.now() + 5 * HOUR).toISOString() });
    const ended = await codeEvent({ startsAt: new Date(Date.now() - 5 * HOUR).toISOString(), endsAt: new Date(Date.now() - HOUR).toISOString() });

    const early = expectOpenAiError(await chat(http, `${upcoming.id}@${CODE}/early-bird`, { model: 'chat' }), 401, 'event_not_started');
    expect(early.message).toContain(startsAt);
    expectOpenAiError(await chat(http, `${ended.id}@${CODE}/late-comer`, { model: 'chat' }), 401, 'event_ended');
    expect(await attendees(upcoming.id)).toEqual([]);
    expect(await attendees(ended.id)).toEqual([]);
  });

  it('refuses an email that already holds a personal key, and a shared-code attendee the organiser deactivated', async () => {
    const event = await codeEvent();
    await registerAttendee(http, event.id, { email: 'taken@example.com', code: CODE });

    const taken = expectOpenAiError(await chat(http, `${event.id}@${CODE}/taken@example.com`, { model: 'chat' }), 401, 'invalid_api_key');
    expect(taken.message).toContain('already holds another key');

    const key = `${event.id}@${CODE}/soon-revoked`;
    expect((await chat(http, key, { model: 'chat' })).status).toBe(200);
    const revoked = (await attendees(event.id)).find((a) => a.email === 'soon-revoked')!;
    expect((await http.patch(`/api/v1/admin/events/${event.id}/attendees/${revoked.id}`, { active: false })).status).toBe(200);
    expectOpenAiError(await chat(http, key, { model: 'chat' }), 401, 'key_revoked');
  });

  it('keeps working once the code changes for attendees already registered, and admits new ones only with the new code', async () => {
    const event = await codeEvent();
    const early = `${event.id}@${CODE}/registered-early`;
    expect((await chat(http, early, { model: 'chat' })).status).toBe(200);

    expect((await http.patch(`/api/v1/admin/events/${event.id}`, { registration: { mode: 'code', code: 'new-code-2' } })).status).toBe(200);

    expect((await chat(http, early, { model: 'chat' })).status).toBe(200);
    expectOpenAiError(await chat(http, `${event.id}@${CODE}/registered-late`, { model: 'chat' }), 401, 'invalid_api_key');
    expect((await chat(http, `${event.id}@new-code-2/registered-late`, { model: 'chat' })).status).toBe(200);
  });
});

describe('Shared-code keys: wrong codes are limited per event and address, together with the registration form', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_FAILURE_LIMIT: '3', REGISTRATION_RATE_WINDOW_S: '60', TRUST_PROXY: 'true' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('answers 429 once an address has guessed wrong too often, even with the right code, while other addresses and known keys go on', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: CODE } }, [builtinResource({ deploymentName: 'chat' })]);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const known = `${event.id}@${CODE}/registered-before`;
    expect((await chat(http, known, { model: 'chat' }, from('203.0.113.7'))).status).toBe(200);

    for (let guess = 0; guess < 2; guess++) {
      expectOpenAiError(await chat(http, `${event.id}@guess-${guess}/attacker-01`, { model: 'chat' }, from('203.0.113.7')), 401, 'invalid_api_key');
    }
    // The third wrong code, through the registration form, counts in the same bucket and blocks the address.
    const formGuess = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'M', email: 'm@example.com', code: 'guess-2' }, { headers: from('203.0.113.7') });
    expect({ status: formGuess.status, code: (formGuess.body as { code?: string }).code }).toEqual({ status: 403, code: 'registration_code_invalid' });
    const blocked = await chat(http, `${event.id}@${CODE}/attacker-01`, { model: 'chat' }, from('203.0.113.7'));

    expect(expectOpenAiError(blocked, 429, 'too_many_requests').message).toMatch(/Too many wrong event codes from your address\. Try again in \d+ s\./);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const formRight = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'M', email: 'm@example.com', code: CODE }, { headers: from('203.0.113.7') });
    expect(formRight.status).toBe(429);
    expect((await chat(http, known, { model: 'chat' }, from('203.0.113.7'))).status).toBe(200);
    expect((await chat(http, `${event.id}@${CODE}/someone-else`, { model: 'chat' }, from('198.51.100.2'))).status).toBe(200);
  });
});
