import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AttendeeEntity } from '../attendees/attendee.entity';
import { EventOrganiserEntity } from '../auth/organiser/event-organiser.entity';
import { OrganiserEntity } from '../auth/organiser/organiser.entity';
import { EventResourceEntity } from '../events/event-resource.entity';
import { EventEntity } from '../events/event.entity';
import { ResourceEntity } from '../resources/resource.entity';
import { UsageRecordEntity } from '../usage/usage-record.entity';
import { ImportMappingEntity } from './import-mapping.entity';

export interface Mapping {
  targetId: string;
  fingerprint: string;
}

export type ImportedUsage = Omit<UsageRecordEntity, 'id'>;

/** Thrown inside the transaction to undo a dry run after it has computed its summary. */
class RollBack extends Error {
  constructor(readonly value: unknown) {
    super('dry run');
  }
}

/** Every write of one import, on one transaction. */
export class ImportTransaction {
  constructor(
    private readonly m: EntityManager,
    private readonly source: string,
  ) {}

  async mappings(): Promise<Map<string, Mapping>> {
    const rows = await this.m.getRepository(ImportMappingEntity).findBy({ source: this.source });
    return new Map(rows.map((r) => [`${r.kind}:${r.sourceId}`, { targetId: r.targetId, fingerprint: r.fingerprint }]));
  }

  async saveMapping(kind: string, sourceId: string, targetId: string, fingerprint: string): Promise<void> {
    await this.m.query(
      `INSERT INTO import_mappings (source, kind, source_id, target_id, fingerprint) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source, kind, source_id) DO UPDATE
         SET target_id = EXCLUDED.target_id, fingerprint = EXCLUDED.fingerprint, updated_at = now()`,
      [this.source, kind, sourceId, targetId, fingerprint],
    );
  }

  // Organisers

  async organiserExists(id: string): Promise<boolean> {
    return this.m.getRepository(OrganiserEntity).existsBy({ id });
  }

  async organiserByEmail(email: string): Promise<string | null> {
    const rows = (await this.m.query(`SELECT id FROM organisers WHERE lower(email) = lower($1)`, [email])) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  async insertOrganiser(email: string, name: string): Promise<string> {
    const result = await this.m.getRepository(OrganiserEntity).insert({ email, name });
    return result.identifiers[0].id as string;
  }

  async renameOrganiser(id: string, name: string): Promise<void> {
    await this.m.getRepository(OrganiserEntity).update({ id }, { name });
  }

  async addCoOrganiser(eventId: string, organiserId: string): Promise<boolean> {
    const result = await this.m
      .getRepository(EventOrganiserEntity)
      .createQueryBuilder()
      .insert()
      .values({ eventId, organiserId })
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  // Resources

  async resourceExists(id: string): Promise<boolean> {
    return this.m.getRepository(ResourceEntity).existsBy({ id });
  }

  async insertResource(values: Partial<ResourceEntity>): Promise<string> {
    const result = await this.m.getRepository(ResourceEntity).insert(values);
    return result.identifiers[0].id as string;
  }

  async updateResource(id: string, values: Partial<ResourceEntity>): Promise<void> {
    await this.m.getRepository(ResourceEntity).update({ id }, { ...values, updatedAt: new Date() });
  }

  // Events

  async eventExists(id: string): Promise<boolean> {
    return this.m.getRepository(EventEntity).existsBy({ id });
  }

  async insertEvent(values: Partial<EventEntity>): Promise<void> {
    await this.m.getRepository(EventEntity).insert(values);
  }

  async updateEvent(id: string, values: Partial<EventEntity>): Promise<void> {
    await this.m.getRepository(EventEntity).update({ id }, { ...values, updatedAt: new Date() });
  }

  async attachResource(eventId: string, resourceId: string): Promise<boolean> {
    const result = await this.m
      .getRepository(EventResourceEntity)
      .createQueryBuilder()
      .insert()
      .values({ eventId, resourceId })
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  // Attendees

  async attendee(id: string): Promise<{ id: string; eventId: string } | null> {
    return this.m.getRepository(AttendeeEntity).findOne({ where: { id }, select: { id: true, eventId: true } });
  }

  async attendeeByKeyHash(keyHash: string): Promise<{ id: string; eventId: string } | null> {
    return this.m.getRepository(AttendeeEntity).findOne({ where: { keyHash }, select: { id: true, eventId: true } });
  }

  async attendeeByEmail(eventId: string, email: string): Promise<{ id: string; keyHash: string } | null> {
    return this.m.getRepository(AttendeeEntity).findOne({ where: { eventId, email }, select: { id: true, keyHash: true } });
  }

  async insertAttendee(values: Pick<AttendeeEntity, 'eventId' | 'name' | 'email' | 'keyHash' | 'keyPrefix' | 'active'>): Promise<string> {
    const result = await this.m.getRepository(AttendeeEntity).insert({ ...values, keyRotatedAt: new Date() });
    return result.identifiers[0].id as string;
  }

  async updateAttendee(id: string, values: Partial<Pick<AttendeeEntity, 'name' | 'keyHash' | 'keyPrefix' | 'active'>>): Promise<void> {
    await this.m.getRepository(AttendeeEntity).update({ id }, { ...values, updatedAt: new Date() });
  }

  // Assistants objects

  /** Records who owns an Assistants object; `taken` when another attendee already owns that id here. */
  async claimAssistantObject(o: { objectId: string; kind: string; eventId: string; attendeeId: string; resourceId: string | null }): Promise<'created' | 'unchanged' | 'taken'> {
    const inserted = (await this.m.query(
      `INSERT INTO assistant_objects (object_id, kind, event_id, attendee_id, resource_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (object_id) DO NOTHING RETURNING object_id`,
      [o.objectId, o.kind, o.eventId, o.attendeeId, o.resourceId],
    )) as unknown[];
    if (inserted.length > 0) return 'created';
    const owner = (await this.m.query(`SELECT attendee_id::text AS id FROM assistant_objects WHERE object_id = $1`, [o.objectId])) as { id: string }[];
    return owner[0]?.id === o.attendeeId ? 'unchanged' : 'taken';
  }

  // Usage

  /**
   * Removes what an earlier import wrote for one source day of one event (records whose id starts
   * with `requestPrefix`, made in [from, to)) and takes them back off the daily counters.
   */
  async removeImportedUsage(eventId: string, requestPrefix: string, from: Date, to: Date): Promise<number> {
    const like = `${requestPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const gone = (await this.m.query(
      `WITH gone AS (
         DELETE FROM usage_records
          WHERE event_id = $1 AND created_at >= $2 AND created_at < $3 AND request_id LIKE $4
          RETURNING attendee_id, day, total_tokens
       ), per_day AS (
         SELECT attendee_id, day, count(*)::int AS n, COALESCE(sum(total_tokens), 0)::bigint AS t
           FROM gone WHERE attendee_id IS NOT NULL GROUP BY attendee_id, day
       ), counters AS (
         UPDATE attendee_daily_usage d
            SET requests = GREATEST(d.requests - p.n, 0), tokens = GREATEST(d.tokens - p.t, 0)
           FROM per_day p WHERE d.attendee_id = p.attendee_id AND d.day = p.day
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone)::int AS removed, (SELECT count(*) FROM counters)::int AS counters`,
      [eventId, from, to, like],
    )) as { removed: number }[];
    return Number(gone[0]?.removed ?? 0);
  }

  /** Writes records and adds them to the attendees' daily counters (requests and tokens), as metering does. */
  async insertUsage(rows: ImportedUsage[]): Promise<void> {
    if (rows.length === 0) return;
    await this.m.getRepository(UsageRecordEntity).insert(rows);
    const perDay = new Map<string, { attendeeId: string; day: string; requests: number; tokens: number }>();
    for (const r of rows) {
      if (!r.attendeeId) continue;
      const key = `${r.attendeeId}|${r.day}`;
      const acc = perDay.get(key) ?? { attendeeId: r.attendeeId, day: r.day, requests: 0, tokens: 0 };
      acc.requests += 1;
      acc.tokens += r.totalTokens;
      perDay.set(key, acc);
    }
    const incs = [...perDay.values()];
    if (incs.length === 0) return;
    await this.m.query(
      `INSERT INTO attendee_daily_usage (attendee_id, day, requests, tokens)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::int[], $4::bigint[])
       ON CONFLICT (attendee_id, day) DO UPDATE
         SET requests = attendee_daily_usage.requests + EXCLUDED.requests,
             tokens = attendee_daily_usage.tokens + EXCLUDED.tokens`,
      [incs.map((i) => i.attendeeId), incs.map((i) => i.day), incs.map((i) => i.requests), incs.map((i) => i.tokens)],
    );
  }
}

@Injectable()
export class ImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction; with `rollBack` everything it wrote is undone and its result still returned. */
  async transaction<T>(source: string, rollBack: boolean, work: (tx: ImportTransaction) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const value = await work(new ImportTransaction(m, source));
        if (rollBack) throw new RollBack(value);
        return value;
      });
    } catch (err) {
      if (err instanceof RollBack) return err.value as T;
      throw err;
    }
  }
}
