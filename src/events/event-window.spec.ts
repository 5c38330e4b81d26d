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

  it('stays right across DST changes and midnights while answers are cached, in any order of instants', () => {
    const reference = (d: Date, timeZone: string): string =>
      new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    // Berlin and New York change at 02:00; Santiago skips midnight itself (2026-09-06 00:00 -> 01:00).
    const cases: [string, string][] = [
      ['Europe/Berlin', '2026-03-27T00:00:00Z'],
      ['Europe/Berlin', '2026-10-23T00:00:00Z'],
      ['America/New_York', '2026-03-06T00:00:00Z'],
      ['America/Santiago', '2026-09-04T00:00:00Z'],
      ['America/Santiago', '2026-04-03T00:00:00Z'],
    ];
    for (const [zone, from] of cases) {
      const instants = Array.from({ length: 4 * 24 * 4 }, (_, i) => new Date(Date.parse(from) + i * 15 * 60_000 - 1));
      for (const d of [...instants, ...instants.reverse()]) {
        expect(`${zone} ${d.toISOString()} ${dayKey(d, zone)}`).toBe(`${zone} ${d.toISOString()} ${reference(d, zone)}`);
        const midnight = nextMidnight(d, zone);
        expect(midnight.getTime()).toBeGreaterThan(d.getTime());
        expect(reference(new Date(midnight.getTime() - 1), zone)).toBe(reference(d, zone));
        expect(reference(midnight, zone)).not.toBe(reference(d, zone));
      }
    }
  });

  it('validates IANA time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
