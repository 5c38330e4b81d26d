/** Pure time rules for events: status, the calendar day in the event's zone, and when that day ends. */

export type EventStatus = 'upcoming' | 'live' | 'ended';

export function eventStatus(window: { startsAt: Date; endsAt: Date }, now: Date): EventStatus {
  if (now.getTime() < window.startsAt.getTime()) return 'upcoming';
  if (now.getTime() >= window.endsAt.getTime()) return 'ended';
  return 'live';
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar and clock fields of `date` in `timeZone` (year, month, day, hour, minute, second). */
export function zonedParts(date: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

function computeDayKey(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** A span of instants known to share one local day: [from, until). */
interface CachedDay {
  from: number;
  until: number;
  key: string;
}

/**
 * The current day per zone: formatToParts on every request was the costliest call of our own on the
 * proxy path, and the answer only changes at local midnight.
 */
const days = new Map<string, CachedDay>();

function cachedDay(date: Date, timeZone: string): CachedDay {
  const t = date.getTime();
  const hit = days.get(timeZone);
  if (hit && t >= hit.from && t < hit.until) return hit;
  const key = computeDayKey(date, timeZone);
  const until = computeNextMidnight(date, timeZone).getTime();
  const day = { from: t, until, key };
  // Cache only a span checked to end exactly at a day change (guards odd zones whose midnight is skipped).
  if (until > t && computeDayKey(new Date(until - 1), timeZone) === key && computeDayKey(new Date(until), timeZone) !== key) {
    days.set(timeZone, day);
  }
  return day;
}

/** The calendar day (`YYYY-MM-DD`) that `date` falls on in `timeZone`: the unit of the daily cap. */
export function dayKey(date: Date, timeZone: string): string {
  return cachedDay(date, timeZone).key;
}

/** Offset of `timeZone` from UTC at `date`, in ms (positive east of Greenwich). */
export function offsetMs(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/** The instant the next local midnight occurs in `timeZone` (DST-aware). */
export function nextMidnight(date: Date, timeZone: string): Date {
  return new Date(cachedDay(date, timeZone).until);
}

function computeNextMidnight(date: Date, timeZone: string): Date {
  const p = zonedParts(date, timeZone);
  const localMidnightAsUtc = Date.UTC(p.year, p.month - 1, p.day + 1, 0, 0, 0);
  // Two passes converge across a DST change that happens near midnight.
  const first = localMidnightAsUtc - offsetMs(date, timeZone);
  const second = localMidnightAsUtc - offsetMs(new Date(first), timeZone);
  // Where the change skips midnight itself (e.g. America/Santiago), the second pass lands an hour early,
  // still on today; the day then starts at the first guess.
  const today = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return new Date(computeDayKey(new Date(second), timeZone) === today ? first : second);
}
