import { dayKey, eventStatus, isValidTimeZone, nextMidnight } from './event-window';

describe('event window', () => {
  const window = { startsAt: new Date('2026-03-01T09:00:00Z'), endsAt: new Date('2026-03-01T17:00:00Z') };

  it('is upcoming before the start, live inside, ended at and after the end', () => {
    expect(eventStatus(window, new Date('2026-03-01T08:59:59Z'))).toBe('upcoming');
    expect(eventStatus(window, new Date('2026-03-01T09:00:00Z'))).toBe('live');
    expect(eventStatus(window, new Date('2026-03-01T16:59:59Z'))).toBe('live');
    expect(eventStatus(window, new Date('2026-03-01T17:00:00Z'))).toBe('ended');
  });

  it('computes the day in the event time zone', () => {
    const instant = new Date('2026-03-01T23:30:00Z');
    expect(dayKey(instant, 'UTC')).toBe('2026-03-01');
    expect(dayKey(instant, 'Europe/Berlin')).toBe('2026-03-02');
    expect(dayKey(instant, 'America/Los_Angeles')).toBe('2026-03-01');
  });

  it('finds the next local midnight', () => {
    expect(nextMidnight(new Date('2026-03-01T23:30:00Z'), 'UTC').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(nextMidnight(new Date('2026-03-01T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(nextMidnight(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-07-01T22:00:00.000Z');
    expect(nextMidnight(new Date('2026-03-01T12:00:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-03-01T18:30:00.000Z');
  });

  it('handles the day a DST change happens', () => {
    // Europe/Berlin springs forward on 2026-03-29 (02:00 -> 03:00); midnight after is at UTC+2.
    expect(nextMidnight(new Date('2026-03-29T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('validates IANA time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
