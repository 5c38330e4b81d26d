import { expectAdminError } from './support/expect-error';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { builtinResource, chat } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

describe("Azure AI Proxy's event routes (POST /api/v1/eventinfo, GET /api/v1/event/{id})", () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  describe('POST /api/v1/eventinfo', () => {
    // Its Playground looks deployments up by its own class names (capabilities["openai-dalle3"]).
    it('answers is_authorized, max_token_cap, event_code, event_image_url, organizer_name, organizer_email and capabilities by its model class names', async () => {
      const { event } = await seedEvent(
        http,
        {
          name: 'Legacy Hack',
          imageUrl: 'https://example.com/logo.png',
          organizerName: 'Ada',
          organizerEmail: 'ada@example.com',
          maxTokenCap: 512,
        },
        [
          builtinResource({ deploymentName: 'gpt-4o', modelClass: 'openai-chat' }),
          builtinResource({ deploymentName: 'gpt-35-turbo', modelClass: 'openai-chat' }),
          builtinResource({ deploymentName: 'ada-002', modelClass: 'openai-embeddings' }),
          builtinResource({ deploymentName: 'dall-e-3', modelClass: 'openai-dall-e-3' }),
          builtinResource({ deploymentName: 'mistral-large', modelClass: 'azure-ai-inference' }),
        ],
      );
      const { apiKey } = await registerAttendee(http, event.id);

      const res = await http.post('/api/v1/eventinfo', undefined, { headers: { 'api-key': apiKey } });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        is_authorized: true,
        max_token_cap: 512,
        event_code: 'Legacy Hack',
        event_image_url: 'https://example.com/logo.png',
        organizer_name: 'Ada',
        organizer_email: 'ada@example.com',
        capabilities: {
          'openai-chat': ['gpt-35-turbo', 'gpt-4o'],
          'openai-embedding': ['ada-002'],
          'openai-dalle3': ['dall-e-3'],
          'azure-ai-inference': ['mistral-large'],
        },
      });
    });

    it('ignores whatever body is sent: none, an empty body labelled JSON, JSON, or text', async () => {
      const { event } = await seedEvent(http, {});
      const { apiKey } = await registerAttendee(http, event.id);
      const headers = { 'api-key': apiKey };

      const none = await http.post('/api/v1/eventinfo', undefined, { headers });
      const emptyJson = await http.post('/api/v1/eventinfo', '', {
        headers: { ...headers, 'content-type': 'application/json' },
      });
      const json = await http.post('/api/v1/eventinfo', { anything: true }, { headers });
      const text = await http.post('/api/v1/eventinfo', 'not json at all', {
        headers: { ...headers, 'content-type': 'text/plain' },
      });

      for (const res of [none, emptyJson, json, text]) {
        expect({ status: res.status, event_code: (res.body as { event_code?: string }).event_code }).toEqual({
          status: 200,
          event_code: 'Test Hackathon',
        });
      }
    });

    it('reports is_authorized false once the daily request cap is used up', async () => {
      const { event } = await seedEvent(http, { dailyRequestCap: 1 }, [
        builtinResource({ deploymentName: 'chat' }),
      ]);
      const { apiKey } = await registerAttendee(http, event.id);
      expect((await chat(http, apiKey, { model: 'chat' })).status).toBe(200);

      const res = await http.post<{ is_authorized: boolean }>('/api/v1/eventinfo', undefined, {
        headers: { 'api-key': apiKey },
      });

      expect(res.status).toBe(200);
      expect(res.body.is_authorized).toBe(false);
    });

    it('says why a key is refused, instead of an empty 401', async () => {
      const missing = await http.post('/api/v1/eventinfo');
      expect(expectAdminError(missing, 401, 'invalid_api_key').message).toMatch(/No API key provided/);

      const unknown = await http.post('/api/v1/eventinfo', undefined, {
        headers: { 'api-key': 'aip_not-a-real-key' },
      });
      expect(expectAdminError(unknown, 401, 'invalid_api_key').message).toMatch(/Invalid API key/);
    });

    it('keeps GET /api/v1/eventinfo in its own shape', async () => {
      const { event } = await seedEvent(http, {});
      const { apiKey } = await registerAttendee(http, event.id);

      const res = await http.get<{ eventId: string; name: string }>('/api/v1/eventinfo', {
        headers: { 'api-key': apiKey },
      });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ eventId: event.id, name: 'Test Hackathon' });
    });
  });

  describe('GET /api/v1/event/{eventId}', () => {
    it('answers the registration page data without a key: id, name, image, organiser, Markdown, local start and end, zone label and offset', async () => {
      const { event } = await seedEvent(http, {
        name: 'Berlin Build',
        description: '# Welcome\n\nBring a **laptop**.',
        imageUrl: 'https://example.com/berlin.png',
        organizerName: 'Grace',
        organizerEmail: 'grace@example.com',
        timeZone: 'Europe/Berlin',
        startsAt: '2030-01-15T08:00:00Z',
        endsAt: '2030-01-15T16:30:00Z',
        registration: { mode: 'code', code: 'secret-code' },
      });

      const res = await http.get(`/api/v1/event/${event.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        event_id: event.id,
        event_code: 'Berlin Build',
        event_image_url: 'https://example.com/berlin.png',
        organizer_name: 'Grace',
        organizer_email: 'grace@example.com',
        event_markdown: '# Welcome\n\nBring a **laptop**.',
        start_timestamp: '2030-01-15T09:00:00',
        end_timestamp: '2030-01-15T17:30:00',
        time_zone_label: 'Europe/Berlin',
        time_zone_offset: 60,
        starts_at: '2030-01-15T08:00:00.000Z',
        ends_at: '2030-01-15T16:30:00.000Z',
      });
      expect(res.text).not.toContain('secret-code');
    });

    it('gives a null image URL when the event has none, and the offset at the start in summer time', async () => {
      const { event } = await seedEvent(http, {
        timeZone: 'America/New_York',
        startsAt: '2030-07-01T13:00:00Z',
        endsAt: new Date(Date.parse('2030-07-01T13:00:00Z') + 8 * HOUR).toISOString(),
      });

      const res = await http.get<Record<string, unknown>>(`/api/v1/event/${event.id}`);

      expect(res.body).toMatchObject({
        event_image_url: null,
        start_timestamp: '2030-07-01T09:00:00',
        time_zone_offset: -240,
      });
    });

    it('answers 404 for an unknown event', async () => {
      const res = await http.get('/api/v1/event/no-such-event');

      expect(expectAdminError(res, 404, 'event_not_found').message).toContain('no-such-event');
    });
  });

  it('lets the organiser set and clear an event image through the admin API', async () => {
    const { event } = await seedEvent(http, { imageUrl: 'https://example.com/a.png' });
    expect(event.imageUrl).toBe('https://example.com/a.png');

    const cleared = await http.patch<{ imageUrl: string | null }>(`/api/v1/admin/events/${event.id}`, {
      imageUrl: null,
    });
    expect(cleared.body.imageUrl).toBeNull();

    const bad = await http.patch(`/api/v1/admin/events/${event.id}`, { imageUrl: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
  });
});
