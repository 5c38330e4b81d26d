import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/decorators/auth.decorators';
import { AccessScope, CurrentScope } from '../auth/organiser/access-scope';
import { ApiAdminErrors, ApiZodResponse } from '../common/validation/openapi';
import { DiagnosticsService } from './diagnostics.service';
import { ConnectionTestSchema, DeploymentsHealthSchema } from './dto/diagnostics.schemas';

@ApiTags('Admin: resources')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/resources')
export class ResourceTestController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test connection: send one tiny request through this resource',
    description:
      'Chat: one user message "ping" with max_tokens 1; completions: prompt "ping", max_tokens 1; embeddings: input "ping"; ' +
      'Responses: input "ping", max_output_tokens 16; speech: "ping"; search: one hit of `*`. Images, transcription and realtime ' +
      'have no cheap request and answer testable: false without sending anything. An upstream refusal is a 200 with ok: false ' +
      "and the upstream's status and error; the upstream key and URL never appear in the answer. The outcome does not affect routing.",
  })
  @ApiZodResponse(200, ConnectionTestSchema, 'The outcome of the test request')
  @ApiAdminErrors(404)
  test(@Param('id') id: string, @CurrentScope() scope: AccessScope) {
    return this.diagnostics.testConnection(id, scope);
  }
}

@ApiTags('Admin: events')
@AdminOnly()
@ApiAdminErrors(401)
@Controller('api/v1/admin/events')
export class DeploymentHealthController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Get(':eventId/deployments/health')
  @ApiOperation({
    summary: "Health of an event's deployments: breaker state and cooldowns",
    description:
      'Per attached resource: the circuit breaker (closed, open, half-open), whether a 429 parked it (rateLimited) and until when ' +
      'the balancer skips it. The state is held in memory by each replica; this is the answering replica\'s view.',
  })
  @ApiZodResponse(200, DeploymentsHealthSchema, 'Health of each attached resource')
  @ApiAdminErrors(404)
  health(@Param('eventId') eventId: string, @CurrentScope() scope: AccessScope) {
    return this.diagnostics.deploymentsHealth(eventId, scope);
  }
}
