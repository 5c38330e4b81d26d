import type { UsageHour, UsageToday } from '../../../core/api/api-types';

const HOUR = 3_600_000;
/** Gaps are filled with zero hours up to this span (a week); longer spans plot the busy hours only. */
export const MAX_FILLED_HOURS = 24 * 7;

export interface HourlySeries {
  labels: string[];
  requests: number[];
  tokens: number[];
  rateLimited: number[];
}

function formatter(timeZone: string, withDay: boolean): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    ...(withDay ? { day: 'numeric', month: 'short' } : {}),
  });
}

/** An even hour axis: quiet hours between the first and the last (or `until`) are filled in, labelled in `timeZone`. */
function hourAxis(hourIsos: string[], timeZone: string, until?: number): { hours: number[]; labels: string[] } {
  let hours = [...new Set(hourIsos.map((h) => Date.parse(h)))].sort((a, b) => a - b);
  if (hours.length > 0) {
    const first = hours[0];
    const lastSeen = hours[hours.length - 1];
    const last = until === undefined ? lastSeen : Math.max(lastSeen, Math.floor(until / HOUR) * HOUR);
    if ((last - first) / HOUR < MAX_FILLED_HOURS) {
      hours = [];
      for (let t = first; t <= last; t += HOUR) hours.push(t);
    }
  }
  const dayOf = formatter(timeZone, false);
  const days = new Set(hours.map((t) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(t)));
  const label = days.size > 1 ? formatter(timeZone, true) : dayOf;
  return { hours, labels: hours.map((t) => label.format(t)) };
}

/**
 * The report's UTC hours as a chart series labelled in the event's zone: quiet hours between the first
 * and the last (or `until`, for a live view reaching now) count as zero, so the time axis is even.
 */
export function hourlySeries(byHour: UsageHour[], timeZone: string, until?: number): HourlySeries {
  const rows = new Map(byHour.map((h) => [Date.parse(h.hour), h]));
  const { hours, labels } = hourAxis(byHour.map((h) => h.hour), timeZone, until);
  return {
    labels,
    requests: hours.map((t) => rows.get(t)?.requests ?? 0),
    tokens: hours.map((t) => rows.get(t)?.totalTokens ?? 0),
    rateLimited: hours.map((t) => rows.get(t)?.rateLimited ?? 0),
  };
}

export interface SplitSeries {
  labels: string[];
  /** One line per deployment or attendee, in first-seen order of `rows` unless sorted by the caller. */
  series: { key: string; name: string; requests: number[]; tokens: number[] }[];
}

/**
 * Per-hour rows split by deployment or attendee (`keyOf`, `nameOf`) as stacked series over the same even,
 * zone-labelled hour axis as {@link hourlySeries}; hours a key was quiet count as zero. Series with the most
 * tokens come first.
 */
export function splitSeries<T extends { hour: string; requests: number; totalTokens: number }>(
  rows: T[],
  keyOf: (r: T) => string,
  nameOf: (r: T) => string,
  timeZone: string,
  until?: number,
): SplitSeries {
  const { hours, labels } = hourAxis(rows.map((r) => r.hour), timeZone, until);
  const index = new Map(hours.map((t, i) => [t, i]));
  const byKey = new Map<string, SplitSeries['series'][number] & { total: number }>();
  for (const r of rows) {
    const key = keyOf(r);
    let s = byKey.get(key);
    if (!s) {
      s = { key, name: nameOf(r), requests: hours.map(() => 0), tokens: hours.map(() => 0), total: 0 };
      byKey.set(key, s);
    }
    const i = index.get(Date.parse(r.hour));
    if (i === undefined) continue;
    s.requests[i] += r.requests;
    s.tokens[i] += r.totalTokens;
    s.total += r.totalTokens;
  }
  const series = [...byKey.values()]
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name))
    .map(({ total: _total, ...s }) => s);
  return { labels, series };
}

export interface CapRow {
  attendeeId: string;
  name: string;
  email: string;
  requests: number;
  tokens: number;
  remainingRequests: number;
  /** Share of the cap used, 0–1. */
  used: number;
  tone: 'ok' | 'warn' | 'full';
}

/** Today's use against the daily cap, fullest first; 80% is a warning, the cap itself is full. */
export function capRows(today: UsageToday): CapRow[] {
  const cap = Math.max(1, today.dailyRequestCap);
  return today.byAttendee
    .map((a) => {
      const used = Math.min(1, a.requests / cap);
      const tone: CapRow['tone'] = a.requests >= cap ? 'full' : used >= 0.8 ? 'warn' : 'ok';
      return { ...a, used, tone };
    })
    .sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
}
