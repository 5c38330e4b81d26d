import { randomBytes } from 'node:crypto';
import { Logger, LoggerService } from '@nestjs/common';
import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';
import { MIGRATION_LOCK_KEY, openDatabase, OpenDatabase } from '../src/database/data-source.factory';
import { waitFor } from './support/proxy';

/**
 * Replicas booting together against one PostgreSQL (Container Apps scale-out, compose replicas) each run
 * the migrations at boot; an advisory lock makes them take turns. PostgreSQL lane only (TEST_DATABASE_URL):
 * PGlite is one in-process session with a single owner.
 */
const BASE_URL = process.env.TEST_DATABASE_URL;
const REPLICAS = 4;
const WAITING = 'Waiting for another replica to finish applying migrations';

if (!BASE_URL) process.stdout.write('migration-lock.e2e-spec: skipped, concurrent replicas need TEST_DATABASE_URL (PostgreSQL); the PostgreSQL lane runs it\n');

/** Collects what the database factory logs through Nest's Logger. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

(BASE_URL ? describe : describe.skip)('migrations from several replicas at once (PostgreSQL)', () => {
  let databaseUrl: string;
  let name: string;
  let logger: CapturingLogger;
  const opened: OpenDatabase[] = [];

  const open = (poolSize = 2) => openDatabase({ kind: 'postgres', url: databaseUrl, poolSize });

  beforeEach(async () => {
    name = `aip_test_migrations_${Date.now()}_${randomBytes(4).toString('hex')}`;
    await withClient(BASE_URL!, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(BASE_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await withClient(BASE_URL!, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it(`applies each migration once when ${REPLICAS} replicas boot together, and the schema works`, async () => {
    const results = await Promise.allSettled(Array.from({ length: REPLICAS }, () => open()));
    for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
    // The reasons, not just a count, so a regression shows the database's own error.
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(opened).toHaveLength(REPLICAS);

    await withClient(databaseUrl, async (c) => {
      const { rows } = await c.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM migrations GROUP BY name ORDER BY name');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: new m().name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
      // Boot creates no database objects outside the migrations (TypeORM would add uuid-ossp by itself).
      const extensions = await c.query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY extname');
      expect(extensions.rows.map((r) => r.extname)).toEqual(['pgcrypto', 'plpgsql']);
      // Every replica gave the lock back (the pools stay open, so a leaked lock would still show).
      const locks = await c.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`, [name]);
      expect(locks.rowCount).toBe(0);
    });
    // The replicas started together, so all but the first found the lock taken and said so once each.
    expect(logger.lines.filter((l) => l === WAITING).length).toBeGreaterThanOrEqual(1);
    expect(logger.lines.filter((l) => l === WAITING).length).toBeLessThanOrEqual(REPLICAS - 1);

    // Every entity's table and column exists (the entities do not declare the migrations' keys and indexes,
    // so only what TypeORM would have to create counts), and every replica can write.
    const { upQueries } = await opened[0].dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query).filter((q) => /^CREATE TABLE|^ALTER TABLE \S+ ADD "/.test(q))).toEqual([]);
    await Promise.all(
      opened.map((db, i) =>
        db.dataSource.query(`INSERT INTO organisers (email, name) VALUES ($1, $2)`, [`replica-${i}@example.test`, `Replica ${i}`]),
      ),
    );
    const [{ n }] = (await opened[0].dataSource.query(`SELECT count(*)::int AS n FROM organisers`)) as { n: number }[];
    expect(n).toBe(REPLICAS);
  });

  it('waits for a replica that holds the lock, and carries on when that replica dies', async () => {
    const holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      let settled = false;
      const booting = open().finally(() => (settled = true));
      await waitFor(() => logger.lines.includes(WAITING), 'the replica to report that it waits', 10_000);
      // Still blocked on the lock, not failed: the server shows it waiting on the advisory lock.
      const waiting = await waitFor(
        async () =>
          (await holder.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = $1)`, [name]))
            .rowCount === 1,
        'a waiter on the migration lock',
      );
      expect(waiting).toBe(true);
      expect(settled).toBe(false);
      // The holder's session ends as if its process died; the session-level lock goes with it.
      const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      holder.on('error', () => undefined);
      await withClient(databaseUrl, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
      opened.push(await booting);
    } finally {
      await holder.end().catch(() => undefined);
    }
    const [{ n }] = (await opened[0].dataSource.query(`SELECT count(*)::int AS n FROM migrations`)) as { n: number }[];
    expect(n).toBe(MIGRATIONS.length);
    // A replica that boots after the migrations applies nothing, waits for nobody, and works with one connection.
    logger.lines.length = 0;
    const late = await open(1);
    opened.push(late);
    expect(await late.migrate()).toEqual([]);
    expect(logger.lines).not.toContain(WAITING);
  });
});
