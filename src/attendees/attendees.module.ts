import { Module } from '@nestjs/common';
import { AttendeeAuthModule } from '../auth/attendee/attendee-auth.module';
import { EventsModule } from '../events/events.module';
import { UsageModule } from '../usage/usage.module';
import { AttendeeSelfController } from './attendee-self.controller';
import { AttendeeSelfService } from './attendee-self.service';
import { AttendeesAdminController, RegistrationController } from './attendees.controller';
import { AttendeesRepository } from './attendees.repository';
import { AttendeesService } from './attendees.service';
import { EventInfoController } from './event-info.controller';
import { EventInfoService } from './event-info.service';

@Module({
  imports: [EventsModule, UsageModule, AttendeeAuthModule],
  controllers: [RegistrationController, AttendeesAdminController, EventInfoController, AttendeeSelfController],
  providers: [AttendeesRepository, AttendeesService, EventInfoService, AttendeeSelfService],
  exports: [AttendeesService],
})
export class AttendeesModule {}
