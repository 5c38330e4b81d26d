import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732400000000 implements MigrationInterface {
  name = 'InitialSchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE events (
        id varchar(64) PRIMARY KEY,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        organizer_name varchar(200) NOT NULL DEFAULT '',
        organizer_email varchar(320) NOT NULL DEFAULT '',
        event_url varchar(2048),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        time_zone varchar(64) NOT NULL DEFAULT 'UTC',
        max_token_cap integer NOT NULL,
        daily_request_cap integer NOT NULL,
        active boolean NOT NULL DEFAULT true,
        registration_mode varchar(16) NOT NULL DEFAULT 'open',
        registration_code varchar(128),
        model_aliases jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_window_chk CHECK (ends_at > starts_at)
      )`);
    await q.query(`
      CREATE TABLE resources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        deployment_name varchar(128) NOT NULL,
        model_class varchar(48) NOT NULL,
        upstream varchar(16) NOT NULL,
        endpoint_url varchar(2048) NOT NULL,
        api_key_encrypted text,
        api_key_last4 varchar(4),
        api_version varchar(64),
        model_name varchar(128),
        priority integer NOT NULL DEFAULT 0,
        weight integer NOT NULL DEFAULT 1,
        tokens_per_minute integer,
        requests_per_minute integer,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX resources_deployment_idx ON resources (deployment_name)`);
    await q.query(`
      CREATE TABLE event_resources (
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        resource_id uuid NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, resource_id)
      )`);
    await q.query(`CREATE INDEX event_resources_resource_idx ON event_resources (resource_id)`);
    await q.query(`
      CREATE TABLE attendees (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        email varchar(320) NOT NULL,
        key_hash char(64) NOT NULL,
        key_prefix varchar(16) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        key_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT attendees_event_email_uq UNIQUE (event_id, email)
      )`);
    await q.query(`CREATE UNIQUE INDEX attendees_key_hash_uq ON attendees (key_hash)`);
    await q.query(`
      CREATE TABLE usage_records (
        id bigserial PRIMARY KEY,
        request_id varchar(128),
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        attendee_id uuid REFERENCES attendees(id) ON DELETE SET NULL,
        resource_id uuid REFERENCES resources(id) ON DELETE SET NULL,
        deployment varchar(128) NOT NULL,
        route varchar(64) NOT NULL,
        status integer NOT NULL,
        prompt_tokens integer NOT NULL DEFAULT 0,
        completion_tokens integer NOT NULL DEFAULT 0,
        total_tokens integer NOT NULL DEFAULT 0,
        estimated boolean NOT NULL DEFAULT false,
        streamed boolean NOT NULL DEFAULT false,
        latency_ms integer NOT NULL DEFAULT 0,
        ttfb_ms integer,
        attempts integer NOT NULL DEFAULT 1,
        error_code varchar(64),
        day date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX usage_event_day_idx ON usage_records (event_id, day)`);
    await q.query(`CREATE INDEX usage_attendee_idx ON usage_records (attendee_id, created_at)`);
    await q.query(`CREATE INDEX usage_event_deployment_idx ON usage_records (event_id, deployment, day)`);
    await q.query(`CREATE INDEX usage_event_created_idx ON usage_records (event_id, created_at)`);
    await q.query(`
      CREATE TABLE attendee_daily_usage (
        attendee_id uuid NOT NULL REFERENCES attendees(id) ON DELETE CASCADE,
        day date NOT NULL,
        requests integer NOT NULL DEFAULT 0,
        tokens bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (attendee_id, day)
      )`);
    // A transactional change counter: replicas poll it (one cheap query a second, never per request)
    // and reload their in-memory catalog when it moves. Bumped by statement-level triggers.
    await q.query(`CREATE TABLE catalog_version (id integer PRIMARY KEY, version bigint NOT NULL)`);
    await q.query(`INSERT INTO catalog_version (id, version) VALUES (1, 0)`);
    await q.query(`
      CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE catalog_version SET version = version + 1 WHERE id = 1;
        RETURN NULL;
      END $$`);
    for (const table of ['events', 'resources', 'event_resources', 'attendees']) {
      await q.query(
        `CREATE TRIGGER ${table}_catalog_version AFTER INSERT OR UPDATE OR DELETE ON ${table} ` +
          `FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['events', 'resources', 'event_resources', 'attendees']) {
      await q.query(`DROP TRIGGER ${table}_catalog_version ON ${table}`);
    }
    await q.query(`DROP FUNCTION bump_catalog_version`);
    await q.query(`DROP TABLE catalog_version`);
    await q.query(`DROP TABLE attendee_daily_usage`);
    await q.query(`DROP TABLE usage_records`);
    await q.query(`DROP TABLE attendees`);
    await q.query(`DROP TABLE event_resources`);
    await q.query(`DROP TABLE resources`);
    await q.query(`DROP TABLE events`);
  }
}
