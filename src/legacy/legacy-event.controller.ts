import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Attendee, Public, RequireEventKey } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { ApiAdminErrors, ApiZodResponse } from '../common/validation/openapi';
import { LegacyEventInfoSchema, LegacyEventRegistrationSchema } from './dto/legacy-event.schemas';
import { IgnoresBody } from './ignore-body';
import { LegacyEventService } from './legacy-event.service';

/** Azure AI Proxy's event routes, so its Playground, client scripts and registration pages keep working. */
@ApiTags('Azure AI Proxy compatibility')
@Controller('api/v1')
export class LegacyEventController {
  constructor(private readonly events: LegacyEventService) {}

  @Post('eventinfo')
  @HttpCode(200)
  @IgnoresBody()
  @RequireEventKey()
  @ApiOperation({
    summary: "The caller's event in Azure AI Proxy's shape (body ignored)",
    description: 'A 401 names why the key is refused: unknown, revoked, event not started (with its start) or ended.',
  })
  @ApiZodResponse(200, LegacyEventInfoSchema, 'Event info')
  @ApiAdminErrors(401)
  eventInfo(@Attendee() principal: AttendeePrincipal) {
    return this.events.eventInfo(principal);
  }

  @Get('event/:eventId')
  @Public()
  @ApiOperation({ summary: "An event's registration page data in Azure AI Proxy's shape (anonymous)" })
  @ApiZodResponse(200, LegacyEventRegistrationSchema, 'The event')
  @ApiAdminErrors(404)
  registration(@Param('eventId') eventId: string) {
    return this.events.registrationInfo(eventId);
  }
}
