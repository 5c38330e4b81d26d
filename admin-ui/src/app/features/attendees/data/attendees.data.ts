import { inject, Injectable } from '@angular/core';
import { ApiClient } from '../../../core/api/api-client';
import type { AttendeeResponse } from '../../../core/api/api-types';

@Injectable({ providedIn: 'root' })
export class AttendeesData {
  private readonly api = inject(ApiClient);

  setActive(eventId: string, attendeeId: string, active: boolean) {
    return this.api.patch('/api/v1/admin/events/{eventId}/attendees/{attendeeId}', { path: { eventId, attendeeId }, body: { active } });
  }

  rotate(eventId: string, attendeeId: string) {
    return this.api.post('/api/v1/admin/events/{eventId}/attendees/{attendeeId}/rotate', { path: { eventId, attendeeId } });
  }

  /** Every attendee, page by page (for the CSV export). */
  async all(eventId: string, search?: string): Promise<AttendeeResponse[]> {
    const out: AttendeeResponse[] = [];
    for (let page = 1; ; page++) {
      const res = await this.api.get('/api/v1/admin/events/{eventId}/attendees', { path: { eventId }, query: { page, pageSize: 500, search } });
      out.push(...res.items);
      if (out.length >= res.total || res.items.length === 0) return out;
    }
  }
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function attendeesCsv(rows: AttendeeResponse[]): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = ['id', 'name', 'email', 'keyPrefix', 'active', 'registeredAt', 'keyRotatedAt', 'signIn'];
  const lines = rows.map((a) =>
    [a.id, a.name, a.email, a.keyPrefix, String(a.active), a.createdAt, a.keyRotatedAt, a.identity ? `${a.identity.provider}:${a.identity.login}` : '']
      .map(cell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
