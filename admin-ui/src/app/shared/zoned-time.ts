/**
 * Converting between a wall-clock time in an IANA zone (what a <input type="datetime-local"> holds)
 * and a UTC instant, with Intl only.
 */

/** All IANA zones the browser knows, UTC first. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at instant `utcMs`, in minutes (e.g. +60 for Berlin in winter). */
export function zoneOffsetMinutes(utcMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** "2026-03-01T09:00" in `zone` → "2026-03-01T08:00:00.000Z". */
export function wallTimeToUtc(local: string, zone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) throw new Error(`not a date-time: ${local}`);
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // Two passes settle the offset across a DST change.
  let utc = asUtc - zoneOffsetMinutes(asUtc, zone) * 60000;
  utc = asUtc - zoneOffsetMinutes(utc, zone) * 60000;
  return new Date(utc).toISOString();
}

/** "2026-03-01T08:00:00.000Z" → "2026-03-01T09:00" in Europe/Berlin. */
export function utcToWallTime(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  const local = new Date(ms + zoneOffsetMinutes(ms, zone) * 60000);
  return local.toISOString().slice(0, 16);
}
