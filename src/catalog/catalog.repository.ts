import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttendeeEntity } from '../attendees/attendee.entity';
import { EventResourceEntity } from '../events/event-resource.entity';
import { EventEntity } from '../events/event.entity';
import { ResourceEntity } from '../resources/resource.entity';

export interface CatalogRows {
  version: number;
  events: EventEntity[];
  resources: ResourceEntity[];
  links: EventResourceEntity[];
  attendees: Pick<AttendeeEntity, 'id' | 'eventId' | 'name' | 'email' | 'keyHash' | 'active'>[];
}

@Injectable()
export class CatalogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async version(): Promise<number> {
    const rows = (await this.dataSource.query('SELECT version FROM catalog_version WHERE id = 1')) as { version: number | string }[];
    return Number(rows[0]?.version ?? 0);
  }

  /** One consistent read of everything the hot path needs. */
  loadAll(): Promise<CatalogRows> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const rows = (await m.query('SELECT version FROM catalog_version WHERE id = 1')) as { version: number | string }[];
      return {
        version: Number(rows[0]?.version ?? 0),
        events: await m.getRepository(EventEntity).find(),
        resources: await m.getRepository(ResourceEntity).find(),
        links: await m.getRepository(EventResourceEntity).find(),
        attendees: await m.getRepository(AttendeeEntity).find({
          select: { id: true, eventId: true, name: true, email: true, keyHash: true, active: true },
        }),
      };
    });
  }

  findAttendeeById(id: string): Promise<AttendeeEntity | null> {
    return this.dataSource.getRepository(AttendeeEntity).findOneBy({ id });
  }

  findAttendeeByHash(keyHash: string): Promise<AttendeeEntity | null> {
    return this.dataSource.getRepository(AttendeeEntity).findOneBy({ keyHash });
  }
}
