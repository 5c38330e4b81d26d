import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AttendeeEntity } from './attendee.entity';

@Injectable()
export class AttendeesRepository {
  private readonly repo: Repository<AttendeeEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AttendeeEntity);
  }

  findInEvent(eventId: string, id: string): Promise<AttendeeEntity | null> {
    return this.repo.findOneBy({ eventId, id });
  }

  async page(eventId: string, page: number, pageSize: number, search?: string): Promise<[AttendeeEntity[], number]> {
    const qb = this.repo.createQueryBuilder('a').where('a.event_id = :eventId', { eventId });
    if (search) {
      const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(a.name ILIKE :like OR a.email ILIKE :like)', { like });
    }
    return qb
      .orderBy('a.created_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
  }

  /**
   * Registers or, for an email already in the event, replaces its key — one atomic statement, so two
   * concurrent registrations of one email leave one attendee with the key of whichever ran last.
   */
  async upsertByEmail(row: Pick<AttendeeEntity, 'eventId' | 'name' | 'email' | 'keyHash' | 'keyPrefix'>): Promise<{ attendee: AttendeeEntity; created: boolean; blocked: boolean }> {
    const rows = (await this.repo.query(
      `INSERT INTO attendees (event_id, name, email, key_hash, key_prefix)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id, email) DO UPDATE
         SET name = EXCLUDED.name, key_hash = EXCLUDED.key_hash, key_prefix = EXCLUDED.key_prefix,
             key_rotated_at = now(), updated_at = now()
         WHERE attendees.active
       RETURNING id, (xmax = 0) AS created`,
      [row.eventId, row.name, row.email, row.keyHash, row.keyPrefix],
    )) as { id: string; created: boolean }[];
    // No row back: the email exists but the organiser deactivated it; its key stays as it was.
    if (rows.length === 0) {
      const existing = (await this.repo.findOneBy({ eventId: row.eventId, email: row.email }))!;
      return { attendee: existing, created: false, blocked: true };
    }
    return { attendee: (await this.repo.findOneBy({ id: rows[0].id }))!, created: rows[0].created, blocked: false };
  }

  async setActive(id: string, active: boolean): Promise<AttendeeEntity | null> {
    await this.repo.update({ id }, { active, updatedAt: new Date() });
    return this.repo.findOneBy({ id });
  }

  async replaceKey(id: string, keyHash: string, keyPrefix: string): Promise<void> {
    const now = new Date();
    await this.repo.update({ id }, { keyHash, keyPrefix, keyRotatedAt: now, updatedAt: now });
  }
}
