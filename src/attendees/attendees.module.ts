import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { UsageModule } from '../usage/usage.module';
import { AttendeesAdminController, RegistrationController } from './attendees.controller';
import { AttendeesRepository } from './attendees.repository';
import { AttendeesService } from './attendees.service';
import { EventInfoController } from './event-info.controller';
import { EventInfoService } from './event-info.service';

@Module({
  imports: [EventsModule, UsageModule],
  controllers: [RegistrationController, AttendeesAdminController, EventInfoController],
  providers: [AttendeesRepository, AttendeesService, EventInfoService],
  exports: [AttendeesService],
})
export class AttendeesModule {}
