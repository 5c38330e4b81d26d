import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdministratorsOnly } from '../auth/decorators/auth.decorators';
import { MetricsService } from './metrics.service';

/**
 * Prometheus text, behind the global admin guard (scrapers send the admin token as a bearer token).
 * Left out of the OpenAPI document: it is not part of the portal's API client.
 */
@ApiExcludeController()
// Labels name every event: an organiser signed in with Entra ID would see others' events.
@AdministratorsOnly()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
