/** Wall-clock views of an instant in an IANA zone, for clients that expect local times plus an offset. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function fields(date: Date, timeZone: string): Record<string, string> {
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
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(date)) if (p.type !== 'literal') out[p.type] = p.value;
  return out;
}

/** `2026-03-01T09:00:00`: the local time in `timeZone`, with no offset. */
export function localWallClock(date: Date, timeZone: string): string {
  const p = fields(date, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** Minutes east of UTC that `timeZone` is at `date` (Europe/Berlin in July: 120; America/New_York in January: -300). */
export function utcOffsetMinutes(date: Date, timeZone: string): number {
  const p = fields(date, timeZone);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
}
