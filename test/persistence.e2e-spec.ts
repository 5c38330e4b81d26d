import { randomBytes } from 'node:crypto';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { AttendeeResponse, EventInfo, EventResponse, Page, ResourceResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { pollUntil } from './support/poll';
import { startTestApp, TestApp } from './support/test-app';

interface ChatCompletion {
  choices: { message: { content: string } }[];
}

describe('Persistence across a restart', () => {
  const upstreamKey = `sk-persist-${randomBytes(16).toString('hex')}`;
  let sim: RunningSimulator;
  /** Whichever app is running; the one still running at the end discards the data. */
  let running: TestApp | undefined;

  beforeAll(async () => {
    // The simulator accepts only upstreamKey, so a completion through the proxy proves the stored key decrypts.
    sim = await startSimulator({ apiKey: upstreamKey, port: 0 });
  });
  afterAll(async () => {
    await running?.close();
    await sim.close();
  });

  const chat = (http: HttpClient, apiKey: string) =>
    http.post<ChatCompletion>('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'still here?' }] }, {
      headers: { authorization: `Bearer ${apiKey}` },
    });

  it('keeps events, resources, attendees and working keys', async () => {
    const first = (running = await startTestApp());
    const before = httpClient(first.url);
    const { event, resources } = await seedEvent(
      before,
      { name: 'Persistent Hack', timeZone: 'Europe/Berlin', registration: { mode: 'code', code: 'stay-put' }, modelAliases: { 'gpt-4o': 'chat' } },
      [{ deploymentName: 'chat', upstream: 'openai', endpointUrl: sim.url, apiKey: upstreamKey }],
    );
    const attendee = await registerAttendee(before, event.id, { name: 'Persistent Pat', email: 'pat@example.com', code: 'stay-put' });
    expect((await chat(before, attendee.apiKey)).status).toBe(200);
    const usedBefore = await pollUntil(
      () => before.get<EventInfo>('/api/v1/eventinfo', { headers: { 'api-key': attendee.apiKey } }),
      (r) => r.body.usage.requests === 1,
    );
    const resourceBefore = (await before.get<ResourceResponse>(`/api/v1/admin/resources/${resources[0].id}`)).body;
    await first.close({ keepData: true });
    running = undefined;

    const second = (running = await startTestApp({ dataDir: first.dataDir, databaseUrl: first.databaseUrl }));
    const after = httpClient(second.url);

    const eventAfter = await after.get<EventResponse>(`/api/v1/admin/events/${event.id}`);
    expect(eventAfter.status).toBe(200);
    expect({ ...eventAfter.body, status: event.status }).toEqual(event);
    const resourceAfter = await after.get<ResourceResponse>(`/api/v1/admin/resources/${resources[0].id}`);
    expect(resourceAfter.body).toEqual(resourceBefore);
    expect(resourceAfter.body).toMatchObject({ hasApiKey: true, apiKeyHint: `…${upstreamKey.slice(-4)}` });
    expect((await after.get<ResourceResponse[]>(`/api/v1/admin/events/${event.id}/resources`)).body.map((r) => r.id)).toEqual([resources[0].id]);
    const listed = await after.get<Page<AttendeeResponse>>(`/api/v1/admin/events/${event.id}/attendees`);
    expect(listed.body).toMatchObject({ total: 1, items: [{ id: attendee.attendeeId, email: 'pat@example.com', active: true }] });

    const info = await after.get<EventInfo>('/api/v1/eventinfo', { headers: { 'api-key': attendee.apiKey } });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ eventId: event.id, deployments: [{ deploymentName: 'chat', modelClass: 'openai-chat' }] });
    // Today's count was flushed at shutdown and still counts against the cap (unless midnight passed meanwhile).
    expect(info.body.usage.requests).toBe(info.body.usage.day === usedBefore.body.usage.day ? 1 : 0);
    const completion = await chat(after, attendee.apiKey);
    expect(completion.status).toBe(200);
    expect(completion.body.choices[0].message.content).toContain('still here?');
  });
});
