import { Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttendeeSession } from '../auth/attendee/attendee-session';
import { RequireAttendeeSession, SignedIn } from '../auth/attendee/attendee-session.guard';
import { RegistrationThrottleGuard } from '../auth/throttling/registration-throttle.guard';
import { baseUrlOf } from '../common/http/base-url';
import { ApiAdminErrors, ApiZodResponse } from '../common/validation/openapi';
import { AppConfig } from '../config/app-config';
import { AttendeeSelfService } from './attendee-self.service';
import { SelfRegistrationSchema, SelfRotatedSchema, SelfStatusSchema } from './dto/attendee-self.schemas';

/** The Azure AI Proxy's attendee routes, with the identity taken from our sign-in cookie only. */
@ApiTags('Attendee sign-in')
@RequireAttendeeSession()
@ApiAdminErrors(401)
@Controller('api/v1/attendee/event/:eventId')
export class AttendeeSelfController {
  constructor(
    private readonly self: AttendeeSelfService,
    private readonly config: AppConfig,
  ) {}

  @Post('register')
  @UseGuards(RegistrationThrottleGuard)
  @ApiOperation({
    summary: 'Register the signed-in identity for the event',
    description: 'Idempotent per identity: 201 with the key the first time; 200 with api_key null (and the key prefix) after that. Any body is ignored.',
  })
  @ApiZodResponse(201, SelfRegistrationSchema, 'Registered; the key is shown once')
  @ApiZodResponse(200, SelfRegistrationSchema, 'Already registered: the same attendee, key not shown')
  @ApiAdminErrors(403, 404, 429)
  async register(@Param('eventId') eventId: string, @SignedIn() session: AttendeeSession, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { created, body } = await this.self.register(eventId, session, baseUrlOf(request, this.config));
    void reply.status(created ? 201 : 200);
    return body;
  }

  @Get()
  @ApiOperation({ summary: "The signed-in attendee's registration: key prefix, whether it works, today's usage" })
  @ApiZodResponse(200, SelfStatusSchema, 'The registration')
  @ApiAdminErrors(404)
  status(@Param('eventId') eventId: string, @SignedIn() session: AttendeeSession, @Req() request: FastifyRequest) {
    return this.self.status(eventId, session, baseUrlOf(request, this.config));
  }

  @Post('rotate')
  @UseGuards(RegistrationThrottleGuard)
  @ApiOperation({ summary: "Replace the signed-in attendee's key; the old key stops working" })
  @ApiZodResponse(201, SelfRotatedSchema, 'The new key, shown once')
  @ApiAdminErrors(403, 404, 429)
  rotate(@Param('eventId') eventId: string, @SignedIn() session: AttendeeSession) {
    return this.self.rotate(eventId, session);
  }
}
