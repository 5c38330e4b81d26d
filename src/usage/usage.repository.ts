import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AttendeeDailyUsageEntity } from './attendee-daily-usage.entity';
import { UsageRecordEntity } from './usage-record.entity';
import type { UsageEntry } from './usage.types';

export interface DailyIncrement {
  attendeeId: string;
  day: string;
  requests: number;
  tokens: number;
}

export interface UsageTotalsRow {
  key: string;
  requests: number;
  errors: number;
  rateLimited: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimatedRequests: number;
}

/** `hour`: the start of the UTC hour, as ISO 8601 (2026-03-01T09:00:00Z). */
export type UsageGroup = 'day' | 'hour' | 'deployment' | 'attendee';

/** One hour of one deployment's or one attendee's use; `hour` as in {@link UsageGroup}. */
export interface HourlySplitRow {
  hour: string;
  key: string;
  requests: number;
  totalTokens: number;
}

export interface AttendeeTodayRow {
  attendeeId: string;
  name: string;
  email: string;
  requests: number;
  tokens: number;
}

/** usage_records columns written for each entry, in the order of the INSERT's values. */
const RECORD_COLUMNS: [column: string, field: Exclude<keyof UsageEntry, 'counted'>][] = [
  ['request_id', 'requestId'],
  ['event_id', 'eventId'],
  ['attendee_id', 'attendeeId'],
  ['resource_id', 'resourceId'],
  ['deployment', 'deployment'],
  ['route', 'route'],
  ['status', 'status'],
  ['prompt_tokens', 'promptTokens'],
  ['completion_tokens', 'completionTokens'],
  ['total_tokens', 'totalTokens'],
  ['estimated', 'estimated'],
  ['streamed', 'streamed'],
  ['latency_ms', 'latencyMs'],
  ['ttfb_ms', 'ttfbMs'],
  ['attempts', 'attempts'],
  ['error_code', 'errorCode'],
  ['day', 'day'],
  ['created_at', 'createdAt'],
];

@Injectable()
export class UsageRepository {
  private readonly daily: Repository<AttendeeDailyUsageEntity>;
  private readonly records: Repository<UsageRecordEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.daily = dataSource.getRepository(AttendeeDailyUsageEntity);
    this.records = dataSource.getRepository(UsageRecordEntity);
  }

  async dailyUsage(attendeeId: string, day: string): Promise<{ requests: number; tokens: number }> {
    const row = await this.daily.findOneBy({ attendeeId, day });
    return { requests: row?.requests ?? 0, tokens: Number(row?.tokens ?? 0) };
  }

  /** Tokens all attendees of an event used on a day: where the event's daily token budget starts. */
  async eventDailyTokens(eventId: string, day: string): Promise<number> {
    const rows = (await this.dataSource.query(
      'SELECT COALESCE(SUM(d.tokens), 0) AS tokens FROM attendee_daily_usage d JOIN attendees a ON a.id = d.attendee_id WHERE a.event_id = $1 AND d.day = $2',
      [eventId, day],
    )) as { tokens: string | number }[];
    return Number(rows[0]?.tokens ?? 0);
  }

  /** Writes a batch of records and the daily counters they add to, atomically. */
  async writeBatch(entries: UsageEntry[], increments: DailyIncrement[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // One parameterized multi-row INSERT per 500 rows: TypeORM's insert() builder showed up at ~6% of CPU.
      for (let i = 0; i < entries.length; i += 500) {
        const chunk = entries.slice(i, i + 500);
        const params: unknown[] = [];
        const tuples = chunk.map((e) => {
          const base = params.length;
          params.push(...RECORD_COLUMNS.map(([, field]) => e[field]));
          return `(${RECORD_COLUMNS.map((_, j) => `$${base + j + 1}`).join(', ')})`;
        });
        await m.query(`INSERT INTO usage_records (${RECORD_COLUMNS.map(([column]) => column).join(', ')}) VALUES ${tuples.join(', ')}`, params);
      }
      for (const inc of increments) {
        // Attendees deleted meanwhile (event removed) are skipped rather than failing the batch.
        await m.query(
          `INSERT INTO attendee_daily_usage (attendee_id, day, requests, tokens)
           SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM attendees WHERE id = $1)
           ON CONFLICT (attendee_id, day) DO UPDATE
             SET requests = attendee_daily_usage.requests + EXCLUDED.requests,
                 tokens = attendee_daily_usage.tokens + EXCLUDED.tokens`,
          [inc.attendeeId, inc.day, inc.requests, inc.tokens],
        );
      }
    });
  }

  /** Which of `ids` still exist, so a batch never fails on a row deleted while it waited. */
  async existingIds(table: 'events' | 'resources' | 'attendees', ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const cast = table === 'events' ? 'text' : 'uuid';
    const rows = (await this.dataSource.query(`SELECT id::text AS id FROM ${table} WHERE id = ANY($1::${cast}[])`, [ids])) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  async totals(eventId: string, group: UsageGroup, from?: Date, to?: Date): Promise<UsageTotalsRow[]> {
    const keys: Record<UsageGroup, string> = {
      day: `to_char(r.day, 'YYYY-MM-DD')`,
      // AT TIME ZONE 'UTC' makes the bucket independent of the session's time zone.
      hour: `to_char(date_trunc('hour', r.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
      deployment: 'r.deployment',
      attendee: `COALESCE(r.attendee_id::text, '')`,
    };
    const keyExpr = keys[group];
    const qb = this.records
      .createQueryBuilder('r')
      .select(keyExpr, 'key')
      .addSelect('COUNT(*)::int', 'requests')
      .addSelect('COUNT(*) FILTER (WHERE r.status >= 400)::int', 'errors')
      .addSelect('COUNT(*) FILTER (WHERE r.status = 429)::int', 'rateLimited')
      .addSelect('COALESCE(SUM(r.prompt_tokens), 0)::bigint', 'promptTokens')
      .addSelect('COALESCE(SUM(r.completion_tokens), 0)::bigint', 'completionTokens')
      .addSelect('COALESCE(SUM(r.total_tokens), 0)::bigint', 'totalTokens')
      .addSelect('COUNT(*) FILTER (WHERE r.estimated)::int', 'estimatedRequests')
      .where('r.event_id = :eventId', { eventId });
    if (from) qb.andWhere('r.created_at >= :from', { from });
    if (to) qb.andWhere('r.created_at < :to', { to });
    const rows = await qb.groupBy('key').orderBy('key', 'ASC').getRawMany<Record<string, string | number>>();
    return rows.map((r) => ({
      key: String(r.key),
      requests: Number(r.requests),
      errors: Number(r.errors),
      rateLimited: Number(r.rateLimited),
      promptTokens: Number(r.promptTokens),
      completionTokens: Number(r.completionTokens),
      totalTokens: Number(r.totalTokens),
      estimatedRequests: Number(r.estimatedRequests),
    }));
  }

  /** Requests and tokens per UTC hour and deployment (or attendee; `keys` limits which), oldest hour first. */
  async hourlySplit(eventId: string, by: 'deployment' | 'attendee', from?: Date, to?: Date, keys?: string[]): Promise<HourlySplitRow[]> {
    const keyExpr = by === 'deployment' ? 'r.deployment' : 'r.attendee_id::text';
    const qb = this.records
      .createQueryBuilder('r')
      .select(`to_char(date_trunc('hour', r.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`, 'hour')
      .addSelect(keyExpr, 'key')
      .addSelect('COUNT(*)::int', 'requests')
      .addSelect('COALESCE(SUM(r.total_tokens), 0)::bigint', 'totalTokens')
      .where('r.event_id = :eventId', { eventId });
    if (from) qb.andWhere('r.created_at >= :from', { from });
    if (to) qb.andWhere('r.created_at < :to', { to });
    if (keys) {
      if (keys.length === 0) return [];
      qb.andWhere(`${keyExpr} IN (:...keys)`, { keys });
    }
    const rows = await qb.groupBy('hour').addGroupBy('key').orderBy('hour', 'ASC').addOrderBy('key', 'ASC').getRawMany<Record<string, string | number>>();
    return rows.map((r) => ({ hour: String(r.hour), key: String(r.key), requests: Number(r.requests), totalTokens: Number(r.totalTokens) }));
  }

  /** The daily counters behind the caps for one calendar day, for every attendee of the event who has used any. */
  async attendeesOnDay(eventId: string, day: string): Promise<AttendeeTodayRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT a.id::text AS id, a.name, a.email, d.requests, d.tokens
         FROM attendee_daily_usage d JOIN attendees a ON a.id = d.attendee_id
        WHERE a.event_id = $1 AND d.day = $2::date
        ORDER BY d.requests DESC, a.name ASC`,
      [eventId, day],
    )) as { id: string; name: string; email: string; requests: number | string; tokens: number | string }[];
    return rows.map((r) => ({ attendeeId: r.id, name: r.name, email: r.email, requests: Number(r.requests), tokens: Number(r.tokens) }));
  }

  async attendeeNames(eventId: string): Promise<Map<string, { name: string; email: string }>> {
    const rows = (await this.dataSource.query('SELECT id, name, email FROM attendees WHERE event_id = $1', [eventId])) as {
      id: string;
      name: string;
      email: string;
    }[];
    return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
  }
}
