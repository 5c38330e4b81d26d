import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { UsageReportService } from './usage-report.service';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Module({
  imports: [EventsModule],
  controllers: [UsageController],
  providers: [UsageRepository, UsageService, UsageReportService],
  exports: [UsageService],
})
export class UsageModule {}
