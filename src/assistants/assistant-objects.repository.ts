import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, Repository } from 'typeorm';
import { AssistantObjectEntity } from './assistant-object.entity';
import type { OwnedObject } from './assistant-object.types';

@Injectable()
export class AssistantObjectsRepository {
  private readonly objects: Repository<AssistantObjectEntity>;

  constructor(dataSource: DataSource) {
    this.objects = dataSource.getRepository(AssistantObjectEntity);
  }

  /** By primary key: an indexed lookup, and the cache in front of it takes most reads. */
  async find(objectId: string): Promise<OwnedObject | undefined> {
    const row = await this.objects.findOneBy({ objectId });
    return row
      ? {
          objectId: row.objectId,
          kind: row.kind,
          eventId: row.eventId,
          attendeeId: row.attendeeId,
          resourceId: row.resourceId,
        }
      : undefined;
  }

  /** One query for a list page's ids. */
  async findMany(objectIds: string[]): Promise<OwnedObject[]> {
    if (objectIds.length === 0) return [];
    const rows = await this.objects.findBy({ objectId: In(objectIds) });
    return rows.map((row) => ({
      objectId: row.objectId,
      kind: row.kind,
      eventId: row.eventId,
      attendeeId: row.attendeeId,
      resourceId: row.resourceId,
    }));
  }

  /** Ids are the upstream's and unique; a repeat (the same id seen twice) keeps the first owner. */
  async insert(object: OwnedObject): Promise<void> {
    await this.objects.createQueryBuilder().insert().values(object).orIgnore().execute();
  }

  async remove(objectId: string, eventId: string): Promise<void> {
    await this.objects.delete({ objectId, eventId });
  }

  /** True for the one caller that marks the run metered, so its tokens are recorded exactly once. */
  async markMetered(objectId: string, eventId: string): Promise<boolean> {
    const result = await this.objects.update(
      { objectId, eventId, kind: 'run', meteredAt: IsNull() },
      { meteredAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }
}
