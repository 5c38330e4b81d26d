import type { TokenLimits } from '../catalog/catalog.types';
import type { AppConfig } from '../config/app-config';
import { SharedStateService } from '../shared-state/shared-state.service';
import { AdmissionRequest, CounterSeeds, DailyCounters } from './daily-counters';

const NO_LIMITS: TokenLimits = { attendeePerMinute: null, attendeePerDay: null, eventPerMinute: null, eventPerDay: null };
/** 12:00:30 UTC: half a minute into a minute. */
const NOW = Date.parse('2026-03-01T12:00:30Z');

function state(): SharedStateService {
  return new SharedStateService({ scale: { workers: 1, redisKeyPrefix: 't:' } } as AppConfig);
}

function seeds(attendee = { requests: 0, tokens: 0 }, eventTokens = 0): CounterSeeds & { loads: number } {
  const s = {
    loads: 0,
    attendeeDay: async () => {
      s.loads++;
      await new Promise((r) => setTimeout(r, 5));
      return attendee;
    },
    eventDayTokens: async () => eventTokens,
  };
  return s;
}

/** A request with no token budgets: the daily request cap alone. */
function take(sut: DailyCounters, attendeeId: string, day: string, cap: number) {
  return sut.admit(request({ attendeeId, day, dailyRequestCap: cap }));
}

function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    eventId: 'ev',
    attendeeId: 'a',
    day: '2026-03-01',
    now: NOW,
    msToMidnight: 12 * 3_600_000,
    dailyRequestCap: 1_000,
    limits: NO_LIMITS,
    reserve: 0,
    metered: true,
    ...overrides,
  };
}

describe(DailyCounters.name, () => {
  it('admits exactly the cap under concurrent first requests, loading once', async () => {
    const loader = seeds({ requests: 2, tokens: 0 });
    const sut = new DailyCounters(state(), loader);
    const results = await Promise.all(Array.from({ length: 50 }, () => take(sut, 'a', '2026-01-01', 10)));
    expect(results.filter((r) => r.ok)).toHaveLength(8);
    expect(loader.loads).toBe(1);
    expect((await sut.peek('a', '2026-01-01')).requests).toBe(10);
  });

  it('keeps days and attendees apart, refunds and adds tokens', async () => {
    const sut = new DailyCounters(state(), seeds());
    await take(sut, 'a', 'd1', 1);
    expect((await take(sut, 'a', 'd1', 1)).ok).toBe(false);
    expect((await take(sut, 'a', 'd2', 1)).ok).toBe(true);
    expect((await take(sut, 'b', 'd1', 1)).ok).toBe(true);
    await sut.refund('a', 'd1');
    await sut.addTokens('ev', 'a', 'd1', 42);
    expect(await sut.peek('a', 'd1')).toEqual({ requests: 0, tokens: 42 });
  });

  it('retries a failed load on the next request', async () => {
    let calls = 0;
    const sut = new DailyCounters(state(), {
      attendeeDay: async () => {
        if (calls++ === 0) throw new Error('db down');
        return { requests: 0, tokens: 0 };
      },
      eventDayTokens: async () => 0,
    });
    await expect(take(sut, 'a', 'd', 1)).rejects.toThrow('db down');
    await expect(take(sut, 'a', 'd', 1)).resolves.toMatchObject({ ok: true, used: 1 });
  });

  it('admits against a minute budget while it has room, overshooting by at most one reservation', async () => {
    const sut = new DailyCounters(state(), seeds());
    const limits = { ...NO_LIMITS, attendeePerMinute: 1_000 };
    const results = await Promise.all(Array.from({ length: 20 }, () => sut.admit(request({ limits, reserve: 300 }))));
    // 0, 300, 600, 900 have room; 1,200 does not.
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    const refused = results.find((r) => !r.ok);
    expect(refused).toEqual({ ok: false, limit: 'attendee-tokens-per-minute', cap: 1_000, used: 1_200, retryAfterMs: 30_000 });
    // The next minute starts empty.
    expect((await sut.admit(request({ limits, reserve: 300, now: NOW + 30_000 }))).ok).toBe(true);
  });

  it('settles a reservation to the real usage and releases an aborted one', async () => {
    const sut = new DailyCounters(state(), seeds());
    const limits = { ...NO_LIMITS, attendeePerMinute: 1_000 };
    const first = await sut.admit(request({ limits, reserve: 900 }));
    if (!first.ok) throw new Error('expected admission');
    expect((await sut.admit(request({ limits, reserve: 900 }))).ok).toBe(true);
    expect((await sut.admit(request({ limits, reserve: 900 }))).ok).toBe(false);
    // The first answer used 100 of its 900, the second was aborted before any token: 100 remain counted.
    await sut.settle(first.ticket, 100, false);
    const third = await sut.admit(request({ limits, reserve: 900 }));
    expect(third.ok).toBe(false);
    expect(third).toMatchObject({ used: 1_000 });
    const second = await sut.admit(request({ limits: NO_LIMITS, reserve: 0 }));
    expect(second.ok).toBe(true);
    expect(await sut.peek('a', '2026-03-01')).toEqual({ requests: 3, tokens: 1_000 });
  });

  it('shares the event budget between attendees and starts the day from the database', async () => {
    const sut = new DailyCounters(state(), seeds({ requests: 0, tokens: 0 }, 4_500));
    const limits = { ...NO_LIMITS, eventPerDay: 5_000 };
    expect((await sut.admit(request({ attendeeId: 'a', limits, reserve: 400 }))).ok).toBe(true);
    // 4,900 of 5,000: room for one more, which may overshoot by its reservation.
    expect((await sut.admit(request({ attendeeId: 'b', limits, reserve: 400 }))).ok).toBe(true);
    const refused = await sut.admit(request({ attendeeId: 'c', limits, reserve: 400 }));
    expect(refused).toEqual({ ok: false, limit: 'event-tokens-per-day', cap: 5_000, used: 5_300, retryAfterMs: 12 * 3_600_000 });
  });

  it('refunds the request with the settle and ignores budgets for requests that are not token-metered', async () => {
    const sut = new DailyCounters(state(), seeds());
    const limits = { ...NO_LIMITS, attendeePerMinute: 10 };
    const a = await sut.admit(request({ limits, reserve: 50, dailyRequestCap: 1 }));
    if (!a.ok) throw new Error('expected admission');
    await sut.settle(a.ticket, 0, true);
    expect((await sut.admit(request({ limits, reserve: 0, metered: false, dailyRequestCap: 1 }))).ok).toBe(true);
    expect(await sut.admit(request({ limits, reserve: 0, metered: false, dailyRequestCap: 1 }))).toMatchObject({ ok: false, limit: 'requests-per-day' });
  });

  it('charges unreserved tokens to the same windows an admission checks, and names the budget it used up', async () => {
    const sut = new DailyCounters(state(), seeds({ requests: 0, tokens: 0 }, 40));
    const limits = { ...NO_LIMITS, attendeePerMinute: 100, eventPerDay: 100 };
    const charge = (tokens: number, attendeeId = 'a') => sut.charge({ eventId: 'ev', attendeeId, day: '2026-03-01', now: NOW, msToMidnight: 12 * 3_600_000, limits, tokens });

    await expect(charge(30)).resolves.toBeUndefined();
    // The event's day started at 40 (from the database): 40 + 30 + 30 = 100 uses it up, for every attendee.
    await expect(charge(30, 'b')).resolves.toEqual({ limit: 'event-tokens-per-day', cap: 100, used: 100, retryAfterMs: 12 * 3_600_000 });
    expect(await sut.admit(request({ limits, attendeeId: 'c' }))).toMatchObject({ ok: false, limit: 'event-tokens-per-day' });

    const perMinute = new DailyCounters(state(), seeds());
    const minuteLimits = { ...NO_LIMITS, attendeePerMinute: 50 };
    await perMinute.charge({ eventId: 'ev', attendeeId: 'a', day: '2026-03-01', now: NOW, msToMidnight: 1, limits: minuteLimits, tokens: 49 });
    expect(await perMinute.admit(request({ limits: minuteLimits }))).toMatchObject({ ok: true });
    await expect(perMinute.charge({ eventId: 'ev', attendeeId: 'a', day: '2026-03-01', now: NOW, msToMidnight: 1, limits: minuteLimits, tokens: 5 })).resolves.toEqual({
      limit: 'attendee-tokens-per-minute',
      cap: 50,
      used: 54,
      retryAfterMs: 30_000,
    });
    expect(await perMinute.admit(request({ limits: minuteLimits }))).toMatchObject({ ok: false, limit: 'attendee-tokens-per-minute', retryAfterMs: 30_000 });
  });
});
