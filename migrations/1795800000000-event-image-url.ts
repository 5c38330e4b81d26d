import { MigrationInterface, QueryRunner } from 'typeorm';

/** An event's image (logo or banner) for its registration page and the legacy eventinfo answer. */
export class EventImageUrl1795800000000 implements MigrationInterface {
  name = 'EventImageUrl1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ADD COLUMN image_url varchar(2048)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN image_url`);
  }
}
