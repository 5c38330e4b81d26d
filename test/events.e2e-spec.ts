import { randomUUID } from 'node:crypto';
import type { EventResponse, Page, ResourceResponse } from './support/api';
import { expectAdminError, expectFieldError } from './support/expect-error';
import { newEvent, newResource, registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

describe('Events API', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  async function listEvents(): Promise<EventResponse[]> {
    const list = await http.get<Page<EventResponse>>('/api/v1/admin/events');
    expect(list.status).toBe(200);
    return list.body.items;
  }

  async function getEvent(id: string): Promise<EventResponse> {
    const res = await http.get<EventResponse>(`/api/v1/admin/events/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('creates, reads, lists, updates and deletes an event', async () => {
    const body = newEvent({ id: 'spring-hack', timeZone: 'Europe/Berlin' });
    const created = await http.post('/api/v1/admin/events', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'spring-hack', status: 'live', timeZone: 'Europe/Berlin', registration: { mode: 'open' } });

    const got = await getEvent('spring-hack');
    expect(got.startsAt).toBe(new Date(body.startsAt as string).toISOString());

    const list = await http.get<Page<EventResponse>>('/api/v1/admin/events');
    expect(list.body.items.map((e) => e.id)).toContain('spring-hack');
    expect(list.body.total).toBe(list.body.items.length);

    const patched = await http.patch('/api/v1/admin/events/spring-hack', { dailyRequestCap: 7, registration: { mode: 'code', code: 'letmein' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ dailyRequestCap: 7, registration: { mode: 'code', code: 'letmein' } });
    expect(await getEvent('spring-hack')).toMatchObject({ dailyRequestCap: 7, registration: { mode: 'code', code: 'letmein' } });

    expect((await http.delete('/api/v1/admin/events/spring-hack')).status).toBe(204);
    expectAdminError(await http.get('/api/v1/admin/events/spring-hack'), 404, 'event_not_found');
  });

  it('stores every field and returns times given with an offset in UTC', async () => {
    const body = {
      id: 'offset-times',
      name: 'Offset Hack',
      description: 'Two days of building',
      organizerName: 'Ada Lovelace',
      organizerEmail: 'ada@example.com',
      eventUrl: 'https://example.com/hack',
      startsAt: '2030-03-01T09:00:00+01:00',
      endsAt: '2030-03-02T17:30:00-05:00',
      timeZone: 'America/New_York',
      maxTokenCap: 2048,
      dailyRequestCap: 250,
      active: false,
      registration: { mode: 'code', code: 'hack-2030' },
      modelAliases: { 'gpt-4o': 'gpt-4o-eu' },
    };

    const created = await http.post<EventResponse>('/api/v1/admin/events', body);

    expect(created.status).toBe(201);
    const expected = {
      ...body,
      startsAt: '2030-03-01T08:00:00.000Z',
      endsAt: '2030-03-02T22:30:00.000Z',
      status: 'upcoming',
      registrationUrl: '/api/v1/events/offset-times/attendees',
    };
    expect(created.body).toMatchObject(expected);
    expect(await getEvent('offset-times')).toMatchObject(expected);
  });

  it('fills defaults for optional fields', async () => {
    const created = await http.post<EventResponse>('/api/v1/admin/events', {
      id: 'minimal-event',
      name: 'Minimal',
      startsAt: '2030-01-01T00:00:00Z',
      endsAt: '2030-01-02T00:00:00Z',
    });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      description: '',
      eventUrl: null,
      timeZone: 'UTC',
      active: true,
      registration: { mode: 'open' },
      modelAliases: {},
    });
  });

  it('generates an id from the name, and a different one for a second event with the same name', async () => {
    const { id: _id, ...withoutId } = newEvent({ name: 'Zürich AI Night!' });

    const first = await http.post<EventResponse>('/api/v1/admin/events', withoutId);
    const second = await http.post<EventResponse>('/api/v1/admin/events', withoutId);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(first.body.id).toBe('zurich-ai-night');
    expect(second.body.id).toMatch(/^zurich-ai-night-[a-z0-9]+$/);
    expect(await getEvent(second.body.id)).toMatchObject({ name: 'Zürich AI Night!' });
  });

  it('generates a valid id for a name with no usable letters', async () => {
    const { id: _id, ...withoutId } = newEvent({ name: '🎉' });

    const created = await http.post<EventResponse>('/api/v1/admin/events', withoutId);

    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/);
  });

  it('rejects a duplicate id with 409 and keeps the first event', async () => {
    await seedEvent(http, { id: 'taken-id', name: 'First' });

    const res = await http.post('/api/v1/admin/events', newEvent({ id: 'taken-id', name: 'Second' }));

    expectAdminError(res, 409, 'event_already_exists');
    expect(await getEvent('taken-id')).toMatchObject({ name: 'First' });
  });

  describe('validation', () => {
    it.each([
      ['endsAt equal to startsAt', { startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T10:00:00Z' }, 'endsAt'],
      ['endsAt before startsAt', { startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T09:00:00Z' }, 'endsAt'],
      ['endsAt before startsAt once offsets apply', { startsAt: '2030-01-01T10:00:00+00:00', endsAt: '2030-01-01T10:30:00+01:00' }, 'endsAt'],
      ['a time without an offset', { startsAt: '2030-01-01T10:00:00' }, 'startsAt'],
      ['a date that is not a date', { endsAt: 'tomorrow' }, 'endsAt'],
      ['a bad time zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
      ['an unknown field', { colour: 'blue' }, 'colour'],
      ['an unknown nested field', { registration: { mode: 'open', secret: 1 } }, 'registration.secret'],
      ['a number as a string', { maxTokenCap: '512' }, 'maxTokenCap'],
      ['a fractional cap', { dailyRequestCap: 1.5 }, 'dailyRequestCap'],
      ['a string as a boolean', { active: 'yes' }, 'active'],
      ['an empty name', { name: '' }, 'name'],
      ['a bad email', { organizerEmail: 'not-an-email' }, 'organizerEmail'],
      ['a non-http URL', { eventUrl: 'javascript:alert(1)' }, 'eventUrl'],
      ['a code mode without a code', { registration: { mode: 'code' } }, 'registration.code'],
      ['an unknown registration mode', { registration: { mode: 'invite' } }, 'registration.mode'],
      ['an id that is not a slug', { id: 'Not A Slug' }, 'id'],
      ['model aliases that are not strings', { modelAliases: { 'gpt-4o': 4 } }, 'modelAliases.gpt-4o'],
    ])('rejects %s on create and creates nothing', async (_what, overrides, field) => {
      const body = newEvent(overrides);
      const before = await listEvents();

      const res = await http.post('/api/v1/admin/events', body);

      expectFieldError(res, field);
      expect(await listEvents()).toEqual(before);
    });

    it('rejects a body that is not an object', async () => {
      for (const body of ['[]', '"event"', '42']) {
        expectAdminError(await http.post('/api/v1/admin/events', body), 400, 'validation_failed');
      }
    });

    it('rejects a PATCH moving only endsAt to before startsAt and changes nothing', async () => {
      const { event } = await seedEvent(http);

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, { endsAt: new Date(Date.parse(event.startsAt) - 60_000).toISOString() });

      expectFieldError(res, 'endsAt');
      expect(await getEvent(event.id)).toEqual(event);
    });

    it('rejects a PATCH moving only startsAt to after endsAt and changes nothing', async () => {
      const { event } = await seedEvent(http);

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt: event.endsAt });

      expectFieldError(res, 'startsAt');
      expect(await getEvent(event.id)).toEqual(event);
    });

    it.each([
      ['a bad time zone', { timeZone: 'Europe/Atlantis' }, 'timeZone'],
      ['an unknown field', { id: 'renamed' }, 'id'],
      ['a wrong type', { maxTokenCap: 'lots' }, 'maxTokenCap'],
      ['a null name', { name: null }, 'name'],
      ['a code mode without a code', { registration: { mode: 'code' } }, 'registration.code'],
    ])('rejects a PATCH with %s and changes nothing', async (_what, body, field) => {
      const { event } = await seedEvent(http);

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, body);

      expectFieldError(res, field);
      expect(await getEvent(event.id)).toEqual(event);
    });

    it('rejects a PATCH swapping both ends and changes nothing', async () => {
      const { event } = await seedEvent(http);

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt: event.endsAt, endsAt: event.startsAt });

      expectFieldError(res, 'endsAt');
      expect(await getEvent(event.id)).toEqual(event);
    });

    it('accepts a PATCH moving both ends together', async () => {
      const { event } = await seedEvent(http);

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt: '2031-05-01T10:00:00+02:00', endsAt: '2031-05-01T20:00:00+02:00' });

      expect(res.status).toBe(200);
      expect(await getEvent(event.id)).toMatchObject({ startsAt: '2031-05-01T08:00:00.000Z', endsAt: '2031-05-01T18:00:00.000Z', status: 'upcoming' });
    });

    it('switches registration back to open and forgets the code', async () => {
      const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'secret-code' } });

      const res = await http.patch(`/api/v1/admin/events/${event.id}`, { registration: { mode: 'open' } });

      expect(res.status).toBe(200);
      expect((await getEvent(event.id)).registration).toEqual({ mode: 'open' });
    });
  });

  describe('github registration mode', () => {
    const expectSignInNotConfigured = (res: Parameters<typeof expectFieldError>[0]) => {
      const body = expectFieldError(res, 'registration.mode');
      expect(body.message).toMatch(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET.*Registration modes/);
    };

    it('refuses to create a github event on a server without GitHub sign-in, and creates nothing', async () => {
      const before = await listEvents();
      const event = newEvent({ registration: { mode: 'github' } });

      expectSignInNotConfigured(await http.post('/api/v1/admin/events', event));

      expect(await listEvents()).toEqual(before);
      expectAdminError(await http.get(`/api/v1/admin/events/${event.id}`), 404, 'event_not_found');
    });

    it('refuses to switch an event to github on a server without GitHub sign-in, and changes nothing', async () => {
      const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'keep-me' } });

      expectSignInNotConfigured(await http.patch(`/api/v1/admin/events/${event.id}`, { registration: { mode: 'github' }, name: 'Renamed' }));

      expect(await getEvent(event.id)).toEqual(event);
    });

    it('creates and switches to github events where GitHub sign-in is configured', async () => {
      // Nothing is signed in here, so the OAuth endpoints can point at a port nobody listens on.
      const app = await startTestApp({
        env: { GITHUB_CLIENT_ID: 'Iv1.eventstest', GITHUB_CLIENT_SECRET: 'github-client-secret-for-tests', GITHUB_OAUTH_BASE_URL: 'http://127.0.0.1:9' },
      });
      try {
        const client = httpClient(app.url);
        const created = await client.post<EventResponse>('/api/v1/admin/events', newEvent({ registration: { mode: 'github' } }));
        expect(created.status).toBe(201);
        expect(created.body.registration).toEqual({ mode: 'github' });

        const { event } = await seedEvent(client);
        const patched = await client.patch<EventResponse>(`/api/v1/admin/events/${event.id}`, { registration: { mode: 'github' } });
        expect(patched.status).toBe(200);
        expect((await client.get<EventResponse>(`/api/v1/admin/events/${event.id}`)).body.registration).toEqual({ mode: 'github' });
      } finally {
        await app.close();
      }
    });
  });

  describe('unknown ids', () => {
    it('answers 404 for GET, PATCH and DELETE of an unknown event', async () => {
      expectAdminError(await http.get('/api/v1/admin/events/no-such-event'), 404, 'event_not_found');
      expectAdminError(await http.patch('/api/v1/admin/events/no-such-event', { name: 'x' }), 404, 'event_not_found');
      expectAdminError(await http.delete('/api/v1/admin/events/no-such-event'), 404, 'event_not_found');
      expect((await listEvents()).map((e) => e.id)).not.toContain('no-such-event');
    });

    it('answers 404 for an id longer than any event id can be', async () => {
      expectAdminError(await http.get(`/api/v1/admin/events/${'a'.repeat(100)}`), 404, 'event_not_found');
      expectAdminError(await http.patch(`/api/v1/admin/events/${'a'.repeat(100)}`, { name: 'x' }), 404, 'event_not_found');
    });
  });

  it('rejects every events route without the admin token and changes nothing', async () => {
    const { event } = await seedEvent(http);
    const noToken = { admin: false };

    expectAdminError(await http.get('/api/v1/admin/events', noToken), 401, 'unauthorized');
    expectAdminError(await http.post('/api/v1/admin/events', newEvent({ id: 'sneaky' }), noToken), 401, 'unauthorized');
    expectAdminError(await http.get(`/api/v1/admin/events/${event.id}`, noToken), 401, 'unauthorized');
    expectAdminError(await http.patch(`/api/v1/admin/events/${event.id}`, { name: 'Hijacked' }, noToken), 401, 'unauthorized');
    expectAdminError(await http.delete(`/api/v1/admin/events/${event.id}`, noToken), 401, 'unauthorized');
    expectAdminError(await http.get(`/api/v1/admin/events/${event.id}/resources`, noToken), 401, 'unauthorized');

    expect(await getEvent(event.id)).toEqual(event);
    expect((await listEvents()).map((e) => e.id)).not.toContain('sneaky');
  });

  it('deletes an event with its attendees, whose keys stop working', async () => {
    const { event } = await seedEvent(http);
    const { apiKey } = await registerAttendee(http, event.id);
    expect((await http.get('/api/v1/eventinfo', { headers: { 'api-key': apiKey } })).status).toBe(200);

    expect((await http.delete(`/api/v1/admin/events/${event.id}`)).status).toBe(204);

    expectAdminError(await http.get('/api/v1/eventinfo', { headers: { 'api-key': apiKey } }), 401, 'invalid_api_key');
    expectAdminError(await http.get(`/api/v1/admin/events/${event.id}/attendees`), 404, 'event_not_found');
  });

  describe('attaching resources', () => {
    async function attached(eventId: string): Promise<string[]> {
      const res = await http.get<ResourceResponse[]>(`/api/v1/admin/events/${eventId}/resources`);
      expect(res.status).toBe(200);
      return res.body.map((r) => r.id).sort();
    }

    it('attaches idempotently, lists and detaches', async () => {
      const { event } = await seedEvent(http);
      const resource = (await http.post<ResourceResponse>('/api/v1/admin/resources', newResource())).body;

      const first = await http.put<ResourceResponse>(`/api/v1/admin/events/${event.id}/resources/${resource.id}`);
      const again = await http.put<ResourceResponse>(`/api/v1/admin/events/${event.id}/resources/${resource.id}`);

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: resource.id, deploymentName: resource.deploymentName });
      expect(again.status).toBe(200);
      expect(await attached(event.id)).toEqual([resource.id]);

      expect((await http.delete(`/api/v1/admin/events/${event.id}/resources/${resource.id}`)).status).toBe(204);
      expect(await attached(event.id)).toEqual([]);
      expectAdminError(await http.delete(`/api/v1/admin/events/${event.id}/resources/${resource.id}`), 404, 'resource_not_found');
      expect((await http.get(`/api/v1/admin/resources/${resource.id}`)).status).toBe(200);
    });

    it('lists several attached resources, and only those of the event', async () => {
      const { event, resources } = await seedEvent(http, {}, [{ deploymentName: 'chat-a' }, { deploymentName: 'embed-b', modelClass: 'openai-embeddings' }]);
      await seedEvent(http, {}, [{ deploymentName: 'other-event-only' }]);

      expect(await attached(event.id)).toEqual(resources.map((r) => r.id).sort());
    });

    it('answers 404 for an unknown event or resource and attaches nothing', async () => {
      const { event } = await seedEvent(http);
      const resource = (await http.post<ResourceResponse>('/api/v1/admin/resources', newResource())).body;

      expectAdminError(await http.put(`/api/v1/admin/events/no-such-event/resources/${resource.id}`), 404, 'event_not_found');
      expectAdminError(await http.put(`/api/v1/admin/events/${event.id}/resources/${randomUUID()}`), 404, 'resource_not_found');
      expectAdminError(await http.put(`/api/v1/admin/events/${event.id}/resources/not-a-uuid`), 404, 'resource_not_found');
      expectAdminError(await http.get('/api/v1/admin/events/no-such-event/resources'), 404, 'event_not_found');
      expect(await attached(event.id)).toEqual([]);
    });

    it('answers 404 when detaching an unknown resource, even with a malformed id', async () => {
      const { event, resources } = await seedEvent(http, {}, [{}]);

      expectAdminError(await http.delete(`/api/v1/admin/events/no-such-event/resources/${resources[0].id}`), 404, 'event_not_found');
      expectAdminError(await http.delete(`/api/v1/admin/events/${event.id}/resources/${randomUUID()}`), 404, 'resource_not_found');
      expectAdminError(await http.delete(`/api/v1/admin/events/${event.id}/resources/not-a-uuid`), 404, 'resource_not_found');
      expect(await attached(event.id)).toEqual([resources[0].id]);
    });
  });
});
