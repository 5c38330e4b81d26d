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

function parts(date: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The calendar day (`YYYY-MM-DD`) that `date` falls on in `timeZone`: the unit of the daily cap. */
export function dayKey(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Offset of `timeZone` from UTC at `date`, in ms (positive east of Greenwich). */
function offsetMs(date: Date, timeZone: string): number {
  const p = parts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/** The instant the next local midnight occurs in `timeZone` (DST-aware). */
export function nextMidnight(date: Date, timeZone: string): Date {
  const p = parts(date, timeZone);
  const localMidnightAsUtc = Date.UTC(p.year, p.month - 1, p.day + 1, 0, 0, 0);
  // Two passes converge across a DST change that happens near midnight.
  let guess = localMidnightAsUtc - offsetMs(date, timeZone);
  guess = localMidnightAsUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}
