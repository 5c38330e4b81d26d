import { randomUUID } from 'node:crypto';
import type { AttendeeResponse, EventInfo, Page, RegistrationResponse, RotatedKey } from './support/api';
import { expectAdminError, expectFieldError } from './support/expect-error';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

describe('Attendees API', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  const register = (eventId: string, body: Record<string, unknown>) =>
    http.post<RegistrationResponse>(`/api/v1/events/${eventId}/attendees`, body);

  const eventInfo = (apiKey: string): Promise<HttpResult<EventInfo>> => http.get<EventInfo>('/api/v1/eventinfo', { headers: { 'api-key': apiKey } });

  async function attendees(eventId: string, query = ''): Promise<Page<AttendeeResponse>> {
    const res = await http.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${eventId}/attendees${query}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  describe('registration', () => {
    it('registers an attendee with 201 and a key that is shown once and works', async () => {
      const { event } = await seedEvent(http);

      const res = await register(event.id, { name: 'Grace Hopper', email: 'grace@example.com' });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        attendeeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        apiKey: expect.stringMatching(/^aip_[A-Za-z0-9_-]{40,}$/),
        eventId: event.id,
        eventName: event.name,
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        endpoints: { azureOpenAI: t.url, openAI: `${t.url}/v1` },
      });
      expect(res.body.apiKey.startsWith(res.body.keyPrefix)).toBe(true);
      const info = await eventInfo(res.body.apiKey);
      expect(info.status).toBe(200);
      expect(info.body.attendee).toEqual({ id: res.body.attendeeId, name: 'Grace Hopper', email: 'grace@example.com' });

      const listed = await attendees(event.id);
      expect(listed.items).toEqual([expect.objectContaining({ id: res.body.attendeeId, keyPrefix: res.body.keyPrefix, identity: null, active: true })]);
      expect(JSON.stringify(listed)).not.toContain(res.body.apiKey);
    });

    it.each([
      ['open', {}, {}],
      ['code', { registration: { mode: 'code', code: 'open-sesame' } }, { code: 'open-sesame' }],
    ])('answers 409 to a second registration of an email in %s mode, in any case, and keeps its key', async (_mode, eventOverrides, extra) => {
      const { event } = await seedEvent(http, eventOverrides);
      const first = await register(event.id, { name: 'Linus', email: 'linus@example.com', ...extra });

      const second = await register(event.id, { name: 'Linus T.', email: 'Linus@EXAMPLE.com', ...extra });

      expect(first.status).toBe(201);
      const error = expectAdminError(second, 409, 'attendee_already_registered');
      expect(error.message).toMatch(/organiser/);
      expect(error.message).toMatch(/sign in/);
      expect(second.text).not.toContain('aip_');
      expect((await eventInfo(first.body.apiKey)).status).toBe(200);
      const listed = await attendees(event.id);
      expect(listed.total).toBe(1);
      expect(listed.items[0]).toMatchObject({ name: 'Linus', email: 'linus@example.com', keyPrefix: first.body.keyPrefix });
    });

    it('registers with the right code in code mode', async () => {
      const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'open-sesame' } });

      const res = await register(event.id, { name: 'Ali', email: 'ali@example.com', code: 'open-sesame' });

      expect(res.status).toBe(201);
    });

    it.each([
      ['a missing code', {}],
      ['a wrong code', { code: 'open-sesamE' }],
      ['a longer code', { code: 'open-sesame!' }],
    ])('rejects %s in code mode with 403 and registers nobody', async (_what, extra) => {
      const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'open-sesame' } });

      const res = await register(event.id, { name: 'Mallory', email: 'mallory@example.com', ...extra });

      expectAdminError(res, 403, 'registration_code_invalid');
      expect(res.text).not.toContain('aip_');
      expect((await attendees(event.id)).total).toBe(0);
    });

    it.each([
      ['before the event starts', { startsAt: new Date(Date.now() + HOUR).toISOString(), endsAt: new Date(Date.now() + 5 * HOUR).toISOString() }],
      ['after the event ends', { startsAt: new Date(Date.now() - 5 * HOUR).toISOString(), endsAt: new Date(Date.now() - HOUR).toISOString() }],
      ['for an inactive event', { active: false }],
    ])('rejects registration %s with 403 and registers nobody', async (_what, overrides) => {
      const { event } = await seedEvent(http, overrides);

      const res = await register(event.id, { name: 'Early Bird', email: 'early@example.com' });

      expectAdminError(res, 403, 'registration_closed');
      expect((await attendees(event.id)).total).toBe(0);
    });

    it('rejects registration for an unknown event with 404', async () => {
      expectAdminError(await register('no-such-event', { name: 'Nobody', email: 'nobody@example.com' }), 404, 'event_not_found');
    });

    it.each([
      ['a missing email', { name: 'No Mail' }, 'email'],
      ['a bad email', { name: 'Bad Mail', email: 'not-an-email' }, 'email'],
      ['a blank name', { name: '   ', email: 'blank@example.com' }, 'name'],
      ['an unknown field', { name: 'Extra', email: 'extra@example.com', admin: true }, 'admin'],
      ['a numeric code', { name: 'Num', email: 'num@example.com', code: 1234 }, 'code'],
    ])('rejects %s with 400 and registers nobody', async (_what, body, field) => {
      const { event } = await seedEvent(http);

      expectFieldError(await register(event.id, body), field);

      expect((await attendees(event.id)).total).toBe(0);
    });
  });

  describe('admin list', () => {
    it('pages through attendees in registration order with a total', async () => {
      const { event } = await seedEvent(http);
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await registerAttendee(http, event.id, { name: `Person ${i}`, email: `p${i}@example.com` })).attendeeId);

      const page1 = await attendees(event.id, '?page=1&pageSize=2');
      const page3 = await attendees(event.id, '?page=3&pageSize=2');
      const page4 = await attendees(event.id, '?page=4&pageSize=2');

      expect(page1).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      expect(page1.items.map((a) => a.id)).toEqual(ids.slice(0, 2));
      expect(page3.items.map((a) => a.id)).toEqual(ids.slice(4));
      expect(page4).toMatchObject({ items: [], total: 5 });
      expect(await attendees(event.id)).toMatchObject({ total: 5, page: 1, pageSize: 50 });
    });

    it('searches name and email case-insensitively, treating wildcards literally', async () => {
      const { event } = await seedEvent(http);
      await registerAttendee(http, event.id, { name: 'Katherine Johnson', email: 'kj@nasa.example' });
      await registerAttendee(http, event.id, { name: 'Dorothy Vaughan', email: 'dorothy@example.com' });
      await registerAttendee(http, event.id, { name: 'Mary 100% Jackson', email: 'mary@example.com' });

      expect((await attendees(event.id, '?search=KATHERINE')).items.map((a) => a.name)).toEqual(['Katherine Johnson']);
      expect((await attendees(event.id, '?search=NASA')).items.map((a) => a.name)).toEqual(['Katherine Johnson']);
      expect((await attendees(event.id, '?search=example.com')).total).toBe(2);
      expect((await attendees(event.id, `?search=${encodeURIComponent('%')}`)).items.map((a) => a.name)).toEqual(['Mary 100% Jackson']);
      expect((await attendees(event.id, '?search=_')).total).toBe(0);
    });

    it('lists only the attendees of the event asked about', async () => {
      const { event: a } = await seedEvent(http);
      const { event: b } = await seedEvent(http);
      await registerAttendee(http, a.id, { email: 'same@example.com' });
      const inB = await registerAttendee(http, b.id, { email: 'same@example.com' });

      expect((await attendees(b.id)).items.map((x) => x.id)).toEqual([inB.attendeeId]);
    });

    it.each([
      ['a zero page', '?page=0', 'page'],
      ['a page size over 500', '?pageSize=501', 'pageSize'],
      ['a page that is not a number', '?page=two', 'page'],
      ['an unknown parameter', '?sort=name', 'sort'],
    ])('rejects %s with 400', async (_what, query, field) => {
      const { event } = await seedEvent(http);

      expectFieldError(await http.get(`/api/v1/admin/events/${event.id}/attendees${query}`), field);
    });

    it('answers 404 for an unknown event', async () => {
      expectAdminError(await http.get('/api/v1/admin/events/no-such-event/attendees'), 404, 'event_not_found');
    });
  });

  describe('revoking', () => {
    it('revokes a key, refuses re-registration without issuing a key, and restores it', async () => {
      const { event } = await seedEvent(http);
      const { attendeeId, apiKey } = await registerAttendee(http, event.id, { name: 'Eve', email: 'eve@example.com' });

      const revoked = await http.patch<AttendeeResponse>(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}`, { active: false });

      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: attendeeId, active: false });
      expectAdminError(await eventInfo(apiKey), 401, 'key_revoked');

      const again = await register(event.id, { name: 'Eve', email: 'EVE@example.com' });
      expectAdminError(again, 403, 'attendee_revoked');
      expect(again.text).not.toContain('aip_');
      expectAdminError(await eventInfo(apiKey), 401, 'key_revoked');
      expect(await attendees(event.id)).toMatchObject({ total: 1, items: [{ id: attendeeId, active: false }] });

      const restored = await http.patch<AttendeeResponse>(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}`, { active: true });
      expect(restored.body).toMatchObject({ active: true });
      expect((await eventInfo(apiKey)).status).toBe(200);
    });

    it.each([
      ['an empty body', {}, 'active'],
      ['a string', { active: 'false' }, 'active'],
      ['an unknown field', { active: false, name: 'Renamed' }, 'name'],
    ])('rejects a PATCH with %s and changes nothing', async (_what, body, field) => {
      const { event } = await seedEvent(http);
      const { attendeeId, apiKey } = await registerAttendee(http, event.id);

      expectFieldError(await http.patch(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}`, body), field);

      expect((await eventInfo(apiKey)).status).toBe(200);
      expect((await attendees(event.id)).items[0]).toMatchObject({ active: true });
    });
  });

  describe('rotating', () => {
    it('issues a new key; the old one stops working', async () => {
      const { event } = await seedEvent(http);
      const { attendeeId, apiKey: oldKey } = await registerAttendee(http, event.id);

      const rotated = await http.post<RotatedKey>(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}/rotate`);

      expect(rotated.status).toBe(201);
      expect(rotated.body).toMatchObject({ attendeeId, apiKey: expect.stringMatching(/^aip_/) });
      expect(rotated.body.apiKey).not.toBe(oldKey);
      expectAdminError(await eventInfo(oldKey), 401, 'invalid_api_key');
      expect((await eventInfo(rotated.body.apiKey)).status).toBe(200);
      expect((await attendees(event.id)).items[0].keyPrefix).toBe(rotated.body.keyPrefix);
    });
  });

  describe('unknown attendees', () => {
    it.each([
      ['an unknown uuid', () => randomUUID()],
      ['a malformed id', () => 'not-a-uuid'],
    ])('answers 404 for PATCH and rotate of %s', async (_what, makeId) => {
      const { event } = await seedEvent(http);
      const id = makeId();

      expectAdminError(await http.patch(`/api/v1/admin/events/${event.id}/attendees/${id}`, { active: false }), 404, 'attendee_not_found');
      expectAdminError(await http.post(`/api/v1/admin/events/${event.id}/attendees/${id}/rotate`), 404, 'attendee_not_found');
    });

    it('answers 404 for an attendee of another event and leaves it alone', async () => {
      const { event: mine } = await seedEvent(http);
      const { event: theirs } = await seedEvent(http);
      const { attendeeId, apiKey } = await registerAttendee(http, theirs.id);

      expectAdminError(await http.patch(`/api/v1/admin/events/${mine.id}/attendees/${attendeeId}`, { active: false }), 404, 'attendee_not_found');
      expectAdminError(await http.post(`/api/v1/admin/events/${mine.id}/attendees/${attendeeId}/rotate`), 404, 'attendee_not_found');

      expect((await eventInfo(apiKey)).status).toBe(200);
    });

    it('answers 404 for an unknown event', async () => {
      expectAdminError(await http.patch(`/api/v1/admin/events/no-such-event/attendees/${randomUUID()}`, { active: false }), 404, 'event_not_found');
      expectAdminError(await http.post(`/api/v1/admin/events/no-such-event/attendees/${randomUUID()}/rotate`), 404, 'event_not_found');
    });
  });

  it('rejects the admin attendee routes without the admin token and changes nothing', async () => {
    const { event } = await seedEvent(http);
    const { attendeeId, apiKey } = await registerAttendee(http, event.id);
    const noToken = { admin: false };

    expectAdminError(await http.get(`/api/v1/admin/events/${event.id}/attendees`, noToken), 401, 'unauthorized');
    expectAdminError(await http.patch(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}`, { active: false }, noToken), 401, 'unauthorized');
    expectAdminError(await http.post(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}/rotate`, undefined, noToken), 401, 'unauthorized');
    // An attendee key is not an admin token.
    expectAdminError(await http.get(`/api/v1/admin/events/${event.id}/attendees`, { headers: { authorization: `Bearer ${apiKey}` } }), 401, 'unauthorized');

    expect((await eventInfo(apiKey)).status).toBe(200);
  });
});
