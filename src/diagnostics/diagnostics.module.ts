import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ProxyModule } from '../proxy/proxy.module';
import { ResourcesModule } from '../resources/resources.module';
import { DeploymentHealthController, ResourceTestController } from './diagnostics.controller';
import { DiagnosticsService } from './diagnostics.service';

/** Organiser diagnostics: test a resource's connection, see an event's backends as the balancer does. */
@Module({
  imports: [ProxyModule, EventsModule, ResourcesModule],
  controllers: [ResourceTestController, DeploymentHealthController],
  providers: [DiagnosticsService],
})
export class DiagnosticsModule {}
