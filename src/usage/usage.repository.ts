import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AttendeeDailyUsageEntity } from './attendee-daily-usage.entity';

@Injectable()
export class UsageRepository {
  private readonly daily: Repository<AttendeeDailyUsageEntity>;

  constructor(dataSource: DataSource) {
    this.daily = dataSource.getRepository(AttendeeDailyUsageEntity);
  }

  async dailyUsage(attendeeId: string, day: string): Promise<{ requests: number; tokens: number }> {
    const row = await this.daily.findOneBy({ attendeeId, day });
    return { requests: row?.requests ?? 0, tokens: Number(row?.tokens ?? 0) };
  }
}
