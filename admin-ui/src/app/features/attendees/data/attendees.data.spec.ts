import type { AttendeeResponse } from '../../../core/api/api-types';
import { attendeesCsv } from './attendees.data';

const attendee = (over: Partial<AttendeeResponse> = {}): AttendeeResponse => ({
  id: 'a1',
  eventId: 'ev',
  name: 'Ada',
  email: 'ada@example.com',
  keyPrefix: 'aip_ab12',
  identity: null,
  active: true,
  keyRotatedAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('attendeesCsv', () => {
  it('writes a header and one row per attendee', () => {
    const csv = attendeesCsv([attendee(), attendee({ id: 'a2', identity: { provider: 'github', login: 'octocat' } })]);
    expect(csv.split('\r\n')).toEqual([
      'id,name,email,keyPrefix,active,registeredAt,keyRotatedAt,signIn',
      'a1,Ada,ada@example.com,aip_ab12,true,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,',
      'a2,Ada,ada@example.com,aip_ab12,true,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,github:octocat',
      '',
    ]);
  });

  it('quotes commas and quotes, and defuses formulas', () => {
    const csv = attendeesCsv([attendee({ name: 'Lovelace, "Ada"' }), attendee({ name: '=HYPERLINK("x")' })]);
    expect(csv).toContain('"Lovelace, ""Ada"""');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
