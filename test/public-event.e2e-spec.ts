import { expectAdminError } from './support/expect-error';
import { seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

describe('Public event summary (GET /api/v1/events/{eventId})', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('describes the event to anyone, without a token', async () => {
    const { event } = await seedEvent(http, {
      name: 'Open Hack',
      description: 'Build things',
      organizerName: 'Ada Lovelace',
      eventUrl: 'https://example.com/open',
      timeZone: 'Europe/Berlin',
    });

    const res = await http.get(`/api/v1/events/${event.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: event.id,
      name: 'Open Hack',
      description: 'Build things',
      organizerName: 'Ada Lovelace',
      eventUrl: 'https://example.com/open',
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      timeZone: 'Europe/Berlin',
      status: 'live',
      active: true,
      registration: { mode: 'open' },
    });
  });

  it('tells the registration mode but never the code or the organiser\'s email', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'secret-code-42' }, organizerEmail: 'ada@example.com' });

    const res = await http.get(`/api/v1/events/${event.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ registration: { mode: 'code' } });
    expect(res.text).not.toContain('secret-code-42');
    expect(res.text).not.toContain('ada@example.com');
  });

  it('shows frozen and upcoming events as such', async () => {
    const startsAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const endsAt = new Date(Date.now() + 5 * HOUR).toISOString();
    const { event } = await seedEvent(http, { active: false, startsAt, endsAt });

    expect((await http.get(`/api/v1/events/${event.id}`)).body).toMatchObject({ status: 'upcoming', active: false });
  });

  it('answers 404 in the admin shape for an unknown event', async () => {
    expectAdminError(await http.get('/api/v1/events/no-such-event'), 404, 'event_not_found');
  });
});
