import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
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
const THROTTLER = 'shared-code';
/** Blocked addresses remembered locally; far more than one replica sees guessing at once. */
const MAX_BLOCKED = 10_000;

/**
 * Keys of the form `<eventId>@<sharedCode>/<email or 8+ characters>` for `code`-mode events: accepted as
 * is, registering the attendee on first use. The key's hash becomes the attendee's key hash, so every
 * later request takes the catalog's in-memory path like an issued key (and the daily cap applies).
 * Wrong codes count per event and address against the registration limit, so the code cannot be
 * guessed through the proxy routes faster than through the registration form.
 */
@Injectable()
export class SharedCodeKeys {
  private readonly logger = new Logger(SharedCodeKeys.name);
  /** Bucket → when its block ends (ms); checked before comparing, so a blocked guess learns nothing. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly repo: SharedCodeRepository,
    // Explicit token: ThrottlerStorage is an interface too, so tsc's emitted metadata names Object and the built app fails to boot.
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** The claim a key makes, if it has the form and the event's shared code is right. */
  async claim(key: string, clientIp = 'unknown'): Promise<SharedCodeClaim | undefined> {
    const parsed = parseSharedCodeKey(key);
    if (!parsed) return undefined;
    const event = this.catalog.event(parsed.eventId);
    if (!event || event.registrationMode !== 'code' || !event.registrationCode) return undefined;
    const bucket = `${event.id}:${clientIp}`;
    const blockedMs = (this.blockedUntil.get(bucket) ?? 0) - Date.now();
    if (blockedMs > 0) throw this.tooManyGuesses(blockedMs);
    const suffix = matchSharedCode(parsed.rest, event.registrationCode);
    if (suffix === undefined) {
      await this.countWrongCode(bucket);
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

  private async countWrongCode(bucket: string): Promise<void> {
    const { rateLimit, rateWindowMs } = this.config.registration;
    try {
      const record = await this.storage.increment(`shared-code:${bucket}`, rateWindowMs, rateLimit, rateWindowMs, THROTTLER);
      if (!record.isBlocked) return;
      if (this.blockedUntil.size >= MAX_BLOCKED) this.blockedUntil.clear();
      this.blockedUntil.set(bucket, Date.now() + Math.max(1, record.timeToBlockExpire) * 1000);
    } catch (err) {
      // The counter's store (Redis) is down: the wrong key is still refused, only the count is lost.
      this.logger.warn({ err: (err as Error)?.message }, 'Could not count a wrong shared code');
    }
  }

  private tooManyGuesses(ms: number): DomainError {
    const seconds = Math.ceil(ms / 1000);
    return new DomainError(ErrorCode.TooManyRequests, `Too many wrong event codes from your address. Try again in ${seconds} s.`, {
      retryAfterMs: seconds * 1000,
    });
  }
}
