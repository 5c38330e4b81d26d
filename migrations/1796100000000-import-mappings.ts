import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an import created for each source row, so running it again updates or skips instead of
 * duplicating. `fingerprint` digests the source row as imported: equal means unchanged.
 */
export class ImportMappings1796100000000 implements MigrationInterface {
  name = 'ImportMappings1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_mappings (
        source varchar(32) NOT NULL,
        kind varchar(32) NOT NULL,
        source_id varchar(300) NOT NULL,
        target_id varchar(300) NOT NULL,
        fingerprint char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, kind, source_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_mappings`);
  }
}
