import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { type AccessScope, eventVisibleSql } from '../auth/organiser/access-scope';
import { EventResourceEntity } from './event-resource.entity';
import { EventEntity } from './event.entity';

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { code?: string }).code === UNIQUE_VIOLATION;
}

@Injectable()
export class EventsRepository {
  private readonly events: Repository<EventEntity>;
  private readonly links: Repository<EventResourceEntity>;

  constructor(dataSource: DataSource) {
    this.events = dataSource.getRepository(EventEntity);
    this.links = dataSource.getRepository(EventResourceEntity);
  }

  /** Events visible in `scope` (an organiser's own and co-organised ones), newest first. */
  findAll(scope: AccessScope): Promise<EventEntity[]> {
    const visible = eventVisibleSql('e', scope);
    return this.events.createQueryBuilder('e').where(visible.sql, visible.params).orderBy('e.starts_at', 'DESC').addOrderBy('e.id', 'ASC').getMany();
  }

  /** Unscoped: for internal callers (registration, the proxy's catalog) and after a scoped check. */
  findById(id: string): Promise<EventEntity | null> {
    return this.events.findOneBy({ id });
  }

  /** The event if it exists and is visible in `scope`; null otherwise (not found either way). */
  findVisible(id: string, scope: AccessScope): Promise<EventEntity | null> {
    if (scope.kind === 'everything') return this.findById(id);
    const visible = eventVisibleSql('e', scope);
    return this.events.createQueryBuilder('e').where('e.id = :id', { id }).andWhere(visible.sql, visible.params).getOne();
  }

  /** Inserts; throws the driver's unique violation if the id is taken. */
  async insert(event: Partial<EventEntity>): Promise<EventEntity> {
    await this.events.insert(event);
    return (await this.findById(event.id!))!;
  }

  async update(id: string, changes: Partial<EventEntity>): Promise<EventEntity | null> {
    if (Object.keys(changes).length > 0) await this.events.update({ id }, { ...changes, updatedAt: new Date() });
    return this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.events.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async attach(eventId: string, resourceId: string): Promise<void> {
    await this.links.createQueryBuilder().insert().values({ eventId, resourceId }).orIgnore().execute();
  }

  async detach(eventId: string, resourceId: string): Promise<boolean> {
    const result = await this.links.delete({ eventId, resourceId });
    return (result.affected ?? 0) > 0;
  }

  async resourceIdsOf(eventId: string): Promise<string[]> {
    const rows = await this.links.find({ where: { eventId }, order: { createdAt: 'ASC' } });
    return rows.map((r) => r.resourceId);
  }
}
