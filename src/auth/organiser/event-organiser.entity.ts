import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A co-organiser: someone other than the owner who may see and change an event. */
@Entity('event_organisers')
export class EventOrganiserEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @PrimaryColumn({ name: 'organiser_id', type: 'uuid' })
  organiserId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
