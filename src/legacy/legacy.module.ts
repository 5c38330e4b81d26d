import { Global, Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { IgnoreBodyHook } from './ignore-body';
import { LegacyEventController } from './legacy-event.controller';
import { LegacyEventService } from './legacy-event.service';
import { SharedCodeKeys } from './shared-code-keys.service';
import { SharedCodeRepository } from './shared-code.repository';

/**
 * Routes and keys of Azure AI Proxy served as it served them, for organisers switching over by one host
 * name. Global, because admission (AuthModule) accepts its shared-code keys.
 */
@Global()
@Module({
  imports: [UsageModule],
  controllers: [LegacyEventController],
  providers: [LegacyEventService, IgnoreBodyHook, SharedCodeKeys, SharedCodeRepository],
  exports: [SharedCodeKeys],
})
export class LegacyModule {}
