import { Injectable } from '@nestjs/common';
import { hashApiKey } from '../attendees/api-key';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { CatalogEvent } from '../catalog/catalog.types';
import { SharedCodeKeys } from '../legacy/shared-code-keys.service';
import type { AttendeePrincipal } from './principal';

export interface AdmissionOptions {
  /** The attendee page may read its event info before the event starts or after it ends. */
  allowOutsideWindow?: boolean;
  /** The caller's address: wrong shared codes are limited per address, as registration attempts are. */
  clientIp?: string;
}

/** Decides whether an attendee key may be used now. Pure reads of the in-memory catalog. */
@Injectable()
export class AdmissionService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly sharedCodes: SharedCodeKeys,
  ) {}

  async admit(key: string | undefined, now = new Date(), options: AdmissionOptions = {}): Promise<AttendeePrincipal> {
    if (!key) {
      throw new DomainError(
        ErrorCode.InvalidApiKey,
        'No API key provided. Send your event key in the "api-key" header or as "Authorization: Bearer <key>".',
      );
    }
    const keyHash = hashApiKey(key);
    let attendee = await this.catalog.attendeeByKeyHash(keyHash);
    if (!attendee) {
      // A shared-code key's first use registers its attendee, once the event would admit them.
      const claim = await this.sharedCodes.claim(key, options.clientIp);
      if (claim) {
        this.checkEvent(claim.event, now, options);
        attendee = await this.sharedCodes.register(claim, keyHash);
      }
    }
    const event = attendee && this.catalog.event(attendee.eventId);
    if (!attendee || !event) {
      throw new DomainError(ErrorCode.InvalidApiKey, 'Invalid API key. Check the key you received when you registered for the event.');
    }
    if (!attendee.active) {
      throw new DomainError(ErrorCode.KeyRevoked, 'This API key has been revoked by the event organiser.');
    }
    this.checkEvent(event, now, options);
    return { kind: 'attendee', attendee, event };
  }

  private checkEvent(event: CatalogEvent, now: Date, options: AdmissionOptions): void {
    if (!event.active) {
      throw new DomainError(ErrorCode.EventInactive, `The event '${event.name}' is not active at the moment.`);
    }
    if (!options.allowOutsideWindow) {
      if (now < event.startsAt) {
        throw new DomainError(ErrorCode.EventNotStarted, `The event '${event.name}' has not started yet; it starts at ${event.startsAt.toISOString()}.`);
      }
      if (now >= event.endsAt) {
        throw new DomainError(ErrorCode.EventEnded, `This event ended at ${event.endsAt.toISOString()}; its keys no longer work.`);
      }
    }
  }
}
