import { isTimeZone, timeZones, utcToWallTime, wallTimeToUtc, zoneOffsetMinutes } from './zoned-time';

describe('zoned time', () => {
  it('turns a wall-clock time in a zone into UTC, across daylight saving', () => {
    expect(wallTimeToUtc('2026-01-15T09:00', 'Europe/Berlin')).toBe('2026-01-15T08:00:00.000Z');
    expect(wallTimeToUtc('2026-07-15T09:00', 'Europe/Berlin')).toBe('2026-07-15T07:00:00.000Z');
    expect(wallTimeToUtc('2026-03-01T09:30', 'Asia/Kolkata')).toBe('2026-03-01T04:00:00.000Z');
    expect(wallTimeToUtc('2026-03-01T09:00', 'UTC')).toBe('2026-03-01T09:00:00.000Z');
  });

  it('turns UTC back into the wall-clock time of the zone', () => {
    expect(utcToWallTime('2026-07-15T07:00:00.000Z', 'Europe/Berlin')).toBe('2026-07-15T09:00');
    expect(utcToWallTime('2026-03-01T04:00:00.000Z', 'Asia/Kolkata')).toBe('2026-03-01T09:30');
    expect(utcToWallTime('2026-03-01T17:00:00.000Z', 'America/New_York')).toBe('2026-03-01T12:00');
  });

  it('knows zone offsets and names', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-300);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(timeZones()[0]).toBe('UTC');
  });
});
