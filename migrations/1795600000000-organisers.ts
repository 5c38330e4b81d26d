import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisers (Entra ID sign-in) and who owns what. Owner columns are nullable: rows created with
 * ADMIN_TOKEN, and every row that existed before, belong to administrators only.
 */
export class Organisers1795600000000 implements MigrationInterface {
  name = 'Organisers1795600000000';

  async up(q: QueryRunner): Promise<void> {
    // oid/tenant are null for an organiser invited (or imported) by email who has not signed in yet;
    // the first sign-in with that email claims the row.
    await q.query(`
      CREATE TABLE organisers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id varchar(64),
        oid varchar(64),
        email varchar(320) NOT NULL,
        name varchar(200) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz,
        CONSTRAINT organisers_identity_chk CHECK ((oid IS NULL) = (tenant_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX organisers_identity_idx ON organisers (tenant_id, oid) WHERE oid IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX organisers_email_idx ON organisers (lower(email))`);
    await q.query(`ALTER TABLE events ADD COLUMN owner_id uuid REFERENCES organisers(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX events_owner_idx ON events (owner_id)`);
    await q.query(`ALTER TABLE resources ADD COLUMN owner_id uuid REFERENCES organisers(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX resources_owner_idx ON resources (owner_id)`);
    await q.query(`
      CREATE TABLE event_organisers (
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        organiser_id uuid NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, organiser_id)
      )`);
    await q.query(`CREATE INDEX event_organisers_organiser_idx ON event_organisers (organiser_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_organisers`);
    await q.query(`ALTER TABLE resources DROP COLUMN owner_id`);
    await q.query(`ALTER TABLE events DROP COLUMN owner_id`);
    await q.query(`DROP TABLE organisers`);
  }
}
