import { Module } from '@nestjs/common';
import { AttendeesModule } from '../attendees/attendees.module';
import { EventsModule } from '../events/events.module';
import { ResourcesModule } from '../resources/resources.module';
import { DemoSeeder } from './demo.seeder';

@Module({ imports: [EventsModule, ResourcesModule, AttendeesModule], providers: [DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}
