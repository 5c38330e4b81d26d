import { Module } from '@nestjs/common';
import { ProxyModule } from '../proxy/proxy.module';
import { UsageModule } from '../usage/usage.module';
import { RealtimeController } from './realtime.controller';
import { RealtimeGateway } from './realtime.gateway';

/** Realtime WebSocket sessions on the HTTP port, balanced and metered like proxied requests. */
@Module({
  imports: [ProxyModule, UsageModule],
  controllers: [RealtimeController],
  providers: [RealtimeGateway],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
