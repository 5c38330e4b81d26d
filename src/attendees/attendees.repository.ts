import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository } from 'typeorm';
import { isUniqueViolation } from '../events/events.repository';
import { AttendeeIdentityEntity } from './attendee-identity.entity';
import { AttendeeEntity } from './attendee.entity';

@Injectable()
export class AttendeesRepository {
  private readonly repo: Repository<AttendeeEntity>;
  private readonly identities: Repository<AttendeeIdentityEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(AttendeeEntity);
    this.identities = dataSource.getRepository(AttendeeIdentityEntity);
  }

  findInEvent(eventId: string, id: string): Promise<AttendeeEntity | null> {
    return this.repo.findOneBy({ eventId, id });
  }

  findByEmail(eventId: string, email: string): Promise<AttendeeEntity | null> {
    return this.repo.findOneBy({ eventId, email });
  }

  async page(eventId: string, page: number, pageSize: number, search?: string): Promise<[AttendeeEntity[], number]> {
    const qb = this.repo.createQueryBuilder('a').where('a.event_id = :eventId', { eventId });
    if (search) {
      const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        '(a.name ILIKE :like OR a.email ILIKE :like OR EXISTS (SELECT 1 FROM attendee_identities i WHERE i.attendee_id = a.id AND i.login ILIKE :like))',
        { like },
      );
    }
    return qb
      .orderBy('a.created_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
  }

  /**
   * Registers a new email; an email already in the event keeps its key (re-registering must not cut
   * anyone off). One statement, so two concurrent registrations of one email create one attendee.
   */
  async insertIfNew(row: Pick<AttendeeEntity, 'eventId' | 'name' | 'email' | 'keyHash' | 'keyPrefix'>): Promise<{ attendee: AttendeeEntity; created: boolean }> {
    const rows = (await this.repo.query(
      `INSERT INTO attendees (event_id, name, email, key_hash, key_prefix)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id, email) DO NOTHING
       RETURNING id`,
      [row.eventId, row.name, row.email, row.keyHash, row.keyPrefix],
    )) as { id: string }[];
    if (rows.length === 0) return { attendee: (await this.repo.findOneBy({ eventId: row.eventId, email: row.email }))!, created: false };
    return { attendee: (await this.repo.findOneBy({ id: rows[0].id }))!, created: true };
  }

  async findByIdentity(eventId: string, provider: string, subject: string): Promise<AttendeeEntity | null> {
    const identity = await this.identities.findOneBy({ eventId, provider, subject });
    return identity ? this.repo.findOneBy({ id: identity.attendeeId }) : null;
  }

  /**
   * The attendee of a signed-in identity, created with the given key when new. An attendee registered
   * earlier with the identity's verified email (before the event switched to sign-in) becomes theirs;
   * if that email already belongs to another identity, `fallbackEmail` is used instead.
   */
  async registerIdentity(
    row: Pick<AttendeeEntity, 'eventId' | 'name' | 'email' | 'keyHash' | 'keyPrefix'>,
    identity: { provider: string; subject: string; login: string; fallbackEmail: string },
  ): Promise<{ attendee: AttendeeEntity; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (m) => {
          const key = { eventId: row.eventId, provider: identity.provider, subject: identity.subject };
          const known = await m.findOneBy(AttendeeIdentityEntity, key);
          if (known) {
            await m.update(AttendeeIdentityEntity, { id: known.id }, { login: identity.login, lastSignInAt: new Date() });
            return { attendee: (await m.findOneBy(AttendeeEntity, { id: known.attendeeId }))!, created: false };
          }
          let attendee = await m.findOneBy(AttendeeEntity, { eventId: row.eventId, email: row.email });
          let email = row.email;
          if (attendee && (await m.existsBy(AttendeeIdentityEntity, { attendeeId: attendee.id, provider: identity.provider }))) {
            attendee = null;
            email = identity.fallbackEmail;
          }
          const created = !attendee;
          attendee ??= await m.save(AttendeeEntity, m.create(AttendeeEntity, { ...row, email, keyRotatedAt: new Date() }));
          await m.insert(AttendeeIdentityEntity, { ...key, attendeeId: attendee.id, login: identity.login, lastSignInAt: new Date() });
          return { attendee, created };
        });
      } catch (err) {
        // A concurrent first sign-in of the same identity won the race: the next attempt finds its row.
        if (attempt > 0 || !isUniqueViolation(err)) throw err;
      }
    }
  }

  /** The sign-in identities of these attendees (one per attendee: each event has one sign-in mode). */
  async identitiesOf(attendeeIds: string[]): Promise<Map<string, { provider: string; login: string }>> {
    if (attendeeIds.length === 0) return new Map();
    const rows = await this.identities.findBy({ attendeeId: In(attendeeIds) });
    return new Map(rows.map((r) => [r.attendeeId, { provider: r.provider, login: r.login }]));
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
