import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AccessScope, EVERYTHING } from '../auth/organiser/access-scope';
import { RegistrationFailures } from '../auth/throttling/registration-failures';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { isUuid } from '../common/validation/ids';
import type { EventEntity } from '../events/event.entity';
import { EventsService } from '../events/events.service';
import type { AttendeeEntity } from './attendee.entity';
import { issueApiKey } from './api-key';
import { AttendeesRepository } from './attendees.repository';
import type {
  AttendeeResponse,
  ListAttendeesQuery,
  RegisterAttendeeInput,
  RegistrationResponse,
  UpdateAttendeeInput,
} from './dto/attendee.schemas';

function toAttendeeResponse(a: AttendeeEntity, identity?: { provider: string; login: string }): AttendeeResponse {
  return {
    id: a.id,
    eventId: a.eventId,
    name: a.name,
    email: a.email,
    keyPrefix: a.keyPrefix,
    identity: identity ?? null,
    active: a.active,
    keyRotatedAt: a.keyRotatedAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function endpointsOf(baseUrl: string): { azureOpenAI: string; openAI: string } {
  return { azureOpenAI: baseUrl, openAI: `${baseUrl}/v1` };
}

/** Keys are issued only while the event is active and running. */
export function assertRegistrationOpen(event: EventEntity, now: Date): void {
  if (!event.active) {
    throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' is closed: the event is not active.`);
  }
  if (now < event.startsAt) {
    throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' opens when the event starts at ${event.startsAt.toISOString()}.`);
  }
  if (now >= event.endsAt) {
    throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' is closed: the event ended at ${event.endsAt.toISOString()}.`);
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

@Injectable()
export class AttendeesService {
  constructor(
    private readonly attendees: AttendeesRepository,
    private readonly events: EventsService,
    private readonly catalog: CatalogService,
    private readonly failures: RegistrationFailures,
  ) {}

  /** `clientIp`: wrong codes count per event and address; a trusted caller (the demo seeder) passes none. */
  async register(eventId: string, input: RegisterAttendeeInput, baseUrl: string, now = new Date(), clientIp?: string): Promise<RegistrationResponse> {
    const event = await this.events.require(eventId);
    assertRegistrationOpen(event, now);
    if (event.registrationMode !== 'open' && event.registrationMode !== 'code') {
      throw new DomainError(
        ErrorCode.RegistrationModeMismatch,
        `'${event.name}' registers attendees through ${event.registrationMode === 'github' ? 'GitHub' : event.registrationMode} sign-in: use the sign-in button on its registration page.`,
      );
    }
    if (event.registrationMode === 'code') await this.failures.assertNotBlocked(eventId, clientIp);
    if (event.registrationMode === 'code' && !(input.code && event.registrationCode && sameSecret(input.code, event.registrationCode))) {
      await this.failures.countFailure(eventId, clientIp);
      throw new DomainError(ErrorCode.RegistrationCodeInvalid, 'The registration code is missing or wrong. Ask the organiser for the event code.', {
        param: 'code',
      });
    }
    const issued = issueApiKey();
    const { attendee, created } = await this.attendees.insertIfNew({
      eventId,
      name: input.name,
      email: input.email.toLowerCase(),
      keyHash: issued.hash,
      keyPrefix: issued.prefix,
    });
    if (!created && !attendee.active) {
      throw new DomainError(ErrorCode.AttendeeRevoked, 'This registration was deactivated by the organiser. Contact them to restore it.');
    }
    if (!created) {
      // Without a signed-in identity anyone may type this email: handing out a new key would cut its owner off.
      throw new DomainError(
        ErrorCode.AttendeeAlreadyRegistered,
        `${attendee.email} is already registered for '${event.name}' and its key stays as it is. Lost the key? Ask the organiser, who can rotate it; ` +
          `at events that use sign-in (e.g. GitHub), sign in on the registration page to see or rotate your own key.`,
      );
    }
    await this.catalog.changed({ attendeeId: attendee.id });
    return {
      attendeeId: attendee.id,
      apiKey: issued.key,
      keyPrefix: issued.prefix,
      eventId,
      eventName: event.name,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      endpoints: endpointsOf(baseUrl),
    };
  }

  /**
   * For a trusted caller that owns the email (the demo seeder): registers it, or rotates the key it
   * already has. Never reachable from a request: there, re-registering answers 409.
   */
  async registerOrRotate(eventId: string, input: RegisterAttendeeInput, baseUrl: string): Promise<RegistrationResponse> {
    try {
      return await this.register(eventId, input, baseUrl);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.AttendeeAlreadyRegistered) throw err;
    }
    const event = await this.events.require(eventId);
    const attendee = (await this.attendees.findByEmail(eventId, input.email.toLowerCase()))!;
    const rotated = await this.rotate(eventId, attendee.id, EVERYTHING);
    return {
      attendeeId: attendee.id,
      apiKey: rotated.apiKey,
      keyPrefix: rotated.keyPrefix,
      eventId,
      eventName: event.name,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      endpoints: endpointsOf(baseUrl),
    };
  }

  /** Admin routes pass the caller's scope: another organiser's event answers 404. */
  async list(eventId: string, query: ListAttendeesQuery, scope: AccessScope) {
    await this.events.requireVisible(eventId, scope);
    const [rows, total] = await this.attendees.page(eventId, query.page, query.pageSize, query.search);
    const identities = await this.attendees.identitiesOf(rows.map((r) => r.id));
    return { items: rows.map((r) => toAttendeeResponse(r, identities.get(r.id))), total, page: query.page, pageSize: query.pageSize };
  }

  private async require(eventId: string, attendeeId: string, scope: AccessScope): Promise<AttendeeEntity> {
    await this.events.requireVisible(eventId, scope);
    const attendee = isUuid(attendeeId) ? await this.attendees.findInEvent(eventId, attendeeId) : null;
    if (!attendee) throw new DomainError(ErrorCode.AttendeeNotFound, `Attendee '${attendeeId}' is not registered for event '${eventId}'.`);
    return attendee;
  }

  async update(eventId: string, attendeeId: string, input: UpdateAttendeeInput, scope: AccessScope): Promise<AttendeeResponse> {
    await this.require(eventId, attendeeId, scope);
    const updated = await this.attendees.setActive(attendeeId, input.active);
    await this.catalog.changed({ attendeeId });
    return toAttendeeResponse(updated!, (await this.attendees.identitiesOf([attendeeId])).get(attendeeId));
  }

  async rotate(eventId: string, attendeeId: string, scope: AccessScope): Promise<{ attendeeId: string; apiKey: string; keyPrefix: string }> {
    await this.require(eventId, attendeeId, scope);
    const issued = issueApiKey();
    await this.attendees.replaceKey(attendeeId, issued.hash, issued.prefix);
    await this.catalog.changed({ attendeeId });
    return { attendeeId, apiKey: issued.key, keyPrefix: issued.prefix };
  }
}
