import { Client } from 'pg';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

/** Rows read from an Azure AI Proxy database (schema `aoai`), secrets decrypted. */
export interface AoaiOwner {
  ownerId: string;
  name: string;
  email: string;
}

export interface AoaiCatalogItem {
  catalogId: string;
  ownerId: string;
  friendlyName: string;
  deploymentName: string;
  modelType: string;
  location: string;
  active: boolean;
  /** Null when this row's secrets could not be decrypted with the key given. */
  endpointUrl: string | null;
  endpointKey: string | null;
}

export interface AoaiEvent {
  eventId: string;
  ownerId: string;
  eventCode: string;
  eventMarkdown: string;
  /** Local wall-clock times, `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  startLocal: string;
  endLocal: string;
  timeZoneOffset: number;
  timeZoneLabel: string;
  organizerName: string;
  organizerEmail: string;
  maxTokenCap: number;
  dailyRequestCap: number;
  active: boolean;
  eventImageUrl: string | null;
  eventSharedCode: string | null;
}

export interface AoaiAttendee {
  userId: string;
  eventId: string;
  active: boolean;
  apiKey: string;
}

/** An Assistants object (assistant, thread, file) an attendee created through the original proxy. */
export interface AoaiAssistantObject {
  apiKey: string;
  id: string;
  /** openai-assistant | openai-thread | openai-file */
  idType: string;
}

export interface AoaiMetricGroup {
  eventId: string;
  /** `YYYY-MM-DD`: the source server's CURRENT_DATE when the requests were made. */
  day: string;
  rows: number;
  /** A sum of the rows' hashes: equal (with the count) means nothing in that day changed. */
  digest: string;
}

export interface AoaiMetric {
  apiKey: string;
  /** `HH:MM:SS.ffffff` */
  time: string;
  resource: string;
  usage: Record<string, unknown> | null;
}

export interface AoaiSnapshot {
  owners: AoaiOwner[];
  catalog: AoaiCatalogItem[];
  events: AoaiEvent[];
  eventCatalog: { eventId: string; catalogId: string }[];
  ownerEvents: { ownerId: string; eventId: string; creator: boolean }[];
  attendees: AoaiAttendee[];
  assistants: AoaiAssistantObject[];
  metricGroups: AoaiMetricGroup[];
  /** Rows of event_attendee_request (daily request counters; the metrics carry the same requests one by one). */
  requestDays: number;
  warnings: string[];
}

const REQUIRED: Record<string, string[]> = {
  owner: ['owner_id', 'name', 'email'],
  owner_catalog: ['owner_id', 'catalog_id', 'deployment_name', 'active', 'model_type'],
  event: ['event_id', 'owner_id', 'event_code', 'event_markdown', 'start_timestamp', 'end_timestamp', 'time_zone_offset', 'time_zone_label', 'organizer_name', 'organizer_email', 'max_token_cap', 'daily_request_cap', 'active'],
  event_attendee: ['user_id', 'event_id', 'active', 'api_key'],
  event_catalog_map: ['event_id', 'catalog_id'],
  owner_event_map: ['owner_id', 'event_id', 'creator'],
  metric: ['event_id', 'api_key', 'date_stamp', 'time_stamp', 'resource', 'usage'],
};

/** Where a connection string points, without its password: safe for messages and logs. */
export function describeConnection(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'the given address';
  }
}

/**
 * Reads an Azure AI Proxy database with `pg`. Secrets are decrypted in SQL with pgp_sym_decrypt, as the
 * original does; the key travels only as a bound parameter.
 */
export class AoaiSource {
  private constructor(
    private readonly client: Client,
    private readonly crypto: string,
    private readonly columns: Map<string, Set<string>>,
  ) {}

  static async connect(connectionString: string): Promise<AoaiSource> {
    if (!/^postgres(ql)?:\/\//.test(connectionString) || !URL.canParse(connectionString)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Invalid request body: connectionString: must be a postgres:// URL', {
        details: [{ field: 'connectionString', message: 'must be a postgres:// URL' }],
        param: 'connectionString',
      });
    }
    const where = describeConnection(connectionString);
    let client: Client;
    try {
      client = new Client({ connectionString, connectionTimeoutMillis: 10_000, application_name: 'ai-proxy-import' });
      // An error on an idle connection (server restart) must not crash the process.
      client.on('error', () => undefined);
      await client.connect();
    } catch (err) {
      throw new DomainError(ErrorCode.ImportSourceUnavailable, `Could not connect to the source database at ${where}: ${(err as Error).message}`);
    }
    try {
      const cols = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'aoai'`,
      );
      const columns = new Map<string, Set<string>>();
      for (const r of cols.rows) {
        if (!columns.has(r.table_name)) columns.set(r.table_name, new Set());
        columns.get(r.table_name)!.add(r.column_name);
      }
      const missing: string[] = [];
      for (const [table, needed] of Object.entries(REQUIRED)) {
        const have = columns.get(table);
        if (!have) missing.push(`table aoai.${table}`);
        else for (const c of needed) if (!have.has(c)) missing.push(`aoai.${table}.${c}`);
      }
      const catalog = columns.get('owner_catalog');
      if (catalog && !catalog.has('endpoint_url_encrypted') && !catalog.has('endpoint_url')) missing.push('aoai.owner_catalog.endpoint_url_encrypted');
      if (missing.length > 0) {
        throw new DomainError(
          ErrorCode.ImportSourceUnsupported,
          `The database at ${where} is not an Azure AI Proxy database this importer reads (it needs the 2024 schema with time zones); missing: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}.`,
        );
      }
      // pgcrypto lives in schema aoai in the original's dump, in public when created plainly.
      const fn = await client.query<{ schema: string }>(
        `SELECT n.nspname AS schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE p.proname = 'pgp_sym_decrypt' ORDER BY (n.nspname = 'aoai') DESC LIMIT 1`,
      );
      const encrypted = catalog!.has('endpoint_url_encrypted');
      if (encrypted && fn.rows.length === 0) {
        throw new DomainError(ErrorCode.ImportSourceUnsupported, `The database at ${where} has encrypted resources but no pgcrypto extension to decrypt them.`);
      }
      return new AoaiSource(client, fn.rows.length ? `"${fn.rows[0].schema}".` : '', columns);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  async read(encryptionKey: string): Promise<AoaiSnapshot> {
    const warnings: string[] = [];
    const owners = (await this.client.query<AoaiOwner>(`SELECT owner_id AS "ownerId", name, email FROM aoai.owner ORDER BY owner_id`)).rows;
    const catalog = await this.readCatalog(encryptionKey, warnings);
    const hasImage = this.columns.get('event')!.has('event_image_url');
    const hasShared = this.columns.get('event')!.has('event_shared_code');
    const events = (
      await this.client.query<AoaiEvent>(
        `SELECT event_id AS "eventId", owner_id AS "ownerId", event_code AS "eventCode", event_markdown AS "eventMarkdown",
                to_char(start_timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "startLocal",
                to_char(end_timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "endLocal",
                time_zone_offset AS "timeZoneOffset", time_zone_label AS "timeZoneLabel",
                organizer_name AS "organizerName", organizer_email AS "organizerEmail",
                max_token_cap AS "maxTokenCap", daily_request_cap AS "dailyRequestCap", active,
                ${hasImage ? 'event_image_url' : 'NULL::text'} AS "eventImageUrl",
                ${hasShared ? 'event_shared_code' : 'NULL::text'} AS "eventSharedCode"
           FROM aoai.event ORDER BY event_id`,
      )
    ).rows;
    const eventCatalog = (
      await this.client.query<{ eventId: string; catalogId: string }>(
        `SELECT event_id AS "eventId", catalog_id::text AS "catalogId" FROM aoai.event_catalog_map ORDER BY event_id, catalog_id`,
      )
    ).rows;
    const ownerEvents = (
      await this.client.query<{ ownerId: string; eventId: string; creator: boolean }>(
        `SELECT owner_id AS "ownerId", event_id AS "eventId", creator FROM aoai.owner_event_map ORDER BY event_id, owner_id`,
      )
    ).rows;
    const attendees = (
      await this.client.query<AoaiAttendee>(
        `SELECT user_id AS "userId", event_id AS "eventId", active, api_key::text AS "apiKey" FROM aoai.event_attendee ORDER BY event_id, user_id`,
      )
    ).rows;
    // The digest is what makes a re-import cheap: a day whose rows are unchanged is not read again. A sum
    // of row hashes needs no memory per row, whatever the size of the day.
    const metricGroups = (
      await this.client.query<AoaiMetricGroup>(
        `SELECT event_id AS "eventId", to_char(date_stamp, 'YYYY-MM-DD') AS day, count(*)::int AS rows,
                sum(hashtextextended(api_key || '|' || time_stamp::text || '|' || resource || '|' || usage::text, 0))::text AS digest
           FROM aoai.metric GROUP BY event_id, date_stamp ORDER BY event_id, date_stamp`,
      )
    ).rows;
    const assistantCols = this.columns.get('assistant');
    const assistants =
      assistantCols && ['api_key', 'id', 'id_type'].every((c) => assistantCols.has(c))
        ? (
            await this.client.query<AoaiAssistantObject>(
              `SELECT api_key AS "apiKey", id, id_type::text AS "idType" FROM aoai.assistant ORDER BY api_key, id`,
            )
          ).rows
        : [];
    const requestDays = this.columns.has('event_attendee_request')
      ? Number((await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM aoai.event_attendee_request`)).rows[0].n)
      : 0;
    return { owners, catalog, events, eventCatalog, ownerEvents, attendees, assistants, metricGroups, requestDays, warnings };
  }

  /** One day of one event's metrics in a stable order, `batchSize` rows at a time through a cursor (a day may not fit in memory). */
  async *metrics(eventId: string, day: string, batchSize: number): AsyncGenerator<AoaiMetric[]> {
    await this.client.query('BEGIN READ ONLY');
    try {
      await this.client.query(
        `DECLARE aoai_metrics NO SCROLL CURSOR FOR
           SELECT api_key AS "apiKey", time_stamp::text AS time, resource, usage
             FROM aoai.metric WHERE event_id = $1 AND date_stamp = $2::date
            ORDER BY time_stamp, api_key, resource, usage::text`,
        [eventId, day],
      );
      for (;;) {
        const batch = await this.client.query<AoaiMetric>(`FETCH ${Math.max(1, Math.floor(batchSize))} FROM aoai_metrics`);
        if (batch.rows.length === 0) break;
        yield batch.rows;
      }
    } finally {
      await this.client.query('ROLLBACK');
    }
  }

  private async readCatalog(key: string, warnings: string[]): Promise<AoaiCatalogItem[]> {
    const cols = this.columns.get('owner_catalog')!;
    const friendly = cols.has('friendly_name') ? 'friendly_name' : 'deployment_name';
    const location = cols.has('location') ? 'location' : `''`;
    const rows = (
      await this.client.query<Omit<AoaiCatalogItem, 'endpointUrl' | 'endpointKey'>>(
        `SELECT catalog_id::text AS "catalogId", owner_id AS "ownerId", ${friendly} AS "friendlyName",
                deployment_name AS "deploymentName", model_type::text AS "modelType", ${location} AS location, active
           FROM aoai.owner_catalog ORDER BY catalog_id`,
      )
    ).rows;
    if (!cols.has('endpoint_url_encrypted')) {
      // An older release kept these in plain text.
      const plain = await this.client.query<{ id: string; url: string; key: string }>(
        `SELECT catalog_id::text AS id, endpoint_url AS url, endpoint_key AS key FROM aoai.owner_catalog`,
      );
      const byId = new Map(plain.rows.map((r) => [r.id, r]));
      return rows.map((r) => ({ ...r, endpointUrl: byId.get(r.catalogId)?.url ?? null, endpointKey: byId.get(r.catalogId)?.key ?? null }));
    }
    const out: AoaiCatalogItem[] = [];
    let failed = 0;
    for (const row of rows) {
      // Row by row: the original swallowed decryption errors, so one row sealed with another key must not sink the rest.
      try {
        const res = await this.client.query<{ url: string | null; key: string | null }>(
          `SELECT ${this.crypto}pgp_sym_decrypt(endpoint_url_encrypted, $2) AS url,
                  ${this.crypto}pgp_sym_decrypt(endpoint_key_encrypted, $2) AS key
             FROM aoai.owner_catalog WHERE catalog_id = $1::uuid`,
          [row.catalogId, key],
        );
        out.push({ ...row, endpointUrl: res.rows[0]?.url ?? null, endpointKey: res.rows[0]?.key ?? null });
      } catch {
        failed++;
        out.push({ ...row, endpointUrl: null, endpointKey: null });
      }
    }
    if (rows.length > 0 && failed === rows.length) {
      throw new DomainError(
        ErrorCode.ImportDecryptionFailed,
        `The encryption key does not decrypt any resource of the source database: give the PostgresEncryptionKey the Azure AI Proxy was configured with.`,
        { param: 'encryptionKey' },
      );
    }
    if (failed > 0) warnings.push(`${failed} resource(s) could not be decrypted with the key given and were skipped`);
    return out;
  }
}
