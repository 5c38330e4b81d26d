import { inject, Injectable } from '@angular/core';
import { ApiClient } from '../../../core/api/api-client';
import type { CreateEventBody, EventResponse, UpdateEventBody } from '../../../core/api/api-types';

/** Writes for events and their deployments; reads use httpResource in the pages. */
@Injectable({ providedIn: 'root' })
export class EventsData {
  private readonly api = inject(ApiClient);

  create(body: CreateEventBody): Promise<EventResponse> {
    return this.api.post('/api/v1/admin/events', { body });
  }

  update(eventId: string, body: UpdateEventBody): Promise<EventResponse> {
    return this.api.patch('/api/v1/admin/events/{eventId}', { path: { eventId }, body });
  }

  setActive(eventId: string, active: boolean): Promise<EventResponse> {
    return this.update(eventId, { active });
  }

  attach(eventId: string, resourceId: string) {
    return this.api.put('/api/v1/admin/events/{eventId}/resources/{resourceId}', { path: { eventId, resourceId } });
  }

  detach(eventId: string, resourceId: string) {
    return this.api.delete('/api/v1/admin/events/{eventId}/resources/{resourceId}', { path: { eventId, resourceId } });
  }
}

/** The link attendees open to register (the portal's page, not the API route). */
export function registrationLink(eventId: string, origin = location.origin): string {
  return `${origin}/register/${encodeURIComponent(eventId)}`;
}
