import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AccessScope, ownerFor } from '../auth/organiser/access-scope';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { isUuid } from '../common/validation/ids';
import { ResourcesService } from '../resources/resources.service';
import type { ResourceResponse } from '../resources/dto/resource.schemas';
import type { CreateEventInput, EventResponse, UpdateEventInput } from './dto/event.schemas';
import type { EventEntity } from './event.entity';
import { eventStatus } from './event-window';
import { EventsRepository, isUniqueViolation } from './events.repository';

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug.length >= 3 ? slug : `event-${slug || randomBytes(3).toString('hex')}`;
}

export function toEventResponse(e: EventEntity, now = new Date()): EventResponse {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    organizerName: e.organizerName,
    organizerEmail: e.organizerEmail,
    eventUrl: e.eventUrl,
    imageUrl: e.imageUrl,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    timeZone: e.timeZone,
    maxTokenCap: e.maxTokenCap,
    dailyRequestCap: e.dailyRequestCap,
    maxRealtimeSessions: e.maxRealtimeSessions,
    maxRealtimeSessionSeconds: e.maxRealtimeSessionSeconds,
    attendeeTokensPerMinute: e.attendeeTokensPerMinute,
    attendeeTokensPerDay: e.attendeeTokensPerDay,
    eventTokensPerMinute: e.eventTokensPerMinute,
    eventTokensPerDay: e.eventTokensPerDay,
    active: e.active,
    status: eventStatus(e, now),
    registration: e.registrationMode === 'code' ? { mode: 'code', code: e.registrationCode ?? undefined } : { mode: e.registrationMode },
    registrationUrl: `/api/v1/events/${e.id}/attendees`,
    modelAliases: e.modelAliases ?? {},
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly resources: ResourcesService,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
  ) {}

  async list(scope: AccessScope): Promise<{ items: EventResponse[]; total: number }> {
    const events = await this.events.findAll(scope);
    const now = new Date();
    return { items: events.map((e) => toEventResponse(e, now)), total: events.length };
  }

  async get(id: string, scope: AccessScope): Promise<EventResponse> {
    return toEventResponse(await this.requireVisible(id, scope));
  }

  /** Unscoped lookup for public and internal paths (registration, the public event page). */
  async require(id: string): Promise<EventEntity> {
    const event = await this.events.findById(id);
    if (!event) throw new DomainError(ErrorCode.EventNotFound, `Event '${id}' does not exist.`);
    return event;
  }

  /** For admin routes: another organiser's event is "not found", so its id does not leak. */
  async requireVisible(id: string, scope: AccessScope): Promise<EventEntity> {
    const event = await this.events.findVisible(id, scope);
    if (!event) throw new DomainError(ErrorCode.EventNotFound, `Event '${id}' does not exist.`);
    return event;
  }

  async create(input: CreateEventInput, scope: AccessScope): Promise<EventResponse> {
    this.requireSignInFor(input.registration.mode);
    const explicitId = input.id;
    const base = explicitId ?? slugify(input.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = explicitId || attempt === 0 ? base : `${base.slice(0, 56)}-${randomBytes(3).toString('hex')}`;
      try {
        const created = await this.events.insert({
          id,
          ownerId: ownerFor(scope),
          name: input.name,
          description: input.description,
          organizerName: input.organizerName,
          organizerEmail: input.organizerEmail,
          eventUrl: input.eventUrl ?? null,
          imageUrl: input.imageUrl ?? null,
          startsAt: new Date(input.startsAt),
          endsAt: new Date(input.endsAt),
          timeZone: input.timeZone,
          maxTokenCap: input.maxTokenCap,
          dailyRequestCap: input.dailyRequestCap,
          maxRealtimeSessions: input.maxRealtimeSessions,
          maxRealtimeSessionSeconds: input.maxRealtimeSessionSeconds,
          attendeeTokensPerMinute: input.attendeeTokensPerMinute ?? null,
          attendeeTokensPerDay: input.attendeeTokensPerDay ?? null,
          eventTokensPerMinute: input.eventTokensPerMinute ?? null,
          eventTokensPerDay: input.eventTokensPerDay ?? null,
          active: input.active,
          registrationMode: input.registration.mode,
          registrationCode: input.registration.mode === 'code' ? input.registration.code! : null,
          modelAliases: input.modelAliases,
        });
        await this.catalog.changed();
        return toEventResponse(created);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (explicitId) throw new DomainError(ErrorCode.EventAlreadyExists, `An event with id '${explicitId}' already exists.`);
      }
    }
    throw new DomainError(ErrorCode.EventAlreadyExists, 'Could not generate a free event id; pass one explicitly.');
  }

  async update(id: string, input: UpdateEventInput, scope: AccessScope): Promise<EventResponse> {
    const current = await this.requireVisible(id, scope);
    const startsAt = input.startsAt ? new Date(input.startsAt) : current.startsAt;
    const endsAt = input.endsAt ? new Date(input.endsAt) : current.endsAt;
    if (endsAt.getTime() <= startsAt.getTime()) {
      // Blame the field the client sent: a PATCH of startsAt alone must not point at an untouched endsAt.
      const [field, message] = input.endsAt
        ? ['endsAt', `endsAt must be after startsAt (${startsAt.toISOString()})`]
        : ['startsAt', `startsAt must be before endsAt (${endsAt.toISOString()})`];
      throw new DomainError(ErrorCode.ValidationFailed, `Invalid request body: ${field}: ${message}`, {
        details: [{ field, message }],
        param: field,
      });
    }
    // Only a change of mode is checked: an event already in github mode stays editable (dates, caps) after a
    // restart without GitHub settings, so the organiser can still fix or move it.
    if (input.registration && input.registration.mode !== current.registrationMode) this.requireSignInFor(input.registration.mode);
    const { registration, startsAt: _s, endsAt: _e, ...rest } = input;
    const changes: Partial<EventEntity> = { ...rest, startsAt, endsAt };
    if (registration) {
      changes.registrationMode = registration.mode;
      changes.registrationCode = registration.mode === 'code' ? registration.code! : null;
    }
    const updated = await this.events.update(id, changes);
    if (!updated) throw new DomainError(ErrorCode.EventNotFound, `Event '${id}' does not exist.`);
    await this.catalog.changed();
    return toEventResponse(updated);
  }

  /** A `github` event on a server without GitHub sign-in could never take a registration: refuse it up front. */
  private requireSignInFor(mode: EventEntity['registrationMode']): void {
    if (mode !== 'github' || this.config.attendeeSignIn.github) return;
    const message =
      "registration.mode 'github' needs GitHub sign-in, which is not configured on this server: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET " +
      "(see the README section 'Registration modes'), or choose 'open' or 'code'";
    throw new DomainError(ErrorCode.ValidationFailed, `Invalid request body: ${message}`, {
      details: [{ field: 'registration.mode', message }],
      param: 'registration.mode',
    });
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    await this.requireVisible(id, scope);
    if (!(await this.events.delete(id))) throw new DomainError(ErrorCode.EventNotFound, `Event '${id}' does not exist.`);
    await this.catalog.changed();
  }

  /** Needs both: the event visible to the caller, and the resource theirs. */
  async attachResource(eventId: string, resourceId: string, scope: AccessScope): Promise<ResourceResponse> {
    await this.requireVisible(eventId, scope);
    const resource = await this.resources.get(resourceId, scope);
    await this.events.attach(eventId, resourceId);
    await this.catalog.changed();
    return resource;
  }

  async detachResource(eventId: string, resourceId: string, scope: AccessScope): Promise<void> {
    await this.requireVisible(eventId, scope);
    // A malformed id cannot be attached; asking the uuid column about it would be a database error (500).
    if (!isUuid(resourceId) || !(await this.events.detach(eventId, resourceId))) {
      throw new DomainError(ErrorCode.ResourceNotFound, `Resource '${resourceId}' is not attached to event '${eventId}'.`);
    }
    await this.catalog.changed();
  }

  /** Everything attached, whoever owns it: a co-organiser sees what the owner attached. */
  async listResources(eventId: string, scope: AccessScope): Promise<ResourceResponse[]> {
    await this.requireVisible(eventId, scope);
    return this.resources.getMany(await this.events.resourceIdsOf(eventId));
  }
}
