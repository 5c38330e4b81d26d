import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { ProxyTelemetry } from './proxy-telemetry';
import { RealtimeTelemetry } from './realtime-telemetry';
import { TracingService } from './tracing.service';

/** Metrics registry and tracer, global so any feature can record through them without a module cycle. */
@Global()
@Module({
  providers: [MetricsService, TracingService, ProxyTelemetry, RealtimeTelemetry],
  exports: [MetricsService, TracingService, ProxyTelemetry, RealtimeTelemetry],
})
export class ObservabilityModule {}
