import { Module } from '@nestjs/common';
import { ProxyModule } from '../proxy/proxy.module';
import { UsageModule } from '../usage/usage.module';
import { MetricsCollectors } from './metrics.collectors';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics.server';

/** GET /metrics (admin token) and, with METRICS_PORT, a separate unauthenticated listener for scrapers. */
@Module({
  imports: [ProxyModule, UsageModule],
  controllers: [MetricsController],
  providers: [MetricsCollectors, MetricsServer],
})
export class MetricsModule {}
