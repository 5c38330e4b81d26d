import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const THROTTLER = 'registration-failures';
/** Blocked buckets remembered locally; far more than one replica sees guessing at once. */
const MAX_BLOCKED = 10_000;

/**
 * Wrong registration codes, counted per event and client address: the registration form in `code` mode
 * and shared-code keys (`<event>@<code>/…`) share one count. Right codes never count, so a workshop room
 * behind one NAT address registers freely while a guesser is stopped after REGISTRATION_FAILURE_LIMIT
 * wrong codes per window, and then refused even with the right code until the window passes (otherwise a
 * blocked guesser would learn which guess was right). Shared through the throttler's storage (Redis when
 * configured).
 */
@Injectable()
export class RegistrationFailures {
  private readonly logger = new Logger(RegistrationFailures.name);
  /** Bucket → when its block ends (ms): answers without a round trip, and covers a Redis outage. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    // Explicit token: ThrottlerStorage is an interface too, so tsc's emitted metadata names Object and the built app fails to boot.
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** Throws 429 while the address is blocked for the event. Call before comparing the code, so a blocked guess learns nothing. */
  async assertNotBlocked(eventId: string, clientIp: string | undefined): Promise<void> {
    const bucket = bucketOf(eventId, clientIp);
    let ms = (this.blockedUntil.get(bucket) ?? 0) - Date.now();
    // Another instance may have blocked the address: ask the shared store without counting a hit.
    if (ms <= 0 && this.storage instanceof RedisThrottlerStorage) ms = await this.storage.blockedMs(bucket, THROTTLER);
    if (ms > 0) throw tooManyWrongCodes(ms);
  }

  /** Counts a wrong code. The limit-th wrong code in a window blocks the address for that event for one window. */
  async countFailure(eventId: string, clientIp: string | undefined): Promise<void> {
    const { failureLimit, rateWindowMs } = this.config.registration;
    const bucket = bucketOf(eventId, clientIp);
    try {
      // The storage blocks on the hit past its limit; limit - 1 makes exactly failureLimit wrong codes get an answer.
      const record = await this.storage.increment(bucket, rateWindowMs, failureLimit - 1, rateWindowMs, THROTTLER);
      if (!record.isBlocked) return;
      if (this.blockedUntil.size >= MAX_BLOCKED) this.blockedUntil.clear();
      this.blockedUntil.set(bucket, Date.now() + Math.max(1, record.timeToBlockExpire) * 1000);
    } catch (err) {
      // The counter's store is unreachable: the wrong code is still refused, only the count is lost.
      this.logger.warn({ err: (err as Error)?.message }, 'Could not count a wrong registration code');
    }
  }
}

function bucketOf(eventId: string, clientIp: string | undefined): string {
  return `${eventId}:${clientIp ?? 'unknown'}`;
}

function tooManyWrongCodes(ms: number): DomainError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new DomainError(ErrorCode.TooManyRequests, `Too many wrong event codes from your address. Try again in ${seconds} s.`, {
    retryAfterMs: seconds * 1000,
  });
}
