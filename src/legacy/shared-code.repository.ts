import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CatalogAttendee } from '../catalog/catalog.types';

interface AttendeeRow {
  id: string;
  event_id: string;
  name: string;
  email: string;
  key_hash: string;
  active: boolean;
}

const view = (r: AttendeeRow): CatalogAttendee => ({ id: r.id, eventId: r.event_id, name: r.name, email: r.email, keyHash: r.key_hash, active: r.active });

/** Attendees that register themselves by using a shared-code key. */
@Injectable()
export class SharedCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the attendee for a first use, or finds the one a concurrent first use of the same key
   * created: the unique key hash makes it exactly one. Undefined when the email is taken by another key.
   */
  async register(row: { eventId: string; name: string; email: string; keyHash: string; keyPrefix: string }): Promise<CatalogAttendee | undefined> {
    const inserted = (await this.dataSource.query(
      `INSERT INTO attendees (event_id, name, email, key_hash, key_prefix) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING
       RETURNING id, event_id, name, email, key_hash, active`,
      [row.eventId, row.name, row.email, row.keyHash, row.keyPrefix],
    )) as AttendeeRow[];
    if (inserted[0]) return view(inserted[0]);
    const existing = (await this.dataSource.query(`SELECT id, event_id, name, email, key_hash, active FROM attendees WHERE key_hash = $1`, [
      row.keyHash,
    ])) as AttendeeRow[];
    return existing[0] ? view(existing[0]) : undefined;
  }
}
