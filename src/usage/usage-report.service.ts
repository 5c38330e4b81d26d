import { Injectable } from '@nestjs/common';
import type { AccessScope } from '../auth/organiser/access-scope';
import { dayKey, nextMidnight } from '../events/event-window';
import { EventsService } from '../events/events.service';
import type { UsageQuery, UsageReport } from './dto/usage.schemas';
import { UsageRepository, UsageTotalsRow } from './usage.repository';
import { UsageService } from './usage.service';

/** How many attendees the per-hour attendee series covers. */
const TOP_ATTENDEES = 10;

function strip({ key: _key, ...totals }: UsageTotalsRow) {
  return totals;
}

@Injectable()
export class UsageReportService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly meter: UsageService,
    private readonly events: EventsService,
  ) {}

  async report(eventId: string, query: UsageQuery, scope: AccessScope): Promise<UsageReport> {
    const event = await this.events.requireVisible(eventId, scope);
    // Reports include what is still buffered, so an organiser sees requests made a moment ago.
    await this.meter.flush();
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    const now = new Date();
    const day = dayKey(now, event.timeZone);
    const [byDay, byHour, byDeployment, byAttendee, names, today] = await Promise.all([
      this.usage.totals(eventId, 'day', from, to),
      this.usage.totals(eventId, 'hour', from, to),
      this.usage.totals(eventId, 'deployment', from, to),
      this.usage.totals(eventId, 'attendee', from, to),
      this.usage.attendeeNames(eventId),
      this.usage.attendeesOnDay(eventId, day),
    ]);
    const top = byAttendee
      .filter((r) => r.key)
      .sort((a, b) => b.totalTokens - a.totalTokens || b.requests - a.requests || a.key.localeCompare(b.key))
      .slice(0, TOP_ATTENDEES)
      .map((r) => r.key);
    const [hourDeployment, hourAttendee] = await Promise.all([
      this.usage.hourlySplit(eventId, 'deployment', from, to),
      this.usage.hourlySplit(eventId, 'attendee', from, to, top),
    ]);
    const totals = byDay.reduce(
      (t, r) => ({
        requests: t.requests + r.requests,
        errors: t.errors + r.errors,
        rateLimited: t.rateLimited + r.rateLimited,
        promptTokens: t.promptTokens + r.promptTokens,
        completionTokens: t.completionTokens + r.completionTokens,
        totalTokens: t.totalTokens + r.totalTokens,
        estimatedRequests: t.estimatedRequests + r.estimatedRequests,
      }),
      { requests: 0, errors: 0, rateLimited: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedRequests: 0 },
    );
    return {
      eventId,
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      totals,
      byDay: byDay.map((r) => ({ day: r.key, ...strip(r) })),
      byHour: byHour.map((r) => ({ hour: r.key, ...strip(r) })),
      byDeployment: byDeployment.map((r) => ({ deployment: r.key, ...strip(r) })),
      byAttendee: byAttendee.map((r) => {
        const who = names.get(r.key);
        return { attendeeId: r.key || null, name: who?.name ?? null, email: who?.email ?? null, ...strip(r) };
      }),
      series: {
        byHourDeployment: hourDeployment.map((r) => ({ hour: r.hour, deployment: r.key, requests: r.requests, totalTokens: r.totalTokens })),
        byHourAttendee: hourAttendee.map((r) => ({
          hour: r.hour,
          attendeeId: r.key,
          name: names.get(r.key)?.name ?? null,
          requests: r.requests,
          totalTokens: r.totalTokens,
        })),
      },
      today: {
        day,
        timeZone: event.timeZone,
        resetsAt: nextMidnight(now, event.timeZone).toISOString(),
        dailyRequestCap: event.dailyRequestCap,
        byAttendee: today.map((a) => ({ ...a, remainingRequests: Math.max(0, event.dailyRequestCap - a.requests) })),
      },
    };
  }
}
