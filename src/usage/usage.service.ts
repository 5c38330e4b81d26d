import { Injectable } from '@nestjs/common';
import { dayKey } from '../events/event-window';
import { UsageRepository } from './usage.repository';

@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  /** Today's requests and tokens for an attendee, "today" being the calendar day in the event's zone. */
  async today(attendeeId: string, timeZone: string, now = new Date()): Promise<{ day: string; requests: number; tokens: number }> {
    const day = dayKey(now, timeZone);
    return { day, ...(await this.usage.dailyUsage(attendeeId, day)) };
  }
}
