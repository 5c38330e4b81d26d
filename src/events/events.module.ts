import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { PublicEventController } from './public-event.controller';

@Module({
  imports: [ResourcesModule],
  controllers: [EventsController, PublicEventController],
  providers: [EventsRepository, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
