import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { DatabaseLifecycle } from '../database/database-lifecycle';
import type { CatalogEvent } from '../catalog/catalog.types';
import { dayKey, nextMidnight } from '../events/event-window';
import { SharedStateService } from '../shared-state/shared-state.service';
import { AdmissionOutcome, AdmissionRequest, BudgetExhausted, ChargeRequest, DailyCounters, DayCount, Ticket } from './daily-counters';
import { DailyIncrement, UsageRepository } from './usage.repository';
import type { UsageEntry } from './usage.types';

/** PostgreSQL text cannot hold NUL and the columns have lengths: one hostile value must not poison a batch. */
function clean(value: string, max: number): string {
  return value.replaceAll('\u0000', '').slice(0, max);
}

export function fitForStorage(entry: UsageEntry): UsageEntry {
  return {
    ...entry,
    requestId: entry.requestId === null ? null : clean(entry.requestId, 128),
    deployment: clean(entry.deployment, 128),
    route: clean(entry.route, 64),
    errorCode: entry.errorCode === null ? null : clean(entry.errorCode, 64),
  };
}

/** Dropped records are logged together at most this often, with up to MAX_LOGGED_IDS of their request ids. */
const DROP_LOG_MS = 5_000;
const MAX_LOGGED_IDS = 1_000;

/**
 * Usage metering off the request path: records are buffered and written in batches, the daily counters
 * behind the caps live in memory (see DailyCounters), and the buffer is flushed before shutdown.
 */
@Injectable()
export class UsageService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(UsageService.name);
  private buffer: UsageEntry[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly counters: DailyCounters;
  private failing = false;
  private droppedTotal = 0;
  /** Records of the write under way (counted in the queue and its bound until they are written). */
  private writing = 0;
  /** Drops not yet logged: one error line every DROP_LOG_MS at most, so a long outage cannot flood the log. */
  private unlogged = { count: 0, requestIds: [] as (string | null)[] };
  private lastDropLog = 0;

  constructor(
    private readonly usage: UsageRepository,
    private readonly config: AppConfig,
    lifecycle: DatabaseLifecycle,
    shared: SharedStateService,
  ) {
    this.counters = new DailyCounters(shared, {
      attendeeDay: (attendeeId, day) => this.usage.dailyUsage(attendeeId, day),
      eventDayTokens: (eventId, day) => this.usage.eventDailyTokens(eventId, day),
    });
    // Requests that finish while the HTTP server drains are written just before the database closes.
    lifecycle.onBeforeClose(async () => {
      await this.flush();
      if (this.buffer.length > 0) await this.flush();
    });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.logDrops(true);
    await this.flush();
    if (this.buffer.length > 0) await this.flush();
  }

  refundDailyRequest(attendeeId: string, day: string): void {
    this.counters.refund(attendeeId, day).catch((err: unknown) => this.logger.error({ err }, 'Refunding a daily request failed'));
  }

  /**
   * Admits a proxied request against the daily request cap and the token budgets in one atomic step,
   * reserving `reserve` tokens; the ticket is settled (or released) with settle().
   */
  async admit(req: AdmissionRequest): Promise<AdmissionOutcome> {
    try {
      return await this.counters.admit(req);
    } catch (err) {
      // An attendee's first request of the day loads their count; with the database down it cannot be checked.
      this.logger.warn({ err: (err as Error)?.message }, 'Loading a daily count failed; the database is unreachable');
      throw new DomainError(ErrorCode.ServiceUnavailable, "The proxy cannot reach its database to check today's allowance. Please retry shortly.", {
        retryAfterMs: 5_000,
      });
    }
  }

  /**
   * Admits one request of an attendee at an event: the day's request and the token budgets in one atomic
   * step, with `reserve` tokens held until settle(). Answers when the day resets too, for the caller's errors.
   */
  async admitAt(
    event: Pick<CatalogEvent, 'id' | 'timeZone' | 'dailyRequestCap' | 'tokenLimits'>,
    attendeeId: string,
    day: string,
    now: Date,
    reserve: number,
    metered: boolean,
  ): Promise<{ admission: AdmissionOutcome; resetsAt: Date }> {
    const resetsAt = nextMidnight(now, event.timeZone);
    const admission = await this.admit({
      eventId: event.id,
      attendeeId,
      day,
      now: now.getTime(),
      msToMidnight: resetsAt.getTime() - now.getTime(),
      dailyRequestCap: event.dailyRequestCap,
      limits: event.tokenLimits,
      reserve,
      metered,
    });
    return { admission, resetsAt };
  }

  /** Settles a reservation to the tokens really used; `refund` also gives the request back. Never throws. */
  settle(ticket: Ticket, tokens: number, refund: boolean): void {
    this.counters.settle(ticket, tokens, refund).catch((err: unknown) => this.logger.error({ err }, 'Settling a token reservation failed'));
  }

  /**
   * Charges tokens used without a reservation (a realtime response, a finished assistant run) to the token budgets; answers the
   * budget this used up, if any. Never throws: a failed charge is logged and the session goes on.
   */
  async charge(req: ChargeRequest): Promise<BudgetExhausted | undefined> {
    try {
      return await this.counters.charge(req);
    } catch (err) {
      this.logger.error({ err: (err as Error)?.message }, 'Charging unreserved tokens to the budgets failed');
      return undefined;
    }
  }

  /** Today's requests and tokens for an attendee, "today" being the calendar day in the event's zone. */
  async today(attendeeId: string, timeZone: string, now = new Date()): Promise<{ day: string } & DayCount> {
    const day = dayKey(now, timeZone);
    return { day, ...(await this.counters.peek(attendeeId, day)) };
  }

  /** `tokensSettled`: the tokens were already counted by settle() (proxied requests with a ticket). */
  record(raw: UsageEntry, tokensSettled = false): void {
    const entry = fitForStorage(raw);
    if (entry.attendeeId && !tokensSettled && entry.totalTokens > 0) {
      this.counters
        .addTokens(entry.eventId, entry.attendeeId, entry.day, entry.totalTokens)
        .catch((err: unknown) => this.logger.error({ err }, 'Counting tokens failed'));
    }
    this.buffer.push(entry);
    this.enforceBound();
    if (this.buffer.length >= this.config.usage.batchSize) void this.flush();
  }

  /** Bounded (USAGE_QUEUE_MAX, the write under way included): beyond it the oldest records are dropped, counted and logged loudly. */
  private enforceBound(): void {
    const max = this.config.usage.queueMax;
    const over = Math.min(this.buffer.length + this.writing - max, this.buffer.length);
    if (over <= 0) return;
    const dropped = this.buffer.splice(0, over);
    this.droppedTotal += dropped.length;
    this.unlogged.count += dropped.length;
    for (const e of dropped) if (this.unlogged.requestIds.length < MAX_LOGGED_IDS) this.unlogged.requestIds.push(e.requestId);
    this.logDrops(false);
  }

  private logDrops(force: boolean): void {
    if (this.unlogged.count === 0 || (!force && Date.now() - this.lastDropLog < DROP_LOG_MS)) return;
    this.logger.error(
      { dropped: this.unlogged.count, droppedTotal: this.droppedTotal, queueMax: this.config.usage.queueMax, requestIds: this.unlogged.requestIds },
      'Usage queue full (USAGE_QUEUE_MAX): the database has been unreachable too long; oldest records dropped',
    );
    this.unlogged = { count: 0, requestIds: [] };
    this.lastDropLog = Date.now();
  }

  /** Pending records (the usage queue depth metric, tests and shutdown diagnostics). */
  get pending(): number {
    return this.buffer.length + this.writing;
  }

  /** Records dropped since start because the queue was full. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Writes everything buffered at the time of the call, waiting out a write already under way. */
  async flush(): Promise<void> {
    this.logDrops(false);
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.writeOut().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeOut(): Promise<void> {
    const batch = this.buffer.splice(0, this.config.usage.batchSize * 4);
    this.writing = batch.length;
    try {
      const [events, resources] = await Promise.all([
        this.usage.existingIds('events', [...new Set(batch.map((e) => e.eventId))]),
        this.usage.existingIds('resources', [...new Set(batch.flatMap((e) => (e.resourceId ? [e.resourceId] : [])))]),
      ]);
      const entries = batch
        .filter((e) => events.has(e.eventId))
        .map((e) => (e.resourceId && !resources.has(e.resourceId) ? { ...e, resourceId: null } : e));
      const increments = new Map<string, DailyIncrement>();
      for (const e of entries) {
        if (!e.attendeeId) continue;
        const key = `${e.attendeeId}|${e.day}`;
        const inc = increments.get(key) ?? { attendeeId: e.attendeeId, day: e.day, requests: 0, tokens: 0 };
        inc.requests += e.counted ? 1 : 0;
        inc.tokens += e.totalTokens;
        increments.set(key, inc);
      }
      await this.usage.writeBatch(entries, [...increments.values()]);
      this.writing = 0;
      if (this.failing) this.logger.warn('Usage writes recovered');
      this.failing = false;
    } catch (err) {
      // Keep the batch for the next tick: usage is never silently lost while memory allows.
      this.writing = 0;
      this.buffer.unshift(...batch);
      this.enforceBound();
      if (!this.failing) this.logger.error({ err }, 'Writing usage records failed; will retry');
      this.failing = true;
    }
  }
}
