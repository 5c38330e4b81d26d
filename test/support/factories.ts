import { randomBytes } from 'node:crypto';
import type { EventResponse, RegistrationResponse, ResourceResponse } from './api';
import type { HttpClient } from './http';

const HOUR = 3_600_000;

/** A live event body: started an hour ago, ends in a day. */
export function newEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `ev-${randomBytes(4).toString('hex')}`,
    name: 'Test Hackathon',
    organizerName: 'Ada',
    organizerEmail: 'ada@example.com',
    startsAt: new Date(Date.now() - HOUR).toISOString(),
    endsAt: new Date(Date.now() + 24 * HOUR).toISOString(),
    timeZone: 'UTC',
    maxTokenCap: 512,
    dailyRequestCap: 100,
    ...overrides,
  };
}

export function newResource(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Chat (simulated)',
    deploymentName: 'gpt-4o-mini',
    modelClass: 'openai-chat',
    upstream: 'azure',
    endpointUrl: 'https://example-resource.openai.azure.com',
    apiKey: 'upstream-secret-key-ABCD',
    ...overrides,
  };
}

/** Creates an event (and optionally resources attached to it) through the admin API. */
export async function seedEvent(
  http: HttpClient,
  event: Record<string, unknown> = {},
  resources: Record<string, unknown>[] = [],
): Promise<{ event: EventResponse; resources: ResourceResponse[] }> {
  const created = await http.post<EventResponse>('/api/v1/admin/events', newEvent(event));
  if (created.status !== 201) throw new Error(`seedEvent failed: ${created.status} ${created.text}`);
  const out: ResourceResponse[] = [];
  for (const r of resources) {
    const res = await http.post<ResourceResponse>('/api/v1/admin/resources', newResource(r));
    if (res.status !== 201) throw new Error(`seed resource failed: ${res.status} ${res.text}`);
    const attached = await http.put(`/api/v1/admin/events/${created.body.id}/resources/${res.body.id}`);
    if (attached.status !== 200) throw new Error(`attach failed: ${attached.status} ${attached.text}`);
    out.push(res.body);
  }
  return { event: created.body, resources: out };
}

export async function registerAttendee(
  http: HttpClient,
  eventId: string,
  body: Record<string, unknown> = {},
): Promise<RegistrationResponse> {
  const res = await http.post<RegistrationResponse>(`/api/v1/events/${eventId}/attendees`, {
    name: 'Grace',
    email: `grace-${randomBytes(3).toString('hex')}@example.com`,
    ...body,
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`register failed: ${res.status} ${res.text}`);
  return res.body;
}
