import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Links an attendee to the identity (provider + stable subject) that registered it. */
@Entity('attendee_identities')
export class AttendeeIdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'attendee_id', type: 'uuid' })
  attendeeId!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  /** The provider's immutable user id (GitHub's numeric id), never the login, which users can rename. */
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The handle at the last sign-in, for display and for organisers. */
  @Column({ type: 'varchar', length: 255 })
  login!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_sign_in_at', type: 'timestamptz' })
  lastSignInAt!: Date;
}
