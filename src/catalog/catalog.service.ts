import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import type { EventEntity } from '../events/event.entity';
import type { ResourceEntity } from '../resources/resource.entity';
import { SecretBox } from '../resources/secret-box';
import { RESYNC_CHANNEL, SharedStateService } from '../shared-state/shared-state.service';
import { CatalogRepository, CatalogRows } from './catalog.repository';
import type { CatalogAttendee, CatalogEvent, CatalogResource, CatalogSnapshot } from './catalog.types';

const NEGATIVE_TTL_MS = 1_000;
const CATALOG_CHANNEL = 'catalog';

/** What changed, as published to the other workers and replicas. */
type CatalogChange = { kind: 'full' } | { kind: 'attendee'; id: string };
const NEGATIVE_MAX = 10_000;

function toEvent(e: EventEntity): CatalogEvent {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    organizerName: e.organizerName,
    organizerEmail: e.organizerEmail,
    eventUrl: e.eventUrl,
    imageUrl: e.imageUrl,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    timeZone: e.timeZone,
    maxTokenCap: e.maxTokenCap,
    dailyRequestCap: e.dailyRequestCap,
    maxRealtimeSessions: e.maxRealtimeSessions,
    maxRealtimeSessionSeconds: e.maxRealtimeSessionSeconds,
    tokenLimits: {
      attendeePerMinute: e.attendeeTokensPerMinute,
      attendeePerDay: e.attendeeTokensPerDay,
      eventPerMinute: e.eventTokensPerMinute,
      eventPerDay: e.eventTokensPerDay,
    },
    active: e.active,
    registrationMode: e.registrationMode,
    registrationCode: e.registrationMode === 'code' ? e.registrationCode : null,
    modelAliases: e.modelAliases ?? {},
  };
}

function attendeeView(a: CatalogRows['attendees'][number]): CatalogAttendee {
  return { id: a.id, eventId: a.eventId, name: a.name, email: a.email, keyHash: a.keyHash, active: a.active };
}

/**
 * Events, deployments and attendee keys held in memory so a proxied request never waits on the
 * database. Local changes apply at once; other replicas' changes arrive by polling a transactional
 * version counter every CACHE_REFRESH_MS (default 1 s).
 */
@Injectable()
export class CatalogService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogService.name);
  private snapshot: CatalogSnapshot = {
    version: -1,
    events: new Map(),
    resources: new Map(),
    deployments: new Map(),
    attendeesByHash: new Map(),
  };
  private readonly unknownKeys = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private reloadAgain = false;
  private lastPollOk = true;
  /** When the catalog last matched the database (a load, or a poll that found the same version). */
  private confirmedAt = Date.now();

  constructor(
    private readonly repo: CatalogRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly shared: SharedStateService,
  ) {}

  async onModuleInit(): Promise<void> {
    // Other workers' and replicas' writes arrive by message within milliseconds; the poll stays as the fallback.
    this.shared.subscribe(CATALOG_CHANNEL, (data) => void this.onRemoteChange(data as CatalogChange));
    this.shared.subscribe(RESYNC_CHANNEL, () => void this.reload().catch((err: unknown) => this.logger.warn({ err }, 'Catalog reload failed')));
    await this.reload();
    this.timer = setInterval(() => void this.poll(), this.config.cache.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Whether the last poll reached the database. */
  get healthy(): boolean {
    return this.lastPollOk;
  }

  private async poll(): Promise<void> {
    try {
      const version = await this.repo.version();
      if (!this.lastPollOk) this.logger.warn('Catalog refresh recovered');
      this.lastPollOk = true;
      if (version === this.snapshot.version) this.confirmedAt = Date.now();
      if (version !== this.snapshot.version) await this.reload();
    } catch (err) {
      if (this.lastPollOk) this.logger.warn({ err }, 'Catalog refresh failed; serving from memory');
      this.lastPollOk = false;
    }
  }

  /**
   * Called after a local write: tells the other processes, then reloads, coalescing bursts into at most
   * one extra reload. A change to one attendee (revoke, rotate, register) reloads only that attendee.
   */
  async changed(scope?: { attendeeId: string }): Promise<void> {
    const change: CatalogChange = scope ? { kind: 'attendee', id: scope.attendeeId } : { kind: 'full' };
    this.shared.publish(CATALOG_CHANNEL, change);
    await this.apply(change);
  }

  private async onRemoteChange(change: CatalogChange): Promise<void> {
    try {
      await this.apply(change);
    } catch (err) {
      // The version poll catches up once the database answers.
      this.logger.warn({ err, change }, 'Applying a catalog change from another process failed');
    }
  }

  private async apply(change: CatalogChange): Promise<void> {
    this.unknownKeys.clear();
    if (change.kind === 'attendee') await this.reloadAttendee(change.id);
    else await this.reload();
  }

  /** Replaces one attendee's entry (old key hash out, current one in) without reloading the catalog. */
  private async reloadAttendee(id: string): Promise<void> {
    const row = await this.repo.findAttendeeById(id);
    // A full reload under way may have read the attendee before this change: make it run once more.
    if (this.reloading) this.reloadAgain = true;
    const byHash = this.snapshot.attendeesByHash;
    for (const [hash, a] of byHash) if (a.id === id) byHash.delete(hash);
    if (row) byHash.set(row.keyHash, attendeeView(row));
  }

  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          this.snapshot = this.build(await this.repo.loadAll());
          this.confirmedAt = Date.now();
        } while (this.reloadAgain);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private build(rows: CatalogRows): CatalogSnapshot {
    const events = new Map(rows.events.map((e) => [e.id, toEvent(e)]));
    const resources = new Map<string, CatalogResource>();
    for (const r of rows.resources) resources.set(r.id, this.toResource(r));
    const deployments = new Map<string, Map<string, CatalogResource[]>>();
    for (const link of rows.links) {
      const resource = resources.get(link.resourceId);
      if (!resource || !resource.active) continue;
      let byName = deployments.get(link.eventId);
      if (!byName) deployments.set(link.eventId, (byName = new Map()));
      const list = byName.get(resource.deploymentName) ?? [];
      list.push(resource);
      byName.set(resource.deploymentName, list);
    }
    const attendeesByHash = new Map(rows.attendees.map((a) => [a.keyHash, attendeeView(a)]));
    return { version: rows.version, events, resources, deployments, attendeesByHash };
  }

  private toResource(r: ResourceEntity): CatalogResource {
    let apiKey: string | null = null;
    if (r.apiKeyEncrypted) {
      try {
        apiKey = this.box.open(r.apiKeyEncrypted);
      } catch {
        // A changed ENCRYPTION_KEY must not take the whole catalog down; the resource fails upstream auth.
        this.logger.error({ resourceId: r.id }, 'Cannot decrypt the upstream key of a resource; was ENCRYPTION_KEY changed?');
      }
    }
    return {
      id: r.id,
      name: r.name,
      deploymentName: r.deploymentName,
      modelClass: r.modelClass,
      upstream: r.upstream,
      endpointUrl: r.endpointUrl,
      apiKey,
      apiVersion: r.apiVersion,
      modelName: r.modelName,
      priority: r.priority,
      weight: r.weight,
      tokensPerMinute: r.tokensPerMinute,
      requestsPerMinute: r.requestsPerMinute,
      active: r.active,
    };
  }

  event(id: string): CatalogEvent | undefined {
    return this.snapshot.events.get(id);
  }

  /** Any resource by id, active or not, with its decrypted key (for the admin's test connection). */
  resource(id: string): CatalogResource | undefined {
    return this.snapshot.resources.get(id);
  }

  /** Every resource, active or not (breaker-state metrics). */
  allResources(): Iterable<CatalogResource> {
    return this.snapshot.resources.values();
  }

  /**
   * While the database is unreachable, keys are answered from memory, but only for CATALOG_STALE_MAX_S:
   * past that a revoked key or an ended event could go on working unnoticed, so admission stops.
   */
  private assertFresh(): void {
    const age = Date.now() - this.confirmedAt;
    if (age > this.config.cache.staleMaxMs) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `The proxy has not reached its database for ${Math.round(age / 1000)} s and cannot confirm API keys. Please retry shortly.`,
        { retryAfterMs: 5_000 },
      );
    }
  }

  /** Active resources of an event serving `deploymentName`. */
  resourcesFor(eventId: string, deploymentName: string): CatalogResource[] {
    return this.snapshot.deployments.get(eventId)?.get(deploymentName) ?? [];
  }

  /** Deployment name → resources, for model listings and the event info page. */
  deploymentsOf(eventId: string): Map<string, CatalogResource[]> {
    return this.snapshot.deployments.get(eventId) ?? new Map();
  }

  /** A key registered here a moment ago (a shared-code key's first use): known at once, without a reload. */
  remember(attendee: CatalogAttendee): void {
    this.unknownKeys.delete(attendee.keyHash);
    this.snapshot.attendeesByHash.set(attendee.keyHash, attendee);
  }

  /**
   * Looks a key hash up in memory; a miss (a key issued by another replica in the last second) falls
   * back to one indexed query, and unknown keys are remembered briefly so a flood of bad keys cannot
   * reach the database.
   */
  async attendeeByKeyHash(keyHash: string): Promise<CatalogAttendee | undefined> {
    this.assertFresh();
    const hit = this.snapshot.attendeesByHash.get(keyHash);
    if (hit) return hit;
    const unknownUntil = this.unknownKeys.get(keyHash);
    if (unknownUntil !== undefined && unknownUntil > Date.now()) return undefined;
    let row: Awaited<ReturnType<CatalogRepository['findAttendeeByHash']>>;
    try {
      row = await this.repo.findAttendeeByHash(keyHash);
    } catch (err) {
      // The database is down: a key not in memory cannot be checked. An outage, not a wrong key.
      this.logger.warn({ err: (err as Error)?.message }, 'Key lookup failed; the database is unreachable');
      throw new DomainError(ErrorCode.ServiceUnavailable, 'The proxy cannot reach its database to check this API key. Please retry shortly.', {
        retryAfterMs: 5_000,
      });
    }
    if (!row) {
      if (this.unknownKeys.size >= NEGATIVE_MAX) this.unknownKeys.clear();
      this.unknownKeys.set(keyHash, Date.now() + NEGATIVE_TTL_MS);
      return undefined;
    }
    const view = attendeeView(row);
    this.snapshot.attendeesByHash.set(keyHash, view);
    return view;
  }
}
