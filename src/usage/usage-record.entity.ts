import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('usage_records')
export class UsageRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @Column({ name: 'attendee_id', type: 'uuid', nullable: true })
  attendeeId!: string | null;

  @Column({ name: 'resource_id', type: 'uuid', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'varchar', length: 128 })
  deployment!: string;

  @Column({ type: 'varchar', length: 64 })
  route!: string;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ name: 'prompt_tokens', type: 'integer', default: 0 })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer', default: 0 })
  completionTokens!: number;

  @Column({ name: 'total_tokens', type: 'integer', default: 0 })
  totalTokens!: number;

  @Column({ type: 'boolean', default: false })
  estimated!: boolean;

  @Column({ type: 'boolean', default: false })
  streamed!: boolean;

  @Column({ name: 'latency_ms', type: 'integer', default: 0 })
  latencyMs!: number;

  @Column({ name: 'ttfb_ms', type: 'integer', nullable: true })
  ttfbMs!: number | null;

  @Column({ type: 'integer', default: 1 })
  attempts!: number;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  /** Calendar day in the event's time zone, the unit of the daily caps and reports. */
  @Column({ type: 'date' })
  day!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
