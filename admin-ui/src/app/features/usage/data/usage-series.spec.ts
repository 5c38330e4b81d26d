import type { UsageHour, UsageToday } from '../../../core/api/api-types';
import { capRows, hourlySeries, MAX_FILLED_HOURS, splitSeries } from './usage-series';

const hour = (iso: string, requests: number, totalTokens = requests * 10, rateLimited = 0): UsageHour => ({
  hour: iso,
  requests,
  errors: rateLimited,
  rateLimited,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens,
  estimatedRequests: 0,
});

describe('hourlySeries', () => {
  it('fills quiet hours with zeros and labels hours in the event zone', () => {
    const s = hourlySeries([hour('2026-03-01T09:00:00Z', 3, 30, 1), hour('2026-03-01T12:00:00Z', 1)], 'Europe/Berlin');
    expect(s.labels).toEqual(['10:00', '11:00', '12:00', '13:00']);
    expect(s.requests).toEqual([3, 0, 0, 1]);
    expect(s.tokens).toEqual([30, 0, 0, 10]);
    expect(s.rateLimited).toEqual([1, 0, 0, 0]);
  });

  it('names the day when the hours span more than one local day', () => {
    const s = hourlySeries([hour('2026-03-01T22:00:00Z', 1), hour('2026-03-01T23:00:00Z', 2)], 'Europe/Berlin');
    expect(s.labels).toEqual(['1 Mar, 23:00', '2 Mar, 00:00']);
  });

  it('reaches up to now for a live view', () => {
    const s = hourlySeries([hour('2026-03-01T09:00:00Z', 2)], 'UTC', Date.parse('2026-03-01T11:30:00Z'));
    expect(s.requests).toEqual([2, 0, 0]);
  });

  it('plots only the busy hours over a long span, and nothing for no data', () => {
    const far = new Date(Date.parse('2026-03-01T00:00:00Z') + (MAX_FILLED_HOURS + 5) * 3_600_000).toISOString();
    expect(hourlySeries([hour('2026-03-01T00:00:00Z', 1), hour(far, 1)], 'UTC').requests).toEqual([1, 1]);
    expect(hourlySeries([], 'UTC')).toEqual({ labels: [], requests: [], tokens: [], rateLimited: [] });
  });
});

describe('splitSeries', () => {
  const rows = [
    { hour: '2026-03-01T09:00:00Z', deployment: 'chat', requests: 2, totalTokens: 20 },
    { hour: '2026-03-01T09:00:00Z', deployment: 'embed', requests: 1, totalTokens: 50 },
    { hour: '2026-03-01T11:00:00Z', deployment: 'chat', requests: 3, totalTokens: 40 },
  ];

  it('stacks one series per key over the even hour axis in the event zone, most tokens first', () => {
    const s = splitSeries(rows, (r) => r.deployment, (r) => r.deployment.toUpperCase(), 'Europe/Berlin');
    expect(s.labels).toEqual(['10:00', '11:00', '12:00']);
    expect(s.series).toEqual([
      { key: 'chat', name: 'CHAT', requests: [2, 0, 3], tokens: [20, 0, 40] },
      { key: 'embed', name: 'EMBED', requests: [1, 0, 0], tokens: [50, 0, 0] },
    ]);
  });

  it('reaches up to now for a live view, and gives nothing for no data', () => {
    const s = splitSeries(rows, (r) => r.deployment, (r) => r.deployment, 'UTC', Date.parse('2026-03-01T12:10:00Z'));
    expect(s.labels).toEqual(['09:00', '10:00', '11:00', '12:00']);
    expect(s.series[0].requests).toEqual([2, 0, 3, 0]);
    expect(splitSeries([], () => '', () => '', 'UTC')).toEqual({ labels: [], series: [] });
  });
});

describe('capRows', () => {
  it('orders attendees by use and marks 80% and the cap', () => {
    const today: UsageToday = {
      day: '2026-03-01',
      timeZone: 'UTC',
      resetsAt: '2026-03-02T00:00:00.000Z',
      dailyRequestCap: 10,
      byAttendee: [
        { attendeeId: 'a', name: 'Ada', email: 'a@x', requests: 2, tokens: 20, remainingRequests: 8 },
        { attendeeId: 'b', name: 'Bob', email: 'b@x', requests: 10, tokens: 90, remainingRequests: 0 },
        { attendeeId: 'c', name: 'Cy', email: 'c@x', requests: 8, tokens: 70, remainingRequests: 2 },
      ],
    };
    expect(capRows(today).map((r) => [r.name, r.used, r.tone])).toEqual([
      ['Bob', 1, 'full'],
      ['Cy', 0.8, 'warn'],
      ['Ada', 0.2, 'ok'],
    ]);
  });
});
