import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';
import { sessionEndEvent, sessionVerdict, tokenBudgetEnd } from './realtime-governance';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const event = (overrides: Partial<CatalogEvent> = {}): CatalogEvent => ({
  id: 'ev',
  name: 'Hack',
  description: '',
  organizerName: '',
  organizerEmail: '',
  eventUrl: null,
  imageUrl: null,
  startsAt: new Date(NOW - 3_600_000),
  endsAt: new Date(NOW + 3_600_000),
  timeZone: 'UTC',
  maxTokenCap: 1000,
  dailyRequestCap: 100,
  maxRealtimeSessions: 2,
  maxRealtimeSessionSeconds: 1800,
  tokenLimits: { attendeePerMinute: null, attendeePerDay: null, eventPerMinute: null, eventPerDay: null },
  active: true,
  registrationMode: 'open',
  registrationCode: null,
  modelAliases: {},
  ...overrides,
});
const attendee = (overrides: Partial<CatalogAttendee> = {}): CatalogAttendee => ({ id: 'a', eventId: 'ev', name: 'A', email: 'a@x', keyHash: 'h', active: true, ...overrides });
const facts = (overrides: Partial<Parameters<typeof sessionVerdict>[0]> = {}) => ({ event: event(), attendee: attendee(), startedAt: NOW - 60_000, now: NOW, ...overrides });

describe(sessionVerdict.name, () => {
  it('lets a session in a live event with an active key and time left run on', () => {
    expect(sessionVerdict(facts())).toBeUndefined();
  });

  it('ends the session at the event end, to the millisecond', () => {
    const endsAt = new Date(NOW);

    expect(sessionVerdict(facts({ event: event({ endsAt }), now: NOW - 1 }))).toBeUndefined();
    expect(sessionVerdict(facts({ event: event({ endsAt }) }))).toMatchObject({ code: 'event_ended', message: expect.stringContaining('2026-03-01T12:00:00.000Z') });
  });

  it('ends the session when the event is deactivated or deleted', () => {
    expect(sessionVerdict(facts({ event: event({ active: false }) }))?.code).toBe('event_inactive');
    expect(sessionVerdict(facts({ event: undefined }))?.code).toBe('event_ended');
  });

  it('ends the session when the key is revoked, rotated away or its attendee deleted', () => {
    expect(sessionVerdict(facts({ attendee: attendee({ active: false }) }))).toMatchObject({ code: 'key_revoked', message: expect.stringContaining('revoked') });
    expect(sessionVerdict(facts({ attendee: undefined }))).toMatchObject({ code: 'key_revoked', message: expect.stringContaining('replaced') });
  });

  it('ends the session when the event is moved into the future', () => {
    expect(sessionVerdict(facts({ event: event({ startsAt: new Date(NOW + 1) }) }))?.code).toBe('event_not_started');
  });

  it('ends the session at maxRealtimeSessionSeconds, read from the event as it is now', () => {
    const startedAt = NOW - 30 * 60_000;

    expect(sessionVerdict(facts({ startedAt: startedAt + 1 }))).toBeUndefined();
    expect(sessionVerdict(facts({ startedAt }))).toMatchObject({ code: 'session_expired', message: expect.stringContaining('30 min') });
    expect(sessionVerdict(facts({ event: event({ maxRealtimeSessionSeconds: 5 }), startedAt: NOW - 5_000 }))?.message).toContain('5 s');
  });

  it('names the most fundamental reason first: a revoked key in an ended event is a revoked key', () => {
    expect(sessionVerdict(facts({ attendee: attendee({ active: false }), event: event({ endsAt: new Date(NOW - 1) }) }))?.code).toBe('key_revoked');
  });
});

describe(sessionEndEvent.name, () => {
  it('is a realtime error event an SDK surfaces with its code and message', () => {
    expect(sessionEndEvent({ code: 'session_expired', message: 'm' }, 'evt_1')).toEqual({
      type: 'error',
      event_id: 'evt_1',
      error: { type: 'invalid_request_error', code: 'session_expired', message: 'm', param: null, event_id: null },
    });
  });
});

describe(tokenBudgetEnd.name, () => {
  it('names the budget, what was counted and when it frees, and reaches the client as a rate-limit error', () => {
    const end = tokenBudgetEnd({ limit: 'event-tokens-per-minute', cap: 500, used: 530, retryAfterMs: 25_000 }, NOW);
    const day = tokenBudgetEnd({ limit: 'attendee-tokens-per-day', cap: 10_000, used: 10_020, retryAfterMs: 3_600_000 }, NOW);

    expect(end).toEqual({
      code: 'token_limit_exceeded',
      message: expect.stringContaining('event-tokens-per-minute limit (500 tokens for the whole event per minute): 530 tokens counted'),
    });
    expect(end.message).toContain('frees at 2026-03-01T12:00:25.000Z (in 25 s)');
    expect(day.message).toContain('(10000 tokens per attendee per day)');
    expect(day.message).toContain('when the day ends in the event time zone');
    expect(sessionEndEvent(end, 'evt_2')).toMatchObject({ error: { type: 'rate_limit_error', code: 'token_limit_exceeded' } });
  });
});
