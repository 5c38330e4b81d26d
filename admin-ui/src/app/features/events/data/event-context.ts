import { httpResource } from '@angular/common/http';
import { inject, Injectable, signal } from '@angular/core';
import { ApiClient } from '../../../core/api/api-client';
import type { EventResponse } from '../../../core/api/api-types';

/** The event an event page shows, shared by its tabs (provided by the event detail page). */
@Injectable()
export class EventContext {
  private readonly api = inject(ApiClient);
  readonly eventId = signal<string | undefined>(undefined);
  readonly event = httpResource<EventResponse>(() => {
    const eventId = this.eventId();
    return eventId ? this.api.url('/api/v1/admin/events/{eventId}', { eventId }) : undefined;
  });
}
