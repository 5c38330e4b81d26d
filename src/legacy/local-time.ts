/** Wall-clock views of an instant in an IANA zone, for clients that expect local times plus an offset. */
import { offsetMs, zonedParts } from '../events/event-window';

const two = (n: number): string => String(n).padStart(2, '0');

/** `2026-03-01T09:00:00`: the local time in `timeZone`, with no offset. */
export function localWallClock(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** Minutes east of UTC that `timeZone` is at `date` (Europe/Berlin in July: 120; America/New_York in January: -300). */
export function utcOffsetMinutes(date: Date, timeZone: string): number {
  return Math.round(offsetMs(date, timeZone) / 60_000);
}
