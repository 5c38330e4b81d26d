import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminOnly } from '../auth/decorators/auth.decorators';
import { AccessScope, CurrentScope } from '../auth/organiser/access-scope';
import { ApiAdminErrors, ApiZodBody, ApiZodResponse } from '../common/validation/openapi';
import { ZodValidationPipe } from '../common/validation/zod-validation.pipe';
import { ResourceResponseSchema } from '../resources/dto/resource.schemas';
import {
  CreateEventInput,
  CreateEventSchema,
  EventListResponseSchema,
  EventResponseSchema,
  UpdateEventInput,
  UpdateEventSchema,
} from './dto/event.schemas';
import { EventsService } from './events.service';

@ApiTags('Admin: events')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an event' })
  @ApiZodBody(CreateEventSchema)
  @ApiZodResponse(201, EventResponseSchema, 'Created')
  @ApiAdminErrors(400, 409, 413)
  create(@Body(new ZodValidationPipe(CreateEventSchema)) body: CreateEventInput, @CurrentScope() scope: AccessScope) {
    return this.events.create(body, scope);
  }

  @Get()
  @ApiOperation({ summary: 'List events, newest first' })
  @ApiZodResponse(200, EventListResponseSchema, 'Events')
  list(@CurrentScope() scope: AccessScope) {
    return this.events.list(scope);
  }

  @Get(':eventId')
  @ApiOperation({ summary: 'Get an event' })
  @ApiZodResponse(200, EventResponseSchema, 'The event')
  @ApiAdminErrors(404)
  get(@Param('eventId') eventId: string, @CurrentScope() scope: AccessScope) {
    return this.events.get(eventId, scope);
  }

  @Patch(':eventId')
  @ApiOperation({ summary: 'Change an event (any subset of fields)' })
  @ApiZodBody(UpdateEventSchema)
  @ApiZodResponse(200, EventResponseSchema, 'The updated event')
  @ApiAdminErrors(400, 404)
  update(
    @Param('eventId') eventId: string,
    @Body(new ZodValidationPipe(UpdateEventSchema)) body: UpdateEventInput,
    @CurrentScope() scope: AccessScope,
  ) {
    return this.events.update(eventId, body, scope);
  }

  @Delete(':eventId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an event with its attendees and usage' })
  @ApiAdminErrors(404)
  async remove(@Param('eventId') eventId: string, @CurrentScope() scope: AccessScope): Promise<void> {
    await this.events.remove(eventId, scope);
  }

  @Get(':eventId/resources')
  @ApiOperation({ summary: 'List the deployments attached to an event' })
  @ApiZodResponse(200, z.array(ResourceResponseSchema), 'Attached resources')
  @ApiAdminErrors(404)
  listResources(@Param('eventId') eventId: string, @CurrentScope() scope: AccessScope) {
    return this.events.listResources(eventId, scope);
  }

  @Put(':eventId/resources/:resourceId')
  @ApiOperation({ summary: 'Attach a deployment to an event (idempotent)' })
  @ApiZodResponse(200, ResourceResponseSchema, 'The attached resource')
  @ApiAdminErrors(404)
  attach(@Param('eventId') eventId: string, @Param('resourceId') resourceId: string, @CurrentScope() scope: AccessScope) {
    return this.events.attachResource(eventId, resourceId, scope);
  }

  @Delete(':eventId/resources/:resourceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Detach a deployment from an event' })
  @ApiAdminErrors(404)
  async detach(@Param('eventId') eventId: string, @Param('resourceId') resourceId: string, @CurrentScope() scope: AccessScope): Promise<void> {
    await this.events.detachResource(eventId, resourceId, scope);
  }
}
