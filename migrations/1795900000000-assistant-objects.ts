import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who created each Assistants object (assistant, thread, file, vector store, run) through the proxy, so
 * another attendee's key is answered 404. `resource_id` pins later calls to the upstream that holds the
 * object; `metered_at` makes a run's token usage count once, whichever replica sees it finish.
 */
export class AssistantObjects1795900000000 implements MigrationInterface {
  name = 'AssistantObjects1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE assistant_objects (
        object_id varchar(128) PRIMARY KEY,
        kind varchar(16) NOT NULL,
        event_id varchar(64) NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        attendee_id uuid NOT NULL REFERENCES attendees(id) ON DELETE CASCADE,
        resource_id uuid REFERENCES resources(id) ON DELETE SET NULL,
        metered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX assistant_objects_owner_idx ON assistant_objects (event_id, attendee_id, kind)`,
    );
    await q.query(`CREATE INDEX assistant_objects_attendee_idx ON assistant_objects (attendee_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE assistant_objects`);
  }
}
