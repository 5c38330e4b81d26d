import { Body, Controller, Get, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, Public } from '../auth/decorators/auth.decorators';
import { AccessScope, CurrentScope } from '../auth/organiser/access-scope';
import { RegistrationThrottleGuard } from '../auth/throttling/registration-throttle.guard';
import { baseUrlOf } from '../common/http/base-url';
import { ApiAdminErrors, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../common/validation/openapi';
import { ZodValidationPipe } from '../common/validation/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import { AttendeesService } from './attendees.service';
import {
  AttendeePageSchema,
  AttendeeResponseSchema,
  ListAttendeesQuery,
  ListAttendeesQuerySchema,
  RegisterAttendeeInput,
  RegisterAttendeeSchema,
  RegistrationResponseSchema,
  RotatedKeySchema,
  UpdateAttendeeInput,
  UpdateAttendeeSchema,
} from './dto/attendee.schemas';

@ApiTags('Attendees')
@Controller('api/v1/events/:eventId/attendees')
export class RegistrationController {
  constructor(
    private readonly attendees: AttendeesService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @UseGuards(RegistrationThrottleGuard)
  @ApiOperation({
    summary: 'Register for an event and receive an API key',
    description:
      'Registering an email already registered answers 409 and leaves its key alone (ask the organiser to rotate it). ' +
      'Events in a sign-in mode (github) answer 403 registration_mode_mismatch: sign in instead.',
  })
  @ApiZodBody(RegisterAttendeeSchema)
  @ApiZodResponse(201, RegistrationResponseSchema, 'Registered; the key is shown only once')
  @ApiAdminErrors(400, 403, 404, 409, 413, 429)
  register(
    @Param('eventId') eventId: string,
    @Body(new ZodValidationPipe(RegisterAttendeeSchema)) body: RegisterAttendeeInput,
    @Req() request: FastifyRequest,
  ) {
    return this.attendees.register(eventId, body, baseUrlOf(request, this.config), new Date(), request.ip);
  }
}

@ApiTags('Admin: attendees')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/events/:eventId/attendees')
export class AttendeesAdminController {
  constructor(private readonly attendees: AttendeesService) {}

  @Get()
  @ApiOperation({ summary: 'List an event\'s attendees (paged)' })
  @ApiZodQuery(ListAttendeesQuerySchema)
  @ApiZodResponse(200, AttendeePageSchema, 'A page of attendees')
  @ApiAdminErrors(400, 404)
  list(
    @Param('eventId') eventId: string,
    @Query(new ZodValidationPipe(ListAttendeesQuerySchema, 'query')) query: ListAttendeesQuery,
    @CurrentScope() scope: AccessScope,
  ) {
    return this.attendees.list(eventId, query, scope);
  }

  @Patch(':attendeeId')
  @ApiOperation({ summary: 'Activate or revoke an attendee' })
  @ApiZodBody(UpdateAttendeeSchema)
  @ApiZodResponse(200, AttendeeResponseSchema, 'The updated attendee')
  @ApiAdminErrors(400, 404)
  update(
    @Param('eventId') eventId: string,
    @Param('attendeeId') attendeeId: string,
    @Body(new ZodValidationPipe(UpdateAttendeeSchema)) body: UpdateAttendeeInput,
    @CurrentScope() scope: AccessScope,
  ) {
    return this.attendees.update(eventId, attendeeId, body, scope);
  }

  @Post(':attendeeId/rotate')
  @ApiOperation({ summary: 'Issue a new key for an attendee; the old key stops working' })
  @ApiZodResponse(201, RotatedKeySchema, 'The new key, shown once')
  @ApiAdminErrors(404)
  rotate(@Param('eventId') eventId: string, @Param('attendeeId') attendeeId: string, @CurrentScope() scope: AccessScope) {
    return this.attendees.rotate(eventId, attendeeId, scope);
  }
}
