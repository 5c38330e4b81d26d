import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators/auth.decorators';
import { EVERYTHING } from '../auth/organiser/access-scope';
import { ApiAdminErrors, ApiZodResponse } from '../common/validation/openapi';
import { PublicEvent, PublicEventSchema } from './dto/public-event.schemas';
import { EventsService } from './events.service';

/** Read-only event summary for the registration page (the portal's /register/{eventId}). */
@ApiTags('Attendees')
@Controller('api/v1/events')
export class PublicEventController {
  constructor(private readonly events: EventsService) {}

  @Get(':eventId')
  @Public()
  @ApiOperation({ summary: 'Public summary of an event, for its registration page (no registration code)' })
  @ApiZodResponse(200, PublicEventSchema, 'The event')
  @ApiAdminErrors(404)
  async get(@Param('eventId') eventId: string): Promise<PublicEvent> {
    // Public on purpose: anyone with the link may see what they register for, whoever organises it.
    const e = await this.events.get(eventId, EVERYTHING);
    return {
      id: e.id,
      name: e.name,
      description: e.description,
      organizerName: e.organizerName,
      eventUrl: e.eventUrl,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      timeZone: e.timeZone,
      status: e.status,
      active: e.active,
      registration: { mode: e.registration.mode },
    };
  }
}
