import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { IgnoreBodyHook } from './ignore-body';
import { LegacyEventController } from './legacy-event.controller';
import { LegacyEventService } from './legacy-event.service';

/** Routes of Azure AI Proxy served as it served them, for organisers switching over by one host name. */
@Module({
  imports: [UsageModule],
  controllers: [LegacyEventController],
  providers: [LegacyEventService, IgnoreBodyHook],
})
export class LegacyModule {}
