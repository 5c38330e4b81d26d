import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

/**
 * Per-IP limit on registration and attendee sign-in, so an event code cannot be brute-forced. Applied to
 * those routes only: the proxy's hot path pays nothing for it. Each route counts separately.
 */
@Injectable()
export class RegistrationThrottleGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire);
    throw new DomainError(ErrorCode.TooManyRequests, `Too many registration or sign-in attempts from your address. Try again in ${seconds} s.`, {
      retryAfterMs: seconds * 1000,
    });
  }
}
