import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/decorators/auth.decorators';
import { AccessScope, CurrentScope } from '../auth/organiser/access-scope';
import { ApiAdminErrors, ApiZodQuery, ApiZodResponse } from '../common/validation/openapi';
import { ZodValidationPipe } from '../common/validation/zod-validation.pipe';
import { UsageQuery, UsageQuerySchema, UsageReportSchema } from './dto/usage.schemas';
import { UsageReportService } from './usage-report.service';

@ApiTags('Admin: usage')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/events/:eventId/usage')
export class UsageController {
  constructor(private readonly reports: UsageReportService) {}

  @Get()
  @ApiOperation({ summary: 'Usage totals of an event: by day, by deployment and by attendee' })
  @ApiZodQuery(UsageQuerySchema)
  @ApiZodResponse(200, UsageReportSchema, 'Usage report')
  @ApiAdminErrors(400, 404)
  report(
    @Param('eventId') eventId: string,
    @Query(new ZodValidationPipe(UsageQuerySchema, 'query')) query: UsageQuery,
    @CurrentScope() scope: AccessScope,
  ) {
    return this.reports.report(eventId, query, scope);
  }
}
