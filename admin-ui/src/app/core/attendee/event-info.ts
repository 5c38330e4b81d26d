import { httpResource } from '@angular/common/http';
import { inject, Injectable, linkedSignal } from '@angular/core';
import { valueOf } from '../../shared/resource-value';
import { ApiClient } from '../api/api-client';
import type { EventInfo } from '../api/api-types';
import { AttendeeKey } from './attendee-key';

/** GET /api/v1/eventinfo with the attendee's key: event window, caps, deployments, today's usage. */
@Injectable({ providedIn: 'root' })
export class EventInfoStore {
  private readonly api = inject(ApiClient);
  private readonly attendee = inject(AttendeeKey);
  readonly info = httpResource<EventInfo>(() => {
    const key = this.attendee.key();
    return key ? { url: this.api.url('/api/v1/eventinfo'), headers: { 'api-key': key } } : undefined;
  });
  /** The last info seen for the current key: a failed refresh (say, the key was revoked) keeps the page up. */
  readonly current = linkedSignal<{ key: string | null; value: EventInfo | undefined }, EventInfo | undefined>({
    source: () => ({ key: this.attendee.key(), value: valueOf(this.info) }),
    computation: (s, previous) => s.value ?? (previous && s.key && previous.source.key === s.key ? previous.value : undefined),
  });
}
