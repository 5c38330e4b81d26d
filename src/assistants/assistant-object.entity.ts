import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { OwnedKind } from './assistant-object.types';

@Entity('assistant_objects')
export class AssistantObjectEntity {
  @PrimaryColumn({ name: 'object_id', type: 'varchar', length: 128 })
  objectId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: OwnedKind;

  @Column({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @Column({ name: 'attendee_id', type: 'uuid' })
  attendeeId!: string;

  @Column({ name: 'resource_id', type: 'uuid', nullable: true })
  resourceId!: string | null;

  @Column({ name: 'metered_at', type: 'timestamptz', nullable: true })
  meteredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
