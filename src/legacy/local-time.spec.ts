import { localWallClock, utcOffsetMinutes } from './local-time';

describe(localWallClock.name, () => {
  it('shows the wall-clock time of the zone, across a DST change', () => {
    expect(localWallClock(new Date('2026-03-28T08:00:00Z'), 'Europe/Berlin')).toBe('2026-03-28T09:00:00');
    expect(localWallClock(new Date('2026-03-30T08:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30T10:00:00');
    expect(localWallClock(new Date('2026-01-01T03:30:00Z'), 'America/New_York')).toBe('2025-12-31T22:30:00');
  });
});

describe(utcOffsetMinutes.name, () => {
  it('is minutes east of UTC, and follows daylight saving time', () => {
    expect(utcOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(utcOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(utcOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-300);
    expect(utcOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(utcOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'UTC')).toBe(0);
  });
});
