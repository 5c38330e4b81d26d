import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { AzureOpenAI } from 'openai';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Principal } from '../src/auth/principal';
import type { ImportSummary } from '../src/import/dto/import.schemas';
import { ImportService } from '../src/import/import.service';
import { runImportCli } from '../src/import/import-aoai.cli';
import { startSimulator, type RunningSimulator } from '../src/simulator/simulator.app';
import type { AttendeeResponse, EventResponse, Page, ResourceResponse } from './support/api';
import { httpClient, type HttpClient } from './support/http';
import type { UsageReport } from './support/proxy';
import { ENCRYPTION_KEY as TARGET_ENCRYPTION_KEY, startTestApp, type TestApp } from './support/test-app';

/**
 * The importer against a real Azure AI Proxy database: a fresh PostgreSQL database built from
 * test/fixtures/aoai-schema.sql (its schema aoai, enums, pgcrypto-encrypted resources), imported into an
 * app on PostgreSQL and on PGlite. The source must be PostgreSQL with pgcrypto, so this file needs
 * TEST_DATABASE_URL (CI's PostgreSQL lane sets it).
 */
const BASE_URL = process.env.TEST_DATABASE_URL;
const SOURCE_KEY = 'aoai-postgres-encryption-key-7f3a9c';
const UPSTREAM_KEY = 'azure-upstream-key-0123456789abcdef';
const SHARED_KEY = 'live-0001@WORKSHOP1/dave@example.com';

interface SourceDb {
  url: string;
  client: Client;
  drop(): Promise<void>;
}

async function createSourceDb(baseUrl: string): Promise<SourceDb> {
  const name = `aoai_src_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(readFileSync(join(__dirname, 'fixtures/aoai-schema.sql'), 'utf8'));
  return {
    url: url.toString(),
    client,
    drop: async () => {
      await client.end();
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Wall-clock time of `instant` in `zone`, as the original stored event times. */
function localIn(instant: Date, zone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

interface Seeded {
  aliceKey: string;
  carolKey: string;
  erinKey: string;
  liveMetricsToday: number;
  /** An assistant Alice made through the original proxy (it lives on the upstream). */
  assistantId: string;
}

/** Owners, encrypted resources, events in several zones (one across the UK's DST change), attendees, requests and metrics. */
async function seedSource(db: Client, sim: RunningSimulator): Promise<Seeded> {
  const q = (sql: string, params: unknown[] = []) => db.query(sql, params);
  await q(`INSERT INTO aoai.owner VALUES ('entra-ada', 'Ada Lovelace', 'ada@example.com'), ('entra-bob', 'Bob Byte', 'bob@example.com')`);
  const catalog = [
    ['11111111-0000-4000-8000-000000000001', 'entra-ada', 'gpt-4o-mini', 'openai-chat', 'Chat', true],
    ['11111111-0000-4000-8000-000000000002', 'entra-ada', 'text-embedding-3-small', 'openai-embedding', 'Embeddings', true],
    ['11111111-0000-4000-8000-000000000003', 'entra-ada', 'gpt-35-turbo-instruct', 'openai-instruct', 'Instruct', true],
    ['11111111-0000-4000-8000-000000000004', 'entra-ada', 'docs', 'azure-ai-search', 'Search', true],
    ['11111111-0000-4000-8000-000000000005', 'entra-ada', 'asst', 'openai-assistant', 'Assistants', true],
    ['11111111-0000-4000-8000-000000000006', 'entra-bob', 'dall-e-3', 'openai-dalle3', 'Images (off)', false],
  ] as const;
  for (const [id, owner, deployment, type, friendly, active] of catalog) {
    await q(
      `INSERT INTO aoai.owner_catalog (catalog_id, owner_id, deployment_name, model_type, friendly_name, active, location,
                                       endpoint_url_encrypted, endpoint_key_encrypted)
       VALUES ($1, $2, $3, $4::aoai.model_type, $5, $6, 'swedencentral', aoai.pgp_sym_encrypt($7, $9), aoai.pgp_sym_encrypt($8, $9))`,
      [id, owner, deployment, type, friendly, active, `${sim.url}/`, UPSTREAM_KEY, SOURCE_KEY],
    );
  }
  const now = new Date();
  const events = [
    // Live now (so its keys work through the proxy), with a shared code.
    ['live-0001', 'Live workshop', localIn(new Date(now.getTime() - 86_400_000), 'Europe/London'), localIn(new Date(now.getTime() + 2 * 86_400_000), 'Europe/London'), 0, 'Europe/London', 'WORKSHOP1'],
    // Across the UK's move to summer time on 29 March 2026; the original stored the base offset (0).
    ['dst0-0002', 'Spring hack', '2026-03-28T09:00:00', '2026-03-30T17:00:00', 0, 'Europe/London', null],
    ['win0-0003', 'Berlin day', '2026-01-10T10:00:00', '2026-01-10T18:00:00', 60, 'W. Europe Standard Time', null],
    // The original's create form kept only the minutes part of +05:30.
    ['ist0-0004', 'Bengaluru day', '2026-02-01T10:00:00', '2026-02-01T12:00:00', 30, 'India Standard Time', null],
    ['unk0-0005', 'Lima day', '2026-05-01T09:00:00', '2026-05-01T10:00:00', -300, '(UTC-05:00) Bogota, Lima, Quito', null],
    ['syd0-0006', 'Sydney summer', '2026-01-15T09:00:00', '2026-01-15T17:00:00', 600, 'Australia/Sydney', null],
  ] as const;
  for (const [id, code, start, end, offset, label, shared] of events) {
    await q(
      `INSERT INTO aoai.event (event_id, owner_id, event_code, event_markdown, start_timestamp, end_timestamp, organizer_name,
                               organizer_email, max_token_cap, daily_request_cap, active, event_image_url, time_zone_offset,
                               time_zone_label, event_shared_code)
       VALUES ($1, 'entra-ada', $2, '# Welcome', $3, $4, 'Ada Lovelace', 'ada@example.com', 512, 6, true,
               'https://example.com/logo.png', $5, $6, $7)`,
      [id, code, start, end, offset, label, shared],
    );
    await q(`INSERT INTO aoai.owner_event_map VALUES ('entra-ada', $1, true)`, [id]);
  }
  await q(`INSERT INTO aoai.owner_event_map VALUES ('entra-bob', 'live-0001', false)`);
  for (const n of [1, 2, 3, 4, 5]) await q(`INSERT INTO aoai.event_catalog_map VALUES ('live-0001', $1)`, [catalog[n - 1][0]]);
  await q(`INSERT INTO aoai.event_catalog_map VALUES ('dst0-0002', $1)`, [catalog[0][0]]);

  const aliceKey = randomUUID();
  const carolKey = randomUUID();
  const erinKey = randomUUID();
  // A shared-code attendee: the original's user id is the sha256 of the whole key they send, its api_key derived from it.
  const sharedHash = createHash('sha256').update(SHARED_KEY).digest('hex');
  const sharedUuid = `${sharedHash.slice(0, 8)}-${sharedHash.slice(9, 13)}-${sharedHash.slice(19, 23)}-${sharedHash.slice(29, 33)}-${sharedHash.slice(39, 51)}`;
  await q(
    `INSERT INTO aoai.event_attendee VALUES ('github-alice', 'live-0001', true, $1), ('github-carol', 'live-0001', false, $2),
       ($3, 'live-0001', true, $4), ('github-erin', 'dst0-0002', true, $5)`,
    [aliceKey, carolKey, `shared:${sharedHash}`, sharedUuid, erinKey],
  );

  const metric = (eventId: string, key: string, at: Date, resource: string, usage: object) =>
    q(`INSERT INTO aoai.metric VALUES ($1, $2, $3::date, $4::time, $5, $6)`, [eventId, key, at.toISOString().slice(0, 10), at.toISOString().slice(11, 23), resource, JSON.stringify(usage)]);
  const chatUsage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
  // Today: three of Alice's requests count against her daily cap of 6 here too.
  await metric('live-0001', aliceKey, new Date(now.getTime() - 3000), 'openai-chat | gpt-4o-mini', chatUsage);
  await metric('live-0001', aliceKey, new Date(now.getTime() - 2000), 'openai-chat | gpt-4o-mini', chatUsage);
  await metric('live-0001', aliceKey, new Date(now.getTime() - 1000), 'openai-embedding | text-embedding-3-small', { prompt_tokens: 8, total_tokens: 8 });
  await metric('live-0001', sharedUuid, new Date(now.getTime() - 86_400_000), 'openai-chat | gpt-4o-mini', chatUsage);
  await q(`INSERT INTO aoai.event_attendee_request VALUES ($1, CURRENT_DATE, 3, 68)`, [aliceKey]);
  // A larger day for the progress bar and the batches: 2,500 requests from 00:00 UTC on 29 March, one every 30 s,
  // and one at 23:30 UTC, which is 00:30 on 30 March in London (BST).
  await q(
    `INSERT INTO aoai.metric
     SELECT 'dst0-0002', $1, DATE '2026-03-29', TIME '00:00:00' + make_interval(secs => i * 30), 'openai-chat | gpt-4o-mini',
            '{"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}'::jsonb
       FROM generate_series(0, 2499) AS i`,
    [erinKey],
  );
  await q(`INSERT INTO aoai.metric VALUES ('dst0-0002', $1, DATE '2026-03-29', TIME '23:30:00', 'openai-chat | gpt-4o-mini', '{"total_tokens": 3}')`, [erinKey]);
  // Alice's assistant and thread: made on the upstream through the original, owned by her key there.
  const upstream = new AzureOpenAI({ endpoint: sim.url, apiKey: UPSTREAM_KEY, apiVersion: '2024-05-01-preview', maxRetries: 0 });
  const assistantId = (await upstream.beta.assistants.create({ model: 'asst', name: 'Alice helper' })).id;
  const threadId = (await upstream.beta.threads.create()).id;
  await q(`INSERT INTO aoai.assistant VALUES ($1, $2, 'openai-assistant'), ($1, $3, 'openai-thread')`, [aliceKey, assistantId, threadId]);
  return { aliceKey, carolKey, erinKey, liveMetricsToday: 3, assistantId };
}

/** The PGlite app also has GitHub sign-in configured: events without a shared code then register through it. */
const TARGETS = [
  { name: 'PostgreSQL', pglite: false, github: false },
  { name: 'PGlite', pglite: true, github: true },
];

const describeWithSource = BASE_URL ? describe : describe.skip;

describeWithSource('Azure AI Proxy import (needs TEST_DATABASE_URL: the source is a PostgreSQL database with pgcrypto)', () => {
  describe.each(TARGETS)('into $name', ({ pglite, github }) => {
    let source: SourceDb;
    let sim: RunningSimulator;
    let seeded: Seeded;
    let t: TestApp;
    let http: HttpClient;
    const importAoai = (body: Record<string, unknown>) => http.post<ImportSummary>('/api/v1/admin/import/aoai', { connectionString: source.url, encryptionKey: SOURCE_KEY, ...body });

    beforeAll(async () => {
      source = await createSourceDb(BASE_URL!);
      sim = await startSimulator({ apiKey: UPSTREAM_KEY });
      seeded = await seedSource(source.client, sim);
      t = await startTestApp({ pglite, env: github ? { GITHUB_CLIENT_ID: 'Iv1.importtest', GITHUB_CLIENT_SECRET: 'github-client-secret-for-tests' } : {} });
      http = httpClient(t.url);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.close();
      await source?.drop();
    });

    it('dry run reports the whole plan and writes nothing', async () => {
      const res = await importAoai({ dryRun: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        dryRun: true,
        source: { owners: 2, resources: 6, events: 6, attendees: 4, metrics: 2505 },
        organisers: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
        resources: { created: 6, skipped: 0 },
        events: { created: 6 },
        attendees: { created: 4 },
        usage: { imported: 2505, unchanged: 0 },
      });
      expect((await http.get<Page<EventResponse>>('/api/v1/admin/events')).body.items).toEqual([]);
      expect((await http.get<{ total: number }>('/api/v1/admin/resources')).body.total).toBe(0);
      // Nothing was recorded either: the real import below still creates everything.
      const db = t.app.get(DataSource);
      for (const table of ['import_mappings', 'organisers', 'attendees', 'usage_records', 'attendee_daily_usage', 'assistant_objects']) {
        expect([table, await db.query(`SELECT count(*)::int AS n FROM ${table}`)]).toEqual([table, [{ n: 0 }]]);
      }
    });

    it('imports owners, resources, events in UTC, links, attendees and usage', async () => {
      const res = await importAoai({});
      expect(res.status).toBe(200);
      const s = res.body;
      expect(s).toMatchObject({
        dryRun: false,
        organisers: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
        resources: { created: 6, updated: 0, unchanged: 0, skipped: 0 },
        events: { created: 6, updated: 0, unchanged: 0, skipped: 0 },
        eventResources: { created: 6, unchanged: 0, skipped: 0 },
        coOrganisers: { created: 1 },
        attendees: { created: 4, updated: 0, unchanged: 0, skipped: 0 },
        assistantObjects: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
        usage: { imported: 2505, replaced: 0, unchanged: 0, skipped: 0 },
      });
      const times = Object.fromEntries(s.eventDetails.map((e) => [e.id, [e.timeZone, e.timeZoneBasis, e.startsAt, e.endsAt]]));
      expect(times).toMatchObject({
        'dst0-0002': ['Europe/London', 'label', '2026-03-28T09:00:00.000Z', '2026-03-30T16:00:00.000Z'],
        'win0-0003': ['Europe/Berlin', 'label', '2026-01-10T09:00:00.000Z', '2026-01-10T17:00:00.000Z'],
        'ist0-0004': ['Asia/Calcutta', 'label', '2026-02-01T04:30:00.000Z', '2026-02-01T06:30:00.000Z'],
        'unk0-0005': ['Etc/GMT+5', 'offset', '2026-05-01T14:00:00.000Z', '2026-05-01T15:00:00.000Z'],
        'syd0-0006': ['Australia/Sydney', 'label', '2026-01-14T22:00:00.000Z', '2026-01-15T06:00:00.000Z'],
      });
      expect(s.warnings).toEqual([
        expect.stringContaining("event 'Lima day' (unk0-0005): time zone '(UTC-05:00) Bogota, Lima, Quito' is not a known zone"),
        ...(github ? [] : [expect.stringContaining('5 event(s) without a shared code are open for registration to anyone with the link, where the original required sign-in')]),
      ]);

      // The events as the admin API serves them.
      const dst = (await http.get<EventResponse>('/api/v1/admin/events/dst0-0002')).body;
      expect(dst).toMatchObject({ name: 'Spring hack', description: '# Welcome', startsAt: '2026-03-28T09:00:00.000Z', endsAt: '2026-03-30T16:00:00.000Z', timeZone: 'Europe/London', maxTokenCap: 512, dailyRequestCap: 6, organizerEmail: 'ada@example.com' });
      const live = (await http.get<EventResponse>('/api/v1/admin/events/live-0001')).body;
      expect(live).toMatchObject({ status: 'live', registration: { mode: 'code', code: 'WORKSHOP1' } });
      // The others registered signed-in users only: GitHub sign-in here, or open (with the warning above) without it.
      expect(dst.registration).toEqual({ mode: github ? 'github' : 'open' });

      const resources = (await http.get<ResourceResponse[]>('/api/v1/admin/events/live-0001/resources')).body;
      expect(resources.map((r) => [r.deploymentName, r.modelClass, r.upstream, r.endpointUrl, r.hasApiKey, r.apiKeyHint]).sort()).toEqual(
        [
          ['asst', 'openai-assistant', 'azure', sim.url, true, '…cdef'],
          ['docs', 'azure-ai-search', 'azure', sim.url, true, '…cdef'],
          ['gpt-35-turbo-instruct', 'openai-completions', 'azure', sim.url, true, '…cdef'],
          ['gpt-4o-mini', 'openai-chat', 'azure', sim.url, true, '…cdef'],
          ['text-embedding-3-small', 'openai-embeddings', 'azure', sim.url, true, '…cdef'],
        ].sort(),
      );
      const all = (await http.get<{ items: ResourceResponse[] }>('/api/v1/admin/resources')).body.items;
      expect(all.find((r) => r.deploymentName === 'dall-e-3')).toMatchObject({ modelClass: 'openai-dall-e-3', active: false });

      const attendees = (await http.get<Page<AttendeeResponse>>('/api/v1/admin/events/live-0001/attendees')).body.items;
      expect(attendees.map((a) => [a.email, a.active, a.keyPrefix]).sort()).toEqual(
        [
          ['github-alice', true, seeded.aliceKey.slice(0, 8)],
          ['github-carol', false, seeded.carolKey.slice(0, 8)],
          [`shared:${createHash('sha256').update(SHARED_KEY).digest('hex')}`, true, 'shared-code'],
        ].sort(),
      );

      // Owners became organisers (claimed by their email at first sign-in); the co-owner co-organises.
      const db = t.app.get(DataSource);
      const organisers = (await db.query(`SELECT id, email, name, oid FROM organisers ORDER BY email`)) as { id: string; email: string; name: string; oid: string | null }[];
      expect(organisers.map((o) => [o.email, o.name, o.oid])).toEqual([
        ['ada@example.com', 'Ada Lovelace', null],
        ['bob@example.com', 'Bob Byte', null],
      ]);
      const [ada, bob] = organisers.map((o) => o.id);
      expect(await db.query(`SELECT DISTINCT owner_id FROM events`)).toEqual([{ owner_id: ada }]);
      expect(await db.query(`SELECT organiser_id FROM event_organisers WHERE event_id = 'live-0001'`)).toEqual([{ organiser_id: bob }]);
      expect(await db.query(`SELECT owner_id FROM resources WHERE deployment_name = 'dall-e-3'`)).toEqual([{ owner_id: bob }]);

      // Usage history, on the event's calendar days: 23:30 UTC on 29 March is 30 March in London.
      const usage = (await http.get<UsageReport>('/api/v1/admin/events/dst0-0002/usage')).body;
      expect(usage.totals).toMatchObject({ requests: 2501, totalTokens: 2500 * 12 + 3, promptTokens: 2500 * 5 });
      expect(usage.byDay.map((d) => [d.day, d.requests])).toEqual([
        ['2026-03-29', 2500],
        ['2026-03-30', 1],
      ]);
      const liveUsage = (await http.get<UsageReport>('/api/v1/admin/events/live-0001/usage')).body;
      expect(liveUsage.totals).toMatchObject({ requests: 4, totalTokens: 30 + 30 + 8 + 30 });
    });

    it('a second import creates nothing and reports everything unchanged', async () => {
      const res = await importAoai({});
      expect(res.body).toMatchObject({
        organisers: { created: 0, updated: 0, unchanged: 2 },
        resources: { created: 0, updated: 0, unchanged: 6 },
        events: { created: 0, updated: 0, unchanged: 6 },
        eventResources: { created: 0, unchanged: 6 },
        coOrganisers: { created: 0, unchanged: 1 },
        attendees: { created: 0, updated: 0, unchanged: 4 },
        assistantObjects: { created: 0, unchanged: 2 },
        usage: { imported: 0, replaced: 0, unchanged: 2505 },
      });
      expect(res.body.eventDetails.every((e) => e.status === 'unchanged')).toBe(true);
      expect((await http.get<Page<EventResponse>>('/api/v1/admin/events')).body.items).toHaveLength(6);
      expect((await http.get<{ total: number }>('/api/v1/admin/resources')).body.total).toBe(6);
      expect((await http.get<UsageReport>('/api/v1/admin/events/dst0-0002/usage')).body.totals.requests).toBe(2501);
    });

    it('picks up what changed in the source since: an event edited, a request made today', async () => {
      await source.client.query(`UPDATE aoai.event SET event_code = 'Spring hack (extended)', end_timestamp = '2026-03-31T17:00:00' WHERE event_id = 'dst0-0002'`);
      await source.client.query(`INSERT INTO aoai.metric VALUES ('live-0001', $1, $2::date, $3::time, 'openai-chat | gpt-4o-mini', '{"total_tokens": 4}')`, [
        seeded.aliceKey,
        new Date().toISOString().slice(0, 10),
        new Date().toISOString().slice(11, 23),
      ]);
      const res = await importAoai({});
      expect(res.body).toMatchObject({
        events: { created: 0, updated: 1, unchanged: 5 },
        attendees: { created: 0, updated: 0, unchanged: 4 },
        // Today's day of the live event is written again whole; every other day is left alone.
        usage: { imported: seeded.liveMetricsToday + 1, replaced: seeded.liveMetricsToday, unchanged: 2505 - seeded.liveMetricsToday },
      });
      expect((await http.get<EventResponse>('/api/v1/admin/events/dst0-0002')).body).toMatchObject({ name: 'Spring hack (extended)', endsAt: '2026-03-31T16:00:00.000Z' });
      expect((await http.get<UsageReport>('/api/v1/admin/events/live-0001/usage')).body.totals.requests).toBe(5);
    });

    it("keys from the source database work through the proxy: a chat completion with the openai SDK, today's cap carried over", async () => {
      const openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: seeded.aliceKey, maxRetries: 0 });
      const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello from the old proxy' }] });
      expect(chat.choices[0].message.content).toBe('echo: hello from the old proxy');
      expect(await sim.control.requests()).toContainEqual(expect.objectContaining({ path: '/openai/deployments/gpt-4o-mini/chat/completions' }));

      // The shared-code key the attendee already used keeps working, as the same attendee.
      const shared = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: SHARED_KEY, maxRetries: 0 });
      await expect(shared.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })).resolves.toMatchObject({ object: 'list' });
      expect((await http.get<Page<AttendeeResponse>>('/api/v1/admin/events/live-0001/attendees')).body.items).toHaveLength(3);

      // Her assistant is still hers: another attendee's key gets 404 on it.
      const azure = (key: string) => new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: '2024-05-01-preview', maxRetries: 0 });
      expect((await azure(seeded.aliceKey).beta.assistants.retrieve(seeded.assistantId)).name).toBe('Alice helper');
      await expect(azure(SHARED_KEY).beta.assistants.retrieve(seeded.assistantId)).rejects.toMatchObject({ status: 404 });

      // Alice made 4 requests today through the old proxy and 1 chat here (reading an assistant is not one): one more fits under the cap of 6.
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'six' }] });
      const over = await http.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'seven' }] }, { headers: { authorization: `Bearer ${seeded.aliceKey}` } });
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ error: { code: 'daily_request_cap_exceeded' } });

      // A key the organiser had revoked stays revoked; a key of an event that has ended does not open it.
      const revoked = await http.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] }, { headers: { authorization: `Bearer ${seeded.carolKey}` } });
      expect(revoked.body).toMatchObject({ error: { code: 'key_revoked' } });
      const ended = await http.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] }, { headers: { authorization: `Bearer ${seeded.erinKey}` } });
      expect(ended.body).toMatchObject({ error: { code: 'event_ended' } });
    });

    it('answers a wrong key, an unreachable or foreign database and a bad body with clear errors, and logs no secret', async () => {
      const wrongKey = await importAoai({ encryptionKey: 'not-the-key' });
      expect(wrongKey.status).toBe(422);
      expect(wrongKey.body).toMatchObject({ code: 'import_decryption_failed', message: expect.stringContaining('PostgresEncryptionKey') });

      const unreachable = await importAoai({ connectionString: 'postgres://postgres:hunter2-secret@127.0.0.1:1/aoai' });
      expect(unreachable.status).toBe(502);
      expect(unreachable.body).toMatchObject({ code: 'import_source_unavailable', message: expect.stringContaining('127.0.0.1:1/aoai') });
      expect(unreachable.text).not.toContain('hunter2-secret');

      const foreign = await importAoai({ connectionString: BASE_URL });
      expect(foreign.status).toBe(422);
      expect(foreign.body).toMatchObject({ code: 'import_source_unsupported', message: expect.stringContaining('missing: table aoai.owner') });

      const bad = await http.post('/api/v1/admin/import/aoai', { connectionString: 'mysql://x', encryptionKey: '' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'validation_failed' });

      const anonymous = await http.post('/api/v1/admin/import/aoai', { connectionString: source.url, encryptionKey: SOURCE_KEY }, { headers: { authorization: 'Bearer nope' } });
      expect(anonymous.status).toBe(401);

      // One import at a time; and an organiser (not an administrator) may not import.
      const imports = t.app.get(ImportService);
      const input = { connectionString: source.url, encryptionKey: SOURCE_KEY, dryRun: true };
      const admin: Principal = { kind: 'admin', method: 'admin-token', role: 'administrator' };
      const first = imports.importAoai(input, admin);
      await expect(imports.importAoai(input, admin)).rejects.toMatchObject({ code: 'import_in_progress', status: 409 });
      await expect(first).resolves.toMatchObject({ dryRun: true });
      const organiser: Principal = { kind: 'admin', method: 'entra-token', role: 'organiser', organiser: { id: 'x', email: 'o@example.com', name: 'O' } };
      await expect(imports.importAoai(input, organiser)).rejects.toMatchObject({ code: 'forbidden', status: 403 });

      const logs = t.logs.join('\n');
      expect(logs).toContain('Azure AI Proxy import finished');
      for (const secret of [SOURCE_KEY, UPSTREAM_KEY, 'hunter2-secret', seeded.aliceKey]) expect(logs).not.toContain(secret);
    });

    if (!pglite) {
      it('reads the earlier release that kept resource endpoints and keys in plain text', async () => {
        const older = await createSourceDb(BASE_URL!);
        try {
          await older.client.query(`
            ALTER TABLE aoai.owner_catalog DROP COLUMN endpoint_url_encrypted, DROP COLUMN endpoint_key_encrypted,
              ADD COLUMN endpoint_url varchar(256) NOT NULL, ADD COLUMN endpoint_key varchar(128) NOT NULL`);
          await older.client.query(`INSERT INTO aoai.owner VALUES ('o', 'Old Owner', 'old@example.com')`);
          await older.client.query(
            `INSERT INTO aoai.owner_catalog (owner_id, deployment_name, active, model_type, friendly_name, endpoint_url, endpoint_key)
             VALUES ('o', 'gpt-35-turbo', true, 'openai-chat', 'Old chat', $1, 'plain-upstream-key-9876')`,
            [`${sim.url}/`],
          );
          const res = await http.post<ImportSummary>('/api/v1/admin/import/aoai', { connectionString: older.url, encryptionKey: 'unused' });
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ resources: { created: 1, skipped: 0 }, organisers: { created: 1 }, warnings: [] });
          const all = (await http.get<{ items: ResourceResponse[] }>('/api/v1/admin/resources')).body.items;
          expect(all.find((r) => r.deploymentName === 'gpt-35-turbo')).toMatchObject({ name: 'Old chat', endpointUrl: sim.url, apiKeyHint: '…9876' });
        } finally {
          await older.drop();
        }
      });

      it('npm run import:aoai: dry run prints the plan and a progress line, then imports into --target-database-url', async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s), isTTY: false } };
        const env = { NODE_ENV: 'test', DATA_DIR: t.dataDir, ENCRYPTION_KEY: TARGET_ENCRYPTION_KEY, LOG_LEVEL: 'warn' };
        await source.client.query(`INSERT INTO aoai.owner VALUES ('entra-cy', 'Cy Cli', 'cy@example.com')`);

        const dry = await runImportCli(['--from', source.url, '--encryption-key', SOURCE_KEY, '--dry-run', '--target-database-url', t.databaseUrl!], io, env);
        expect(dry).toBe(0);
        const printed = out.join('');
        expect(printed).toContain('DRY RUN: nothing was written');
        expect(printed).toMatch(/organisers\s+created 1, updated 0, unchanged 2, skipped 0/);
        expect(printed).toMatch(/unchanged\s+dst0-0002 {2}"Spring hack \(extended\)" {2}2026-03-28T09:00:00.000Z – 2026-03-31T16:00:00.000Z UTC, zone Europe\/London \(from its label\)/);
        expect(err.join('')).toContain('metric rows: 100% (2506/2506)');
        expect(printed).not.toContain(SOURCE_KEY);

        out.length = 0;
        expect(await runImportCli(['--from', source.url, '--encryption-key', SOURCE_KEY, '--target-database-url', t.databaseUrl!, '--json'], io, env)).toBe(0);
        expect(JSON.parse(out.join(''))).toMatchObject({ dryRun: false, organisers: { created: 1, unchanged: 2 }, events: { created: 0 } });

        out.length = 0;
        err.length = 0;
        expect(await runImportCli(['--from', source.url], io, env)).toBe(2);
        expect(err.join('')).toContain('Missing --encryption-key');
      });
    }
  });
});
