import { hashApiKey } from '../../attendees/api-key';
import { dayKey } from '../../events/event-window';
import { MODEL_CLASSES } from '../../resources/resource.types';
import type { SecretBox } from '../../resources/secret-box';
import type { ImportCounts, ImportSummary } from '../dto/import.schemas';
import type { ImportedUsage, ImportRepository, ImportTransaction, Mapping } from '../import.repository';
import { eventWindowUtc, fingerprint, mapModelType, parseMetricResource, resolveEventZone, usageRoute } from './aoai-mapping';
import { AoaiSource, type AoaiAttendee, type AoaiEvent, type AoaiSnapshot } from './aoai-source';

export const AOAI_SOURCE = 'aoai';

/** Called as metric rows are processed: for a progress bar. */
export type ImportProgress = (done: number, total: number) => void;

export interface AoaiImportOptions {
  connectionString: string;
  encryptionKey: string;
  dryRun: boolean;
}

export interface AoaiImporterSettings {
  /** GitHub sign-in is configured: events register through it, as the original's did through its sign-in. */
  githubSignIn: boolean;
}

const USAGE_BATCH = 1000;
/** Shared-code attendees: the original keyed them by the sha256 of the whole `<event>@<code>/<suffix>` key. */
const SHARED_USER = /^shared:([0-9a-f]{64})$/;

function counts(): ImportCounts {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0 };
}

function tokens(usage: Record<string, unknown> | null, field: string): number {
  const v = usage?.[field];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), 2_147_483_647) : 0;
}

/** `HH:MM:SS[.ffffff]` on a `YYYY-MM-DD` read as UTC (the original ran its database in UTC, Azure's default). */
function metricInstant(day: string, time: string): Date {
  const [hms, frac = ''] = time.split('.');
  return new Date(`${day}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}Z`);
}

/**
 * Imports an Azure AI Proxy database: owners → organisers, owner_catalog → resources, events (local
 * times → UTC), their resource links and co-owners, attendees (their keys keep working: we store the
 * hash of the same key) and metric rows → usage records. Every source row is recorded in
 * import_mappings, so a second run updates what changed and creates nothing twice.
 */
export class AoaiImporter {
  constructor(
    private readonly repo: ImportRepository,
    private readonly box: SecretBox,
    private readonly settings: AoaiImporterSettings,
  ) {}

  async run(options: AoaiImportOptions, progress?: ImportProgress): Promise<ImportSummary> {
    const source = await AoaiSource.connect(options.connectionString);
    try {
      const snapshot = await source.read(options.encryptionKey);
      return await this.repo.transaction(AOAI_SOURCE, options.dryRun, (tx) => new ImportRun(tx, source, snapshot, this.box, this.settings, options.dryRun, progress).run());
    } finally {
      await source.close();
    }
  }
}

class ImportRun {
  private mappings = new Map<string, Mapping>();
  private readonly organiserOf = new Map<string, string>();
  private readonly resourceOf = new Map<string, string>();
  private readonly events = new Map<string, { id: string; timeZone: string }>();
  /** Source api_key → the attendee here, and the source event it belongs to. */
  private readonly attendeeOfKey = new Map<string, { id: string; sourceEventId: string }>();
  private readonly summary: ImportSummary;

  constructor(
    private readonly tx: ImportTransaction,
    private readonly source: AoaiSource,
    private readonly snap: AoaiSnapshot,
    private readonly box: SecretBox,
    private readonly settings: AoaiImporterSettings,
    dryRun: boolean,
    private readonly progress?: ImportProgress,
  ) {
    this.summary = {
      dryRun,
      source: {
        owners: snap.owners.length,
        resources: snap.catalog.length,
        events: snap.events.length,
        attendees: snap.attendees.length,
        metrics: snap.metricGroups.reduce((n, g) => n + g.rows, 0),
      },
      organisers: counts(),
      resources: counts(),
      events: counts(),
      eventResources: counts(),
      coOrganisers: counts(),
      attendees: counts(),
      assistantObjects: counts(),
      usage: { imported: 0, replaced: 0, unchanged: 0, skipped: 0 },
      eventDetails: [],
      warnings: [...snap.warnings],
    };
  }

  async run(): Promise<ImportSummary> {
    this.mappings = await this.tx.mappings();
    await this.owners();
    await this.resources();
    for (const event of this.snap.events) await this.event(event);
    const open = this.snap.events.filter((e) => !e.eventSharedCode?.trim()).length;
    if (open > 0 && !this.settings.githubSignIn) {
      this.summary.warnings.push(
        `${open} event(s) without a shared code are open for registration to anyone with the link, where the original required sign-in: ` +
          'configure GitHub sign-in (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET) and import again, or set their registration mode',
      );
    }
    await this.links();
    for (const attendee of this.snap.attendees) await this.attendee(attendee);
    await this.assistantObjects();
    await this.usage();
    return this.summary;
  }

  private mapping(kind: string, sourceId: string): Mapping | undefined {
    return this.mappings.get(`${kind}:${sourceId}`);
  }

  private async remember(kind: string, sourceId: string, targetId: string, fp: string): Promise<void> {
    await this.tx.saveMapping(kind, sourceId, targetId, fp);
    this.mappings.set(`${kind}:${sourceId}`, { targetId, fingerprint: fp });
  }

  private async owners(): Promise<void> {
    for (const owner of this.snap.owners) {
      const fp = fingerprint({ name: owner.name, email: owner.email });
      const known = this.mapping('organiser', owner.ownerId);
      if (known && (await this.tx.organiserExists(known.targetId))) {
        this.organiserOf.set(owner.ownerId, known.targetId);
        if (known.fingerprint === fp) {
          this.summary.organisers.unchanged++;
        } else {
          await this.tx.renameOrganiser(known.targetId, owner.name.slice(0, 200));
          await this.remember('organiser', owner.ownerId, known.targetId, fp);
          this.summary.organisers.updated++;
        }
        continue;
      }
      const email = owner.email.trim();
      if (!email) {
        this.summary.organisers.skipped++;
        this.summary.warnings.push(`owner '${owner.name}' has no email; their events are imported without an owner`);
        continue;
      }
      // Someone who already signs in here with that email is the same person: link, don't duplicate.
      const existing = await this.tx.organiserByEmail(email);
      const id = existing ?? (await this.tx.insertOrganiser(email.slice(0, 320), owner.name.slice(0, 200)));
      this.organiserOf.set(owner.ownerId, id);
      await this.remember('organiser', owner.ownerId, id, fp);
      if (existing) this.summary.organisers.unchanged++;
      else this.summary.organisers.created++;
    }
  }

  private async resources(): Promise<void> {
    for (const item of this.snap.catalog) {
      const label = `resource '${item.friendlyName}' (deployment ${item.deploymentName}, ${item.modelType})`;
      const mapped = mapModelType(item.modelType, MODEL_CLASSES);
      if (!mapped.ok) {
        this.summary.resources.skipped++;
        this.summary.warnings.push(`${label}: ${mapped.reason}; skipped`);
        continue;
      }
      if (item.endpointUrl === null || item.endpointKey === null) {
        this.summary.resources.skipped++;
        this.summary.warnings.push(`${label}: its endpoint could not be decrypted; skipped`);
        continue;
      }
      const endpointUrl = item.endpointUrl.trim().replace(/\/+$/, '');
      const key = item.endpointKey.trim();
      const fp = fingerprint({ ...item, endpointUrl, endpointKey: hashApiKey(key) });
      const values = {
        name: (item.friendlyName || item.deploymentName).slice(0, 200),
        deploymentName: item.deploymentName.slice(0, 128),
        modelClass: mapped.modelClass,
        upstream: 'azure' as const,
        endpointUrl,
        apiKeyEncrypted: key ? this.box.seal(key) : null,
        apiKeyLast4: key.length > 4 ? key.slice(-4) : null,
        active: item.active,
        ownerId: this.organiserOf.get(item.ownerId) ?? null,
      };
      const known = this.mapping('resource', item.catalogId);
      if (known && (await this.tx.resourceExists(known.targetId))) {
        this.resourceOf.set(item.catalogId, known.targetId);
        if (known.fingerprint === fp) {
          this.summary.resources.unchanged++;
        } else {
          await this.tx.updateResource(known.targetId, values);
          await this.remember('resource', item.catalogId, known.targetId, fp);
          this.summary.resources.updated++;
        }
        continue;
      }
      const id = await this.tx.insertResource(values);
      this.resourceOf.set(item.catalogId, id);
      await this.remember('resource', item.catalogId, id, fp);
      this.summary.resources.created++;
    }
  }

  private async event(e: AoaiEvent): Promise<void> {
    const zone = resolveEventZone(e.timeZoneLabel, e.timeZoneOffset, e.startLocal);
    const { startsAt, endsAt } = eventWindowUtc(e.startLocal, e.endLocal, e.timeZoneOffset, zone);
    if (!(endsAt.getTime() > startsAt.getTime())) {
      this.summary.events.skipped++;
      this.summary.warnings.push(`event '${e.eventCode}' (${e.eventId}): it ends before it starts; skipped with its attendees and usage`);
      return;
    }
    if (zone.warning) this.summary.warnings.push(`event '${e.eventCode}' (${e.eventId}): ${zone.warning}`);
    const shared = e.eventSharedCode?.trim() || null;
    const values = {
      name: (e.eventCode || e.eventId).slice(0, 200),
      description: e.eventMarkdown,
      organizerName: e.organizerName.slice(0, 200),
      organizerEmail: e.organizerEmail.slice(0, 320),
      imageUrl: e.eventImageUrl?.trim() ? e.eventImageUrl.trim().slice(0, 2048) : null,
      startsAt,
      endsAt,
      timeZone: zone.timeZone,
      maxTokenCap: e.maxTokenCap,
      dailyRequestCap: e.dailyRequestCap,
      active: e.active,
      // The original's shared code is our code mode (`<event>@<code>/<suffix>` keys, registration with the code);
      // otherwise it registered signed-in users only, which GitHub sign-in is here when configured.
      registrationMode: shared ? ('code' as const) : this.settings.githubSignIn ? ('github' as const) : ('open' as const),
      registrationCode: shared,
      ownerId: this.organiserOf.get(e.ownerId) ?? null,
    };
    const fp = fingerprint(e);
    const detail = { sourceId: e.eventId, name: values.name, timeZone: zone.timeZone, timeZoneBasis: zone.basis, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
    const known = this.mapping('event', e.eventId);
    if (known && (await this.tx.eventExists(known.targetId))) {
      this.events.set(e.eventId, { id: known.targetId, timeZone: zone.timeZone });
      const unchanged = known.fingerprint === fp;
      if (!unchanged) {
        await this.tx.updateEvent(known.targetId, values);
        await this.remember('event', e.eventId, known.targetId, fp);
      }
      this.summary.events[unchanged ? 'unchanged' : 'updated']++;
      this.summary.eventDetails.push({ ...detail, id: known.targetId, status: unchanged ? 'unchanged' : 'updated' });
      return;
    }
    // Keep the source id when it is free: registration links and shared-code keys contain it.
    let id = e.eventId.slice(0, 64);
    if (await this.tx.eventExists(id)) {
      id = `${e.eventId.slice(0, 50)}-aoai`;
      for (let n = 2; await this.tx.eventExists(id); n++) id = `${e.eventId.slice(0, 50)}-aoai-${n}`;
      this.summary.warnings.push(
        `event '${e.eventCode}': id ${e.eventId} is taken here by another event, imported as ${id}; registration links and shared-code keys naming ${e.eventId} must use ${id}`,
      );
    }
    await this.tx.insertEvent({ id, ...values, modelAliases: {} });
    await this.remember('event', e.eventId, id, fp);
    this.events.set(e.eventId, { id, timeZone: zone.timeZone });
    this.summary.events.created++;
    this.summary.eventDetails.push({ ...detail, id, status: 'created' });
  }

  private async links(): Promise<void> {
    for (const link of this.snap.eventCatalog) {
      const event = this.events.get(link.eventId);
      const resourceId = this.resourceOf.get(link.catalogId);
      if (!event || !resourceId) {
        this.summary.eventResources.skipped++;
        continue;
      }
      if (await this.tx.attachResource(event.id, resourceId)) this.summary.eventResources.created++;
      else this.summary.eventResources.unchanged++;
    }
    const creators = new Map(this.snap.events.map((e) => [e.eventId, e.ownerId]));
    for (const share of this.snap.ownerEvents) {
      if (share.creator || creators.get(share.eventId) === share.ownerId) continue;
      const event = this.events.get(share.eventId);
      const organiserId = this.organiserOf.get(share.ownerId);
      if (!event || !organiserId) {
        this.summary.coOrganisers.skipped++;
        continue;
      }
      if (await this.tx.addCoOrganiser(event.id, organiserId)) this.summary.coOrganisers.created++;
      else this.summary.coOrganisers.unchanged++;
    }
  }

  private async attendee(a: AoaiAttendee): Promise<void> {
    const event = this.events.get(a.eventId);
    if (!event) {
      this.summary.attendees.skipped++;
      return;
    }
    // We store a hash of each key: hashing the source's plaintext key makes it valid here as it is. A
    // shared-code attendee's id already is that hash of the `<event>@<code>/<suffix>` key they send.
    const shared = SHARED_USER.exec(a.userId);
    const keyHash = shared ? shared[1] : hashApiKey(a.apiKey);
    const values = {
      name: a.userId.slice(0, 200),
      keyHash,
      // Shared-code attendees are listed as the proxy lists those it registers itself.
      keyPrefix: shared ? 'shared-code' : a.apiKey.slice(0, 8),
      active: a.active,
    };
    const fp = fingerprint(a);
    const sourceId = `${a.eventId}/${a.userId}`;
    const known = this.mapping('attendee', sourceId);
    const current = known ? await this.tx.attendee(known.targetId) : null;
    if (known && current) {
      this.attendeeOfKey.set(a.apiKey, { id: current.id, sourceEventId: a.eventId });
      if (known.fingerprint === fp) {
        this.summary.attendees.unchanged++;
      } else {
        await this.tx.updateAttendee(current.id, values);
        await this.remember('attendee', sourceId, current.id, fp);
        this.summary.attendees.updated++;
      }
      return;
    }
    const holder = await this.tx.attendeeByKeyHash(keyHash);
    if (holder) {
      if (holder.eventId !== event.id) {
        this.summary.attendees.skipped++;
        this.summary.warnings.push(`attendee ${a.userId} of event ${a.eventId}: their key already belongs to an attendee of another event here; skipped`);
        return;
      }
      this.attendeeOfKey.set(a.apiKey, { id: holder.id, sourceEventId: a.eventId });
      await this.remember('attendee', sourceId, holder.id, fp);
      this.summary.attendees.unchanged++;
      return;
    }
    const email = a.userId.slice(0, 320);
    if (await this.tx.attendeeByEmail(event.id, email)) {
      this.summary.attendees.skipped++;
      this.summary.warnings.push(`attendee ${a.userId} of event ${a.eventId}: already registered here with another key; skipped`);
      return;
    }
    // The original knew attendees by their sign-in user id only; it stands in for the email.
    const id = await this.tx.insertAttendee({ eventId: event.id, email, ...values });
    this.attendeeOfKey.set(a.apiKey, { id, sourceEventId: a.eventId });
    await this.remember('attendee', sourceId, id, fp);
    this.summary.attendees.created++;
  }

  private async assistantObjects(): Promise<void> {
    const kinds: Record<string, string> = { 'openai-assistant': 'assistant', 'openai-thread': 'thread', 'openai-file': 'file' };
    // Later calls on an object go to the upstream that holds it: the event's openai-assistant resource.
    const assistantResource = new Map<string, string>();
    const types = new Map(this.snap.catalog.map((c) => [c.catalogId, c.modelType]));
    for (const link of this.snap.eventCatalog) {
      const resourceId = this.resourceOf.get(link.catalogId);
      if (resourceId && types.get(link.catalogId) === 'openai-assistant' && !assistantResource.has(link.eventId)) assistantResource.set(link.eventId, resourceId);
    }
    for (const o of this.snap.assistants) {
      const owner = this.attendeeOfKey.get(o.apiKey);
      const event = owner && this.events.get(owner.sourceEventId);
      const kind = kinds[o.idType];
      if (!owner || !event || !kind) {
        this.summary.assistantObjects.skipped++;
        continue;
      }
      const outcome = await this.tx.claimAssistantObject({
        objectId: o.id.slice(0, 128),
        kind,
        eventId: event.id,
        attendeeId: owner.id,
        resourceId: assistantResource.get(owner.sourceEventId) ?? null,
      });
      if (outcome === 'taken') {
        this.summary.assistantObjects.skipped++;
        this.summary.warnings.push(`${kind} ${o.id}: already owned by another attendee here; skipped`);
      } else {
        this.summary.assistantObjects[outcome]++;
      }
    }
  }

  /** Resource per (event, deployment), for attributing metric rows. */
  private deploymentResources(): Map<string, string> {
    const byDeployment = new Map<string, string>();
    const deployments = new Map(this.snap.catalog.map((c) => [c.catalogId, c.deploymentName]));
    for (const link of this.snap.eventCatalog) {
      const resourceId = this.resourceOf.get(link.catalogId);
      const deployment = deployments.get(link.catalogId);
      if (resourceId && deployment && !byDeployment.has(`${link.eventId}|${deployment}`)) byDeployment.set(`${link.eventId}|${deployment}`, resourceId);
    }
    return byDeployment;
  }

  private async usage(): Promise<void> {
    const total = this.summary.source.metrics;
    let done = 0;
    const tick = (n: number) => {
      done += n;
      this.progress?.(done, total);
    };
    this.progress?.(0, total);
    const resources = this.deploymentResources();
    for (const group of this.snap.metricGroups) {
      const event = this.events.get(group.eventId);
      if (!event) {
        this.summary.usage.skipped += group.rows;
        tick(group.rows);
        continue;
      }
      const sourceId = `${group.eventId}/${group.day}`;
      const fp = fingerprint({ rows: group.rows, digest: group.digest });
      const known = this.mapping('usage-day', sourceId);
      if (known?.fingerprint === fp && known.targetId === event.id) {
        this.summary.usage.unchanged += group.rows;
        tick(group.rows);
        continue;
      }
      const prefix = `aoai:${group.day}:`;
      const from = new Date(`${group.day}T00:00:00Z`);
      const to = new Date(from.getTime() + 86_400_000);
      // A day that changed in the source (the live day of a running event, typically) is written again whole.
      if (known) this.summary.usage.replaced += await this.tx.removeImportedUsage(known.targetId, prefix, from, to);
      let index = 0;
      for await (const rows of this.source.metrics(group.eventId, group.day, USAGE_BATCH)) {
        const batch: ImportedUsage[] = rows.map((m) => {
          const { modelType, deployment } = parseMetricResource(m.resource);
          const createdAt = metricInstant(group.day, m.time);
          const prompt = tokens(m.usage, 'prompt_tokens');
          const completion = tokens(m.usage, 'completion_tokens');
          return {
            requestId: `${prefix}${index++}`,
            eventId: event.id,
            attendeeId: this.attendeeOfKey.get(m.apiKey)?.id ?? null,
            resourceId: resources.get(`${group.eventId}|${deployment}`) ?? null,
            deployment: deployment.slice(0, 128),
            route: usageRoute(modelType).slice(0, 64),
            status: 200,
            promptTokens: prompt,
            completionTokens: completion,
            totalTokens: tokens(m.usage, 'total_tokens') || prompt + completion,
            estimated: false,
            streamed: false,
            latencyMs: 0,
            ttfbMs: null,
            attempts: 1,
            errorCode: null,
            day: dayKey(createdAt, event.timeZone),
            createdAt,
          };
        });
        await this.tx.insertUsage(batch);
        tick(batch.length);
      }
      // A row written between the digest and this read changes the next run's digest: that day is then written again.
      this.summary.usage.imported += index;
      await this.remember('usage-day', sourceId, event.id, fp);
    }
  }
}
