import type { EventInfo, ResourceResponse } from './support/api';
import { expectAdminError } from './support/expect-error';
import { newResource, registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { pollUntil } from './support/poll';
import { startTestApp, TestApp } from './support/test-app';
import { dayKey, nextMidnight } from '../src/events/event-window';

const HOUR = 3_600_000;

describe('Event info (GET /api/v1/eventinfo)', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  const withKey = (apiKey: string): Promise<HttpResult<EventInfo>> => http.get<EventInfo>('/api/v1/eventinfo', { headers: { 'api-key': apiKey } });

  it('describes the event, its caps, attached active deployments and today\'s usage', async () => {
    const { event } = await seedEvent(
      http,
      { name: 'Info Hack', description: 'Build things', eventUrl: 'https://example.com/info', timeZone: 'Asia/Kolkata', maxTokenCap: 300, dailyRequestCap: 42 },
      [
        { deploymentName: 'gpt-4o-mini', modelClass: 'openai-chat' },
        { deploymentName: 'gpt-4o-mini', modelClass: 'openai-chat', name: 'Failover' },
        { deploymentName: 'text-embedding-3-small', modelClass: 'openai-embeddings' },
        { deploymentName: 'switched-off', modelClass: 'openai-chat', active: false },
      ],
    );
    await http.post('/api/v1/admin/resources', newResource({ deploymentName: 'not-attached' }));
    const { attendeeId, apiKey } = await registerAttendee(http, event.id, { name: 'Ada', email: 'ada@example.com' });

    const before = new Date();
    const res = await withKey(apiKey);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      eventId: event.id,
      name: 'Info Hack',
      description: 'Build things',
      organizerName: event.organizerName,
      organizerEmail: event.organizerEmail,
      eventUrl: 'https://example.com/info',
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      timeZone: 'Asia/Kolkata',
      status: 'live',
      maxTokenCap: 300,
      dailyRequestCap: 42,
      attendee: { id: attendeeId, name: 'Ada', email: 'ada@example.com' },
      deployments: [
        { deploymentName: 'gpt-4o-mini', modelClass: 'openai-chat' },
        { deploymentName: 'text-embedding-3-small', modelClass: 'openai-embeddings' },
      ],
      usage: { requests: 0, tokens: 0, remainingRequests: 42 },
    });
    expect([dayKey(before, 'Asia/Kolkata'), dayKey(new Date(), 'Asia/Kolkata')]).toContain(res.body.usage.day);
    expect([nextMidnight(before, 'Asia/Kolkata').toISOString(), nextMidnight(new Date(), 'Asia/Kolkata').toISOString()]).toContain(res.body.usage.resetsAt);
  });

  it('counts today\'s requests and tokens against the daily cap', async () => {
    const builtInSimulator = { upstream: 'simulator', endpointUrl: undefined, apiKey: undefined, deploymentName: 'chat' };
    const { event } = await seedEvent(http, { dailyRequestCap: 5 }, [builtInSimulator]);
    const { apiKey } = await registerAttendee(http, event.id);

    const completion = await http.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'count me' }] }, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(completion.status).toBe(200);

    const info = await pollUntil(() => withKey(apiKey), (r) => r.body.usage.requests > 0);
    expect(info.body.usage).toMatchObject({ requests: 1, remainingRequests: 4 });
    expect(info.body.usage.tokens).toBeGreaterThan(0);
  });

  it('accepts the key as Authorization: Bearer', async () => {
    const { event } = await seedEvent(http);
    const { apiKey } = await registerAttendee(http, event.id);

    const res = await http.get<EventInfo>('/api/v1/eventinfo', { headers: { authorization: `Bearer ${apiKey}` } });

    expect(res.status).toBe(200);
    expect(res.body.eventId).toBe(event.id);
  });

  it('follows resources being switched off, detached and attached', async () => {
    const { event, resources } = await seedEvent(http, {}, [{ deploymentName: 'chat' }, { deploymentName: 'embed', modelClass: 'openai-embeddings' }]);
    const { apiKey } = await registerAttendee(http, event.id);
    const names = async () => (await withKey(apiKey)).body.deployments.map((d) => d.deploymentName);
    expect(await names()).toEqual(['chat', 'embed']);

    await http.patch(`/api/v1/admin/resources/${resources[0].id}`, { active: false });
    expect(await names()).toEqual(['embed']);

    await http.delete(`/api/v1/admin/events/${event.id}/resources/${resources[1].id}`);
    expect(await names()).toEqual([]);

    const added = (await http.post<ResourceResponse>('/api/v1/admin/resources', newResource({ deploymentName: 'dall-e-3', modelClass: 'openai-dall-e-3' }))).body;
    await http.put(`/api/v1/admin/events/${event.id}/resources/${added.id}`);
    expect((await withKey(apiKey)).body.deployments).toEqual([{ deploymentName: 'dall-e-3', modelClass: 'openai-dall-e-3' }]);
  });

  it('shows event changes at once', async () => {
    const { event } = await seedEvent(http, { dailyRequestCap: 10 });
    const { apiKey } = await registerAttendee(http, event.id);

    await http.patch(`/api/v1/admin/events/${event.id}`, { name: 'Renamed Hack', dailyRequestCap: 20 });

    expect((await withKey(apiKey)).body).toMatchObject({ name: 'Renamed Hack', dailyRequestCap: 20, usage: { remainingRequests: 20 } });
  });

  it('works before the event starts (status upcoming), while registration is closed', async () => {
    const { event } = await seedEvent(http);
    const { apiKey } = await registerAttendee(http, event.id);
    const startsAt = new Date(Date.now() + 2 * HOUR).toISOString();
    expect((await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt })).status).toBe(200);

    const res = await withKey(apiKey);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'upcoming', startsAt: new Date(startsAt).toISOString() });
    expectAdminError(await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'Late', email: 'late@example.com' }), 403, 'registration_closed');
  });

  it('works after the event ends (status ended)', async () => {
    const { event } = await seedEvent(http);
    const { apiKey } = await registerAttendee(http, event.id);
    const startsAt = new Date(Date.now() - 3 * HOUR).toISOString();
    const endsAt = new Date(Date.now() - HOUR).toISOString();
    expect((await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt, endsAt })).status).toBe(200);

    const res = await withKey(apiKey);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ended');
  });

  it('rejects a key of an inactive event with 401 event_inactive', async () => {
    const { event } = await seedEvent(http);
    const { apiKey } = await registerAttendee(http, event.id);
    await http.patch(`/api/v1/admin/events/${event.id}`, { active: false });

    expectAdminError(await withKey(apiKey), 401, 'event_inactive');
  });

  it('rejects a missing key with 401 invalid_api_key', async () => {
    expectAdminError(await http.get('/api/v1/eventinfo'), 401, 'invalid_api_key');
    expectAdminError(await http.get('/api/v1/eventinfo', { headers: { authorization: 'Bearer ' } }), 401, 'invalid_api_key');
  });

  it('rejects an unknown key with 401 invalid_api_key', async () => {
    expectAdminError(await withKey('aip_not-a-real-key-0000000000000000000000000'), 401, 'invalid_api_key');
    expectAdminError(await withKey('garbage'), 401, 'invalid_api_key');
  });

  it('rejects the admin token in place of an attendee key', async () => {
    expectAdminError(await http.get('/api/v1/eventinfo', { admin: true }), 401, 'invalid_api_key');
  });
});
