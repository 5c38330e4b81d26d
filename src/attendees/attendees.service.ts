import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { isUuid } from '../common/validation/ids';
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

function toAttendeeResponse(a: AttendeeEntity): AttendeeResponse {
  return {
    id: a.id,
    eventId: a.eventId,
    name: a.name,
    email: a.email,
    keyPrefix: a.keyPrefix,
    active: a.active,
    keyRotatedAt: a.keyRotatedAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
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
  ) {}

  async register(eventId: string, input: RegisterAttendeeInput, baseUrl: string, now = new Date()): Promise<RegistrationResponse> {
    const event = await this.events.require(eventId);
    if (!event.active) {
      throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' is closed: the event is not active.`);
    }
    if (now < event.startsAt) {
      throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' opens when the event starts at ${event.startsAt.toISOString()}.`);
    }
    if (now >= event.endsAt) {
      throw new DomainError(ErrorCode.RegistrationClosed, `Registration for '${event.name}' is closed: the event ended at ${event.endsAt.toISOString()}.`);
    }
    if (event.registrationMode === 'code' && !(input.code && event.registrationCode && sameSecret(input.code, event.registrationCode))) {
      throw new DomainError(ErrorCode.RegistrationCodeInvalid, 'The registration code is missing or wrong. Ask the organiser for the event code.', {
        param: 'code',
      });
    }
    const issued = issueApiKey();
    const { attendee, created, blocked } = await this.attendees.upsertByEmail({
      eventId,
      name: input.name,
      email: input.email.toLowerCase(),
      keyHash: issued.hash,
      keyPrefix: issued.prefix,
    });
    if (blocked) {
      throw new DomainError(ErrorCode.AttendeeRevoked, 'This registration was deactivated by the organiser. Contact them to restore it.');
    }
    await this.catalog.changed();
    return {
      attendeeId: attendee.id,
      apiKey: issued.key,
      keyPrefix: issued.prefix,
      eventId,
      eventName: event.name,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      rotated: !created,
      endpoints: { azureOpenAI: baseUrl, openAI: `${baseUrl}/v1` },
    };
  }

  async list(eventId: string, query: ListAttendeesQuery) {
    await this.events.require(eventId);
    const [rows, total] = await this.attendees.page(eventId, query.page, query.pageSize, query.search);
    return { items: rows.map(toAttendeeResponse), total, page: query.page, pageSize: query.pageSize };
  }

  private async require(eventId: string, attendeeId: string): Promise<AttendeeEntity> {
    await this.events.require(eventId);
    const attendee = isUuid(attendeeId) ? await this.attendees.findInEvent(eventId, attendeeId) : null;
    if (!attendee) throw new DomainError(ErrorCode.AttendeeNotFound, `Attendee '${attendeeId}' is not registered for event '${eventId}'.`);
    return attendee;
  }

  async update(eventId: string, attendeeId: string, input: UpdateAttendeeInput): Promise<AttendeeResponse> {
    await this.require(eventId, attendeeId);
    const updated = await this.attendees.setActive(attendeeId, input.active);
    await this.catalog.changed();
    return toAttendeeResponse(updated!);
  }

  async rotate(eventId: string, attendeeId: string): Promise<{ attendeeId: string; apiKey: string; keyPrefix: string }> {
    await this.require(eventId, attendeeId);
    const issued = issueApiKey();
    await this.attendees.replaceKey(attendeeId, issued.hash, issued.prefix);
    await this.catalog.changed();
    return { attendeeId, apiKey: issued.key, keyPrefix: issued.prefix };
  }
}
