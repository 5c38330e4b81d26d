import { Injectable } from '@nestjs/common';
import type { AttendeeSession } from '../auth/attendee/attendee-session';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { EventEntity } from '../events/event.entity';
import { nextMidnight } from '../events/event-window';
import { EventsService } from '../events/events.service';
import { UsageService } from '../usage/usage.service';
import type { AttendeeEntity } from './attendee.entity';
import { issueApiKey } from './api-key';
import { assertRegistrationOpen, endpointsOf } from './attendees.service';
import { AttendeesRepository } from './attendees.repository';
import type { SelfRegistration, SelfRotated, SelfStatus } from './dto/attendee-self.schemas';

function snakeEndpoints(baseUrl: string) {
  const e = endpointsOf(baseUrl);
  return { azure_openai: e.azureOpenAI, openai: e.openAI };
}

/**
 * A signed-in attendee's own registration: the identity from the sign-in session is the attendee,
 * so only its holder can see the key's prefix, rotate it, or read its usage.
 */
@Injectable()
export class AttendeeSelfService {
  constructor(
    private readonly attendees: AttendeesRepository,
    private readonly events: EventsService,
    private readonly catalog: CatalogService,
    private readonly usage: UsageService,
  ) {}

  /** Idempotent per identity: the first call issues a key (created), later ones answer the same attendee without it. */
  async register(eventId: string, session: AttendeeSession, baseUrl: string, now = new Date()): Promise<{ created: boolean; body: SelfRegistration }> {
    const event = await this.events.require(eventId);
    this.assertSignInEvent(event, session);
    const known = await this.attendees.findByIdentity(event.id, session.provider, session.subject);
    if (!known) assertRegistrationOpen(event, now);
    const issued = issueApiKey();
    const { attendee, created } = known
      ? { attendee: known, created: false }
      : await this.attendees.registerIdentity(
          { eventId: event.id, name: session.name.slice(0, 200), email: session.email.toLowerCase().slice(0, 320), keyHash: issued.hash, keyPrefix: issued.prefix },
          { provider: session.provider, subject: session.subject, login: session.login, fallbackEmail: `${session.provider}-${session.subject}@sign-in.invalid` },
        );
    if (created) await this.catalog.changed();
    return {
      created,
      body: {
        api_key: created ? issued.key : null,
        key_prefix: attendee.keyPrefix,
        active: attendee.active,
        attendee_id: attendee.id,
        event_id: event.id,
        ...(created
          ? {}
          : {
              message: attendee.active
                ? 'You are already registered for this event. Only a hash of your key is kept, so it cannot be shown again: rotate it to get a new one.'
                : 'You are registered, but the organiser revoked your key. Contact them to restore it.',
            }),
        endpoints: snakeEndpoints(baseUrl),
      },
    };
  }

  async status(eventId: string, session: AttendeeSession, baseUrl: string, now = new Date()): Promise<SelfStatus> {
    const { event, attendee } = await this.mine(eventId, session);
    const today = await this.usage.today(attendee.id, event.timeZone, now);
    return {
      api_key: null,
      key_prefix: attendee.keyPrefix,
      active: attendee.active,
      attendee_id: attendee.id,
      event_id: event.id,
      name: attendee.name,
      email: attendee.email,
      identity: { provider: session.provider, login: session.login },
      key_rotated_at: attendee.keyRotatedAt.toISOString(),
      usage: {
        day: today.day,
        requests: today.requests,
        tokens: today.tokens,
        daily_request_cap: event.dailyRequestCap,
        remaining_requests: Math.max(0, event.dailyRequestCap - today.requests),
        max_token_cap: event.maxTokenCap,
        resets_at: nextMidnight(now, event.timeZone).toISOString(),
      },
      endpoints: snakeEndpoints(baseUrl),
    };
  }

  async rotate(eventId: string, session: AttendeeSession): Promise<SelfRotated> {
    const { attendee } = await this.mine(eventId, session);
    if (!attendee.active) {
      throw new DomainError(ErrorCode.AttendeeRevoked, 'The organiser revoked your key; rotating cannot restore it. Contact them.');
    }
    const issued = issueApiKey();
    await this.attendees.replaceKey(attendee.id, issued.hash, issued.prefix);
    await this.catalog.changed();
    return { api_key: issued.key, key_prefix: issued.prefix, attendee_id: attendee.id };
  }

  private async mine(eventId: string, session: AttendeeSession): Promise<{ event: EventEntity; attendee: AttendeeEntity }> {
    const event = await this.events.require(eventId);
    const attendee = await this.attendees.findByIdentity(event.id, session.provider, session.subject);
    if (!attendee) {
      throw new DomainError(ErrorCode.AttendeeNotFound, `${session.login} (${session.provider}) is not registered for '${event.name}'.`);
    }
    return { event, attendee };
  }

  private assertSignInEvent(event: EventEntity, session: AttendeeSession): void {
    if (event.registrationMode !== session.provider) {
      throw new DomainError(
        ErrorCode.RegistrationModeMismatch,
        event.registrationMode === 'open' || event.registrationMode === 'code'
          ? `'${event.name}' does not register through sign-in: use the form on its registration page.`
          : `'${event.name}' registers through ${event.registrationMode} sign-in, not ${session.provider}.`,
      );
    }
  }
}
