import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Attendee, RequireEventKey } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { ApiAdminErrors, ApiZodResponse } from '../common/validation/openapi';
import { EventInfoSchema } from './dto/event-info.schemas';
import { EventInfoService } from './event-info.service';

@ApiTags('Attendees')
@Controller('api/v1/eventinfo')
export class EventInfoController {
  constructor(private readonly info: EventInfoService) {}

  @Get()
  @RequireEventKey({ allowOutsideWindow: true })
  @ApiOperation({ summary: 'The caller\'s event, its deployments and today\'s usage against the caps' })
  @ApiZodResponse(200, EventInfoSchema, 'Event info')
  @ApiAdminErrors(401)
  get(@Attendee() principal: AttendeePrincipal) {
    return this.info.describe(principal);
  }
}
