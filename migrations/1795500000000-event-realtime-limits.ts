import { MigrationInterface, QueryRunner } from 'typeorm';

/** Realtime governance per event: concurrent sessions per attendee and the longest a session may run. */
export class EventRealtimeLimits1795500000000 implements MigrationInterface {
  name = 'EventRealtimeLimits1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events
        ADD COLUMN max_realtime_sessions integer NOT NULL DEFAULT 2,
        ADD COLUMN max_realtime_session_seconds integer NOT NULL DEFAULT 1800`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN max_realtime_session_seconds, DROP COLUMN max_realtime_sessions`);
  }
}
