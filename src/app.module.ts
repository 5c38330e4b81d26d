import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AssistantsModule } from './assistants/assistants.module';
import { AttendeesModule } from './attendees/attendees.module';
import { AuthModule } from './auth/auth.module';
import { CatalogModule } from './catalog/catalog.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { DiagnosticsModule } from './diagnostics/diagnostics.module';
import { ImportModule } from './import/import.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './observability/metrics.module';
import { ObservabilityModule } from './observability/observability.module';
import { LegacyModule } from './legacy/legacy.module';
import { ProxyModule } from './proxy/proxy.module';
import { RealtimeModule } from './realtime/realtime.module';
import { ResourcesModule } from './resources/resources.module';
import { SharedStateModule } from './shared-state/shared-state.module';
import { SimulatorModule } from './simulator/simulator.module';
import { UsageModule } from './usage/usage.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        SharedStateModule,
        ObservabilityModule,
        CatalogModule,
        AuthModule,
        HealthModule,
        ResourcesModule,
        EventsModule,
        AttendeesModule,
        UsageModule,
        SimulatorModule,
        ProxyModule,
        AssistantsModule,
        RealtimeModule,
        DiagnosticsModule,
        ImportModule,
        MetricsModule,
        DemoModule,
        LegacyModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
