import { Injectable } from '@nestjs/common';
import type { AttendeePrincipal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { eventStatus, nextMidnight } from '../events/event-window';
import type { ModelClass } from '../resources/resource.types';
import { UsageService } from '../usage/usage.service';
import type { EventInfo } from './dto/event-info.schemas';

@Injectable()
export class EventInfoService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly usage: UsageService,
  ) {}

  async describe({ attendee, event }: AttendeePrincipal, now = new Date()): Promise<EventInfo> {
    const today = await this.usage.today(attendee.id, event.timeZone, now);
    const deployments: { deploymentName: string; modelClass: ModelClass }[] = [];
    for (const [name, resources] of this.catalog.deploymentsOf(event.id)) {
      deployments.push({ deploymentName: name, modelClass: resources[0].modelClass });
    }
    deployments.sort((a, b) => a.deploymentName.localeCompare(b.deploymentName));
    return {
      eventId: event.id,
      name: event.name,
      description: event.description,
      organizerName: event.organizerName,
      organizerEmail: event.organizerEmail,
      eventUrl: event.eventUrl,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      timeZone: event.timeZone,
      status: eventStatus(event, now),
      maxTokenCap: event.maxTokenCap,
      dailyRequestCap: event.dailyRequestCap,
      attendee: { id: attendee.id, name: attendee.name, email: attendee.email },
      deployments,
      usage: {
        day: today.day,
        requests: today.requests,
        tokens: today.tokens,
        remainingRequests: Math.max(0, event.dailyRequestCap - today.requests),
        resetsAt: nextMidnight(now, event.timeZone).toISOString(),
      },
    };
  }
}
