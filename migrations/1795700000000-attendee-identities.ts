import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendees who signed in with an identity provider (GitHub today): the provider's stable subject is the
 * attendee, so one identity holds one key per event whatever email anyone types.
 */
export class AttendeeIdentities1795700000000 implements MigrationInterface {
  name = 'AttendeeIdentities1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attendee_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        attendee_id uuid NOT NULL REFERENCES attendees(id) ON DELETE CASCADE,
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        provider varchar(32) NOT NULL,
        subject varchar(255) NOT NULL,
        login varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT attendee_identities_subject_uq UNIQUE (event_id, provider, subject),
        CONSTRAINT attendee_identities_attendee_uq UNIQUE (attendee_id, provider)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attendee_identities`);
  }
}
