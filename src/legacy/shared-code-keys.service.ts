import { Injectable } from '@nestjs/common';
import { RegistrationFailures } from '../auth/throttling/registration-failures';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { isEmail, matchSharedCode, parseSharedCodeKey, validSuffix } from './shared-code-key';
import { SharedCodeRepository } from './shared-code.repository';

/** What a right shared code proves: the event, and who the attendee says they are. */
export interface SharedCodeClaim {
  event: CatalogEvent;
  suffix: string;
}

/** Shown in the admin attendee list instead of a key prefix: the key embeds the event's code. */
const SHARED_KEY_PREFIX = 'shared-code';
const NAME_MAX = 200;

/**
 * Keys of the form `<eventId>@<sharedCode>/<email or 8+ characters>` for `code`-mode events: accepted as
 * is, registering the attendee on first use. The key's hash becomes the attendee's key hash, so every
 * later request takes the catalog's in-memory path like an issued key (and the daily cap applies).
 * Wrong codes count per event and address together with the registration form's (RegistrationFailures),
 * so the code cannot be guessed through the proxy routes faster than through the form.
 */
@Injectable()
export class SharedCodeKeys {
  constructor(
    private readonly catalog: CatalogService,
    private readonly repo: SharedCodeRepository,
    private readonly failures: RegistrationFailures,
  ) {}

  /** The claim a key makes, if it has the form and the event's shared code is right. */
  async claim(key: string, clientIp = 'unknown'): Promise<SharedCodeClaim | undefined> {
    const parsed = parseSharedCodeKey(key);
    if (!parsed) return undefined;
    const event = this.catalog.event(parsed.eventId);
    if (!event || event.registrationMode !== 'code' || !event.registrationCode) return undefined;
    await this.failures.assertNotBlocked(event.id, clientIp);
    const suffix = matchSharedCode(parsed.rest, event.registrationCode);
    if (suffix === undefined) {
      await this.failures.countFailure(event.id, clientIp);
      return undefined;
    }
    if (!validSuffix(suffix)) {
      throw new DomainError(
        ErrorCode.InvalidApiKey,
        `After the event code and the slash, a shared-code key names you: your email or at least 8 characters (e.g. ${event.id}@<code>/ada@example.com).`,
      );
    }
    return { event, suffix };
  }

  /** Registers the claimed attendee (first use) or finds them, and makes the key known to the catalog. */
  async register({ event, suffix }: SharedCodeClaim, keyHash: string): Promise<CatalogAttendee> {
    const attendee = await this.repo.register({
      eventId: event.id,
      name: (isEmail(suffix) ? suffix.slice(0, suffix.indexOf('@')) : suffix).slice(0, NAME_MAX),
      email: suffix,
      keyHash,
      keyPrefix: SHARED_KEY_PREFIX,
    });
    if (!attendee) {
      throw new DomainError(
        ErrorCode.InvalidApiKey,
        `'${suffix}' already holds another key for this event. Use that key, or ask the organiser to rotate it.`,
      );
    }
    this.catalog.remember(attendee);
    return attendee;
  }
}
