import type { TokenLimits } from '../catalog/catalog.types';
import type { CounterAdjustment } from '../shared-state/counter-store';
import type { Admission, SeededWindow } from '../shared-state/shared-state.service';

export interface DayCount {
  requests: number;
  tokens: number;
}

/** The part of SharedStateService the counters use (a MemoryStore-backed one in unit tests). */
export interface CounterPort {
  admit(windows: SeededWindow[]): Promise<Admission>;
  adjust(items: CounterAdjustment[]): Promise<void>;
  get(keys: string[]): Promise<(number | null)[]>;
}

/** Where counts start when a window is first touched: the database's totals so far. */
export interface CounterSeeds {
  attendeeDay(attendeeId: string, day: string): Promise<DayCount>;
  eventDayTokens(eventId: string, day: string): Promise<number>;
}

export type LimitName = 'requests-per-day' | 'attendee-tokens-per-minute' | 'attendee-tokens-per-day' | 'event-tokens-per-minute' | 'event-tokens-per-day';

export interface AdmissionRequest {
  eventId: string;
  attendeeId: string;
  /** Calendar day in the event's zone. */
  day: string;
  now: number;
  /** Ms from `now` to the next midnight in the event's zone. */
  msToMidnight: number;
  dailyRequestCap: number;
  limits: TokenLimits;
  /** Tokens this request may use at most (prompt estimate + max_tokens); 0 when it is not token-metered. */
  reserve: number;
  /** Whether the token budgets apply to this request at all (text in or out). */
  metered: boolean;
}

/** What to settle when the answer ends: the token windows this request reserved in, and its request slot. */
export interface Ticket {
  requestKey: string;
  tokenKeys: string[];
  reserved: number;
}

/** Tokens a realtime response used, charged when its response.done arrives (no reservation before). */
export interface ChargeRequest {
  eventId: string;
  attendeeId: string;
  day: string;
  now: number;
  msToMidnight: number;
  limits: TokenLimits;
  tokens: number;
}

export type BudgetExhausted = { limit: LimitName; cap: number; used: number; retryAfterMs: number };

export type AdmissionOutcome =
  | { ok: true; ticket: Ticket; used: number }
  | { ok: false; limit: LimitName; cap: number; used: number; retryAfterMs: number };

const MINUTE = 60_000;
/** Day windows outlive their day so a late settle still finds them; keys carry the day, so nothing mixes. */
const DAY_TTL = 2 * 86_400_000;
const MINUTE_TTL = 2 * MINUTE;

export const counterKeys = {
  requests: (attendeeId: string, day: string) => `dc:req:${attendeeId}:${day}`,
  attendeeDayTokens: (attendeeId: string, day: string) => `dc:tok:${attendeeId}:${day}`,
  eventDayTokens: (eventId: string, day: string) => `tl:ed:${eventId}:${day}`,
  attendeeMinute: (attendeeId: string, minute: number) => `tl:am:${attendeeId}:${minute}`,
  eventMinute: (eventId: string, minute: number) => `tl:em:${eventId}:${minute}`,
};

interface PlannedWindow extends SeededWindow {
  name: LimitName;
  retryAfterMs: number;
  tokens: boolean;
}

/**
 * The windows one admission touches, in one atomic step: the daily request cap, and (for token-metered
 * requests) the attendee's and the event's token budgets per fixed minute and per day. Day windows are
 * always counted, limited or not, so that setting a limit mid-day starts from the real total.
 */
export function planWindows(req: AdmissionRequest, seeds: CounterSeeds): PlannedWindow[] {
  const { attendeeId, eventId, day, limits } = req;
  const minute = Math.floor(req.now / MINUTE);
  const toNextMinute = (minute + 1) * MINUTE - req.now;
  let attendeeDay: Promise<DayCount> | undefined;
  const attendeeSeed = () => (attendeeDay ??= seeds.attendeeDay(attendeeId, day));
  const windows: PlannedWindow[] = [
    {
      name: 'requests-per-day',
      key: counterKeys.requests(attendeeId, day),
      amount: 1,
      limit: req.dailyRequestCap,
      ttlMs: DAY_TTL,
      load: async () => (await attendeeSeed()).requests,
      retryAfterMs: req.msToMidnight,
      tokens: false,
    },
    {
      name: 'attendee-tokens-per-day',
      key: counterKeys.attendeeDayTokens(attendeeId, day),
      amount: req.reserve,
      limit: req.metered ? limits.attendeePerDay : null,
      ttlMs: DAY_TTL,
      load: async () => (await attendeeSeed()).tokens,
      retryAfterMs: req.msToMidnight,
      tokens: true,
    },
    {
      name: 'event-tokens-per-day',
      key: counterKeys.eventDayTokens(eventId, day),
      amount: req.reserve,
      limit: req.metered ? limits.eventPerDay : null,
      ttlMs: DAY_TTL,
      load: () => seeds.eventDayTokens(eventId, day),
      retryAfterMs: req.msToMidnight,
      tokens: true,
    },
  ];
  if (req.metered && limits.attendeePerMinute !== null) {
    windows.push({
      name: 'attendee-tokens-per-minute',
      key: counterKeys.attendeeMinute(attendeeId, minute),
      amount: req.reserve,
      limit: limits.attendeePerMinute,
      ttlMs: MINUTE_TTL,
      retryAfterMs: toNextMinute,
      tokens: true,
    });
  }
  if (req.metered && limits.eventPerMinute !== null) {
    windows.push({
      name: 'event-tokens-per-minute',
      key: counterKeys.eventMinute(eventId, minute),
      amount: req.reserve,
      limit: limits.eventPerMinute,
      ttlMs: MINUTE_TTL,
      retryAfterMs: toNextMinute,
      tokens: true,
    });
  }
  return windows;
}

/**
 * Per attendee-day request counts and token budgets, kept in shared state (Redis, the cluster primary,
 * or this process) so every worker and replica enforces one cap. Admission is one atomic
 * check-and-add over all windows (no over-admission under concurrency); a window admits while it has
 * room, so a budget is exceeded by at most one request's reservation. Tokens are reserved up front and
 * settled to the real usage when the answer ends.
 */
export class DailyCounters {
  constructor(
    private readonly state: CounterPort,
    private readonly seeds: CounterSeeds,
  ) {}

  async admit(req: AdmissionRequest): Promise<AdmissionOutcome> {
    const windows = planWindows(req, this.seeds);
    const result = await this.state.admit(windows.map(({ name: _n, retryAfterMs: _r, tokens: _t, ...w }) => w));
    if (result.status === 'refused') {
      const w = windows[result.index];
      return { ok: false, limit: w.name, cap: w.limit ?? 0, used: result.current, retryAfterMs: Math.max(1_000, w.retryAfterMs) };
    }
    return {
      ok: true,
      used: result.values[0],
      ticket: { requestKey: windows[0].key, tokenKeys: windows.filter((w) => w.tokens).map((w) => w.key), reserved: req.reserve },
    };
  }

  /** Replaces the reservation by what the answer used; `refund` gives the request back (it never reached a model). */
  settle(ticket: Ticket, tokens: number, refund: boolean): Promise<void> {
    const delta = tokens - ticket.reserved;
    const items: CounterAdjustment[] = ticket.tokenKeys.map((key) => ({ key, delta, ttlMs: MINUTE_TTL }));
    if (refund) items.push({ key: ticket.requestKey, delta: -1, ttlMs: DAY_TTL });
    return this.state.adjust(items);
  }

  /**
   * Adds tokens used without a reservation to the windows an admission would reserve in (one atomic add,
   * day windows seeded from the database like an admission's), and names the first budget the add used up.
   * Realtime sessions charge each response this way, so a budget is exceeded by at most one response.
   */
  async charge(req: ChargeRequest): Promise<BudgetExhausted | undefined> {
    const plan = { ...req, dailyRequestCap: 0, reserve: req.tokens, metered: true };
    const windows = planWindows(plan, this.seeds).filter((w) => w.tokens);
    // Counted without limiting: the tokens are already spent; the budgets are compared with the totals after.
    const result = await this.state.admit(windows.map(({ name: _n, retryAfterMs: _r, tokens: _t, ...w }) => ({ ...w, limit: null })));
    const values = result.status === 'admitted' ? result.values : [];
    const full = windows.findIndex((w, i) => w.limit !== null && (values[i] ?? w.limit) >= w.limit);
    if (full < 0) return undefined;
    const w = windows[full];
    return { limit: w.name, cap: w.limit ?? 0, used: values[full] ?? w.limit ?? 0, retryAfterMs: Math.max(1_000, w.retryAfterMs) };
  }

  refund(attendeeId: string, day: string): Promise<void> {
    return this.state.adjust([{ key: counterKeys.requests(attendeeId, day), delta: -1, ttlMs: DAY_TTL }]);
  }

  /** Tokens used outside an admission ticket (realtime sessions). */
  addTokens(eventId: string, attendeeId: string, day: string, tokens: number): Promise<void> {
    return this.state.adjust([
      { key: counterKeys.attendeeDayTokens(attendeeId, day), delta: tokens, ttlMs: DAY_TTL },
      { key: counterKeys.eventDayTokens(eventId, day), delta: tokens, ttlMs: DAY_TTL },
    ]);
  }

  async peek(attendeeId: string, day: string): Promise<DayCount> {
    const [requests, tokens] = await this.state.get([counterKeys.requests(attendeeId, day), counterKeys.attendeeDayTokens(attendeeId, day)]);
    if (requests !== null && tokens !== null) return { requests, tokens };
    // Not touched today by any process: the database has the whole count.
    return this.seeds.attendeeDay(attendeeId, day);
  }
}

export const NO_LIMITS: TokenLimits = { attendeePerMinute: null, attendeePerDay: null, eventPerMinute: null, eventPerDay: null };
