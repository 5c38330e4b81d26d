import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { isUniqueViolation } from '../../events/events.repository';
import { type AccessScope, eventVisibleSql } from './access-scope';
import { EventOrganiserEntity } from './event-organiser.entity';
import { OrganiserEntity } from './organiser.entity';

export interface SignInIdentity {
  tenantId: string;
  oid: string;
  email: string;
  name: string;
}

@Injectable()
export class OrganisersRepository {
  private readonly organisers: Repository<OrganiserEntity>;
  private readonly coOrganisers: Repository<EventOrganiserEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.organisers = dataSource.getRepository(OrganiserEntity);
    this.coOrganisers = dataSource.getRepository(EventOrganiserEntity);
  }

  findById(id: string): Promise<OrganiserEntity | null> {
    return this.organisers.findOneBy({ id });
  }

  findByEmail(email: string): Promise<OrganiserEntity | null> {
    return this.organisers.createQueryBuilder('o').where('lower(o.email) = lower(:email)', { email }).getOne();
  }

  /**
   * The organiser row for a signed-in identity: found by (tenant, oid); else an invitation with the same
   * email and no identity yet is claimed; else a new row. Name and email follow the directory.
   */
  async upsertIdentity(identity: SignInIdentity, now = new Date()): Promise<OrganiserEntity> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const known = await this.organisers.findOneBy({ tenantId: identity.tenantId, oid: identity.oid });
      if (known) {
        try {
          await this.organisers.update({ id: known.id }, { email: identity.email, name: identity.name, lastSignInAt: now });
        } catch (err) {
          // Another row holds this email (a rename in the directory): keep the old email.
          if (!isUniqueViolation(err)) throw err;
          await this.organisers.update({ id: known.id }, { name: identity.name, lastSignInAt: now });
        }
        return (await this.findById(known.id))!;
      }
      const invited = await this.findByEmail(identity.email);
      if (invited && invited.oid === null) {
        const claimed = await this.organisers.update(
          { id: invited.id, oid: IsNull() },
          { tenantId: identity.tenantId, oid: identity.oid, name: identity.name || invited.name, lastSignInAt: now },
        );
        if ((claimed.affected ?? 0) > 0) return (await this.findById(invited.id))!;
        continue;
      }
      try {
        // An email held by another identity stays theirs; this person gets a row keyed by oid alone.
        const email = invited ? `${identity.oid}@${identity.tenantId}.invalid` : identity.email;
        await this.organisers.insert({ ...identity, email, lastSignInAt: now });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('Could not record the organiser after concurrent sign-ins');
  }

  /** An organiser invited by email who has not signed in yet. */
  async insertInvitation(email: string): Promise<OrganiserEntity> {
    try {
      await this.organisers.insert({ email, name: '', tenantId: null, oid: null });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    return (await this.findByEmail(email))!;
  }

  /** The event's owner id, or undefined when the event is not visible in `scope` (or does not exist). */
  async visibleEventOwner(eventId: string, scope: AccessScope): Promise<{ ownerId: string | null } | undefined> {
    const visible = eventVisibleSql('e', scope);
    const rows: { owner_id: string | null }[] = await this.dataSource
      .createQueryBuilder()
      .select('e.owner_id', 'owner_id')
      .from('events', 'e')
      .where('e.id = :eventId', { eventId })
      .andWhere(visible.sql, visible.params)
      .getRawMany();
    return rows[0] ? { ownerId: rows[0].owner_id } : undefined;
  }

  async coOrganisersOf(eventId: string): Promise<OrganiserEntity[]> {
    return this.organisers
      .createQueryBuilder('o')
      .innerJoin(EventOrganiserEntity, 'eo', 'eo.organiser_id = o.id')
      .where('eo.event_id = :eventId', { eventId })
      .orderBy('lower(o.email)', 'ASC')
      .getMany();
  }

  async addCoOrganiser(eventId: string, organiserId: string): Promise<void> {
    await this.coOrganisers.createQueryBuilder().insert().values({ eventId, organiserId }).orIgnore().execute();
  }

  async removeCoOrganiser(eventId: string, organiserId: string): Promise<boolean> {
    const result = await this.coOrganisers.delete({ eventId, organiserId });
    return (result.affected ?? 0) > 0;
  }
}
