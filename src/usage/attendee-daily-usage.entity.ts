import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('attendee_daily_usage')
export class AttendeeDailyUsageEntity {
  @PrimaryColumn({ name: 'attendee_id', type: 'uuid' })
  attendeeId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'integer', default: 0 })
  requests!: number;

  @Column({ type: 'bigint', default: 0 })
  tokens!: number;
}
