import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `open`: anyone with the link; `code`: a shared secret; an identity provider's id: sign in with it. */
export const REGISTRATION_MODES = ['open', 'code', 'github'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

@Entity('events')
export class EventEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ name: 'organizer_name', type: 'varchar', length: 200, default: '' })
  organizerName!: string;

  @Column({ name: 'organizer_email', type: 'varchar', length: 320, default: '' })
  organizerEmail!: string;

  @Column({ name: 'event_url', type: 'varchar', length: 2048, nullable: true })
  eventUrl!: string | null;

  /** Logo or banner shown on the registration page (and as event_image_url to Azure AI Proxy clients). */
  @Column({ name: 'image_url', type: 'varchar', length: 2048, nullable: true })
  imageUrl!: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'UTC' })
  timeZone!: string;

  @Column({ name: 'max_token_cap', type: 'integer' })
  maxTokenCap!: number;

  @Column({ name: 'daily_request_cap', type: 'integer' })
  dailyRequestCap!: number;

  @Column({ name: 'max_realtime_sessions', type: 'integer', default: 2 })
  maxRealtimeSessions!: number;

  @Column({ name: 'max_realtime_session_seconds', type: 'integer', default: 1800 })
  maxRealtimeSessionSeconds!: number;

  /** Token budgets (reserve-then-settle, see TokenBudgets); null is unlimited. */
  @Column({ name: 'attendee_tokens_per_minute', type: 'integer', nullable: true })
  attendeeTokensPerMinute!: number | null;

  @Column({ name: 'attendee_tokens_per_day', type: 'integer', nullable: true })
  attendeeTokensPerDay!: number | null;

  @Column({ name: 'event_tokens_per_minute', type: 'integer', nullable: true })
  eventTokensPerMinute!: number | null;

  @Column({ name: 'event_tokens_per_day', type: 'integer', nullable: true })
  eventTokensPerDay!: number | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'registration_mode', type: 'varchar', length: 16, default: 'open' })
  registrationMode!: RegistrationMode;

  @Column({ name: 'registration_code', type: 'varchar', length: 128, nullable: true })
  registrationCode!: string | null;

  @Column({ name: 'model_aliases', type: 'jsonb', default: {} })
  modelAliases!: Record<string, string>;

  /** The organiser who owns the event; null: administrators only (created with ADMIN_TOKEN, or before owners existed). */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
