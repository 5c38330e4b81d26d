import { MigrationInterface, QueryRunner } from 'typeorm';

/** Token budgets per event: per attendee and for the whole event, per minute and per day; NULL is unlimited. */
export class EventTokenLimits1796000000000 implements MigrationInterface {
  name = 'EventTokenLimits1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events
        ADD COLUMN attendee_tokens_per_minute integer NULL,
        ADD COLUMN attendee_tokens_per_day integer NULL,
        ADD COLUMN event_tokens_per_minute integer NULL,
        ADD COLUMN event_tokens_per_day integer NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events
        DROP COLUMN event_tokens_per_day,
        DROP COLUMN event_tokens_per_minute,
        DROP COLUMN attendee_tokens_per_day,
        DROP COLUMN attendee_tokens_per_minute`);
  }
}
