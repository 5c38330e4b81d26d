import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, type HttpClient } from './support/http';
import { type UsageReport, waitFor } from './support/proxy';
import { RealtimeClient, realtimeBuiltin, TEXT_ONLY_GA, wsUrl } from './support/realtime';
import { startTestApp, type TestApp } from './support/test-app';

const GA = '/openai/v1/realtime?model=gpt-realtime';

/** The rules the proxy keeps enforcing while a realtime session is open, and the caps on opening one. */
describe('realtime governance', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  async function live(event: Record<string, unknown> = {}): Promise<{ eventId: string; key: string; attendeeId: string }> {
    const seeded = await seedEvent(http, event, [realtimeBuiltin()]);
    const attendee = await registerAttendee(http, seeded.event.id);
    return { eventId: seeded.event.id, key: attendee.apiKey, attendeeId: attendee.attendeeId };
  }

  function open(key: string): Promise<RealtimeClient> {
    return RealtimeClient.connect(wsUrl(t.url, GA), { headers: { 'api-key': key } });
  }

  /** The realtime error event the proxy sent before closing, and the close itself. */
  async function endedBy(client: RealtimeClient, timeoutMs = 5_000) {
    const closed = await client.waitClosed(timeoutMs);
    const error = client.ofType<{ error: { type: string; code: string; message: string; param: null } }>('error').at(-1);
    return { closed, error: error?.error };
  }

  describe('closes an open session with an error event and code 1008', () => {
    it('when the event ends mid-session', async () => {
      const { eventId, key } = await live();
      const client = await open(key);
      client.send(TEXT_ONLY_GA);
      await client.ask('before the end', 1);
      const endsAt = new Date(Date.now() + 1_000);

      const patched = await http.patch(`/api/v1/admin/events/${eventId}`, { endsAt: endsAt.toISOString() });
      expect(patched.status).toBe(200);
      const { closed, error } = await endedBy(client);

      expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
      expect(error).toEqual({ type: 'invalid_request_error', code: 'event_ended', message: expect.stringContaining('ended at'), param: null, event_id: null });
      expect(closed).toEqual({ code: 1008, reason: 'event_ended' });
    });

    it('when the event is deactivated', async () => {
      const { eventId, key } = await live();
      const client = await open(key);
      await client.next('session.created');

      await http.patch(`/api/v1/admin/events/${eventId}`, { active: false });
      const { closed, error } = await endedBy(client);

      expect(error).toMatchObject({ code: 'event_inactive', message: expect.stringContaining('deactivated') });
      expect(closed).toEqual({ code: 1008, reason: 'event_inactive' });
    });

    it('when the attendee\'s key is revoked, leaving other attendees\' sessions open', async () => {
      const { eventId, key, attendeeId } = await live();
      const other = await registerAttendee(http, eventId);
      const client = await open(key);
      const bystander = await open(other.apiKey);
      await client.next('session.created');

      await http.patch(`/api/v1/admin/events/${eventId}/attendees/${attendeeId}`, { active: false });
      const { closed, error } = await endedBy(client);
      bystander.send(TEXT_ONLY_GA);
      await bystander.ask('still here', 1);
      bystander.close();

      expect(error).toMatchObject({ code: 'key_revoked', message: expect.stringContaining('revoked') });
      expect(closed).toEqual({ code: 1008, reason: 'key_revoked' });
    });

    it('when the key is rotated', async () => {
      const { eventId, key, attendeeId } = await live();
      const client = await open(key);
      await client.next('session.created');

      const rotated = await http.post(`/api/v1/admin/events/${eventId}/attendees/${attendeeId}/rotate`);
      expect(rotated.status).toBeLessThan(300);
      const { closed, error } = await endedBy(client);

      expect(error).toMatchObject({ code: 'key_revoked', message: expect.stringContaining('replaced') });
      expect(closed.code).toBe(1008);
    });

    it('when the session reaches maxRealtimeSessionSeconds', async () => {
      const { key } = await live({ maxRealtimeSessionSeconds: 1 });
      const started = Date.now();
      const client = await open(key);
      await client.next('session.created');

      const { closed, error } = await endedBy(client);

      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(error).toMatchObject({ code: 'session_expired', message: expect.stringContaining('maximum length of 1 s') });
      expect(closed).toEqual({ code: 1008, reason: 'session_expired' });
    });
  });

  describe('caps on opening sessions', () => {
    it('holds each attendee to maxRealtimeSessions at once (429 before the upgrade) and frees the slot on close', async () => {
      const { eventId, key } = await live({ maxRealtimeSessions: 2 });
      const other = await registerAttendee(http, eventId);
      const first = await open(key);
      const second = await open(key);

      const refused = await RealtimeClient.refusal(wsUrl(t.url, GA), { headers: { 'api-key': key } });
      const othersFirst = await open(other.apiKey);
      first.close();
      await first.waitClosed();
      const third = await waitFor(() => open(key), 'a free session slot');

      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toEqual({
        error: { message: expect.stringContaining('2 realtime sessions'), type: 'rate_limit_error', code: 'realtime_session_limit', param: null, status: 429 },
      });
      for (const c of [second, othersFirst, third]) c.close();
    });

    it('counts a session as one request against dailyRequestCap', async () => {
      const { key } = await live({ dailyRequestCap: 1 });
      const client = await open(key);
      client.send(TEXT_ONLY_GA);
      await client.ask('one', 1);
      await client.ask('two', 2);
      client.close();

      const refused = await RealtimeClient.refusal(wsUrl(t.url, GA), { headers: { 'api-key': key } });

      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).error.code).toBe('daily_request_cap_exceeded');
      expect(refused.headers['retry-after']).toEqual(expect.any(String));
    });

    it('meters a session that ends without any response as one request with no tokens', async () => {
      const { eventId, key } = await live({ maxRealtimeSessionSeconds: 1 });
      const client = await open(key);
      await endedBy(client);

      const report = await waitFor(async () => {
        const res = await http.get<UsageReport>(`/api/v1/admin/events/${eventId}/usage`);
        return res.body.totals.requests > 0 && res.body;
      }, 'the session usage record');

      expect(report.totals).toMatchObject({ requests: 1, errors: 0, totalTokens: 0 });
    });
  });

  it('validates the realtime settings on events', async () => {
    const created = await http.post('/api/v1/admin/events', { name: 'Defaults', startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() });
    const bad = await http.post('/api/v1/admin/events', { name: 'Bad', startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), maxRealtimeSessions: 0 });
    const patched = await http.patch(`/api/v1/admin/events/${(created.body as { id: string }).id}`, { maxRealtimeSessions: 5, maxRealtimeSessionSeconds: 60 });

    expect(created.body).toMatchObject({ maxRealtimeSessions: 2, maxRealtimeSessionSeconds: 1800 });
    expect(bad.status).toBe(400);
    expect(patched.body).toMatchObject({ maxRealtimeSessions: 5, maxRealtimeSessionSeconds: 60 });
  });
});
