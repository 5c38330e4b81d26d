import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { DataSource, DataSourceOptions, MigrationExecutor, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { createPgliteDriver } from './pglite-driver';

export interface OpenDatabase {
  dataSource: DataSource;
  /** Applies pending migrations (one replica at a time on PostgreSQL) and returns the names applied. */
  migrate(): Promise<string[]>;
  /** Closes the data source and, for PGlite, the embedded engine (flushing it to disk). */
  close(): Promise<void>;
}

const BASE: Partial<DataSourceOptions> = {
  entities: ENTITIES,
  migrations: MIGRATIONS,
  migrationsTableName: 'migrations',
  synchronize: false,
  // The migrations own the schema: otherwise every replica's initialize() runs CREATE EXTENSION "uuid-ossp"
  // (unused: ids default to gen_random_uuid()) before, and outside, the migration lock.
  installExtensions: false,
  logging: false,
};

export async function openPglite(dataDir: string): Promise<PGlite> {
  // PGlite does not create parent directories itself.
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({
    dataDir,
    extensions: { pgcrypto },
    // Same JS types as `pg` with parseInt8: int8 as number, dates as 'YYYY-MM-DD' strings.
    parsers: { 20: (v: string) => Number(v), 1082: (v: string) => v },
  });
  return db;
}

/**
 * The session-level advisory lock every replica takes around its migrations, so replicas booting together
 * against one PostgreSQL apply each migration once instead of racing into duplicate-object errors. A fixed
 * bigint derived from a readable name; advisory locks are per database, so other databases never contend.
 */
export const MIGRATION_LOCK_KEY = createHash('sha256').update('ai-proxy:migrations').digest().readBigInt64BE(0).toString();

const log = new Logger('Database');

/**
 * Runs the pending migrations on one dedicated connection. With `exclusive` (PostgreSQL) that connection
 * first takes MIGRATION_LOCK_KEY and waits for a replica already migrating; the lock is session-scoped, so
 * a replica that dies mid-migration releases it with its connection. PGlite is one in-process session.
 */
async function applyMigrations(dataSource: DataSource, exclusive: boolean): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    if (exclusive) await lockMigrations(runner);
    try {
      // The executor runs on our runner (the lock's session), so DATABASE_POOL_SIZE=1 still works.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return (await executor.executePendingMigrations()).map((m) => m.name);
    } finally {
      if (exclusive) await unlockMigrations(runner);
    }
  } finally {
    await runner.release();
  }
}

async function lockMigrations(runner: QueryRunner): Promise<void> {
  const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [MIGRATION_LOCK_KEY])) as { locked: boolean }[];
  if (locked) return;
  log.log('Waiting for another replica to finish applying migrations');
  await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
}

async function unlockMigrations(runner: QueryRunner): Promise<void> {
  try {
    await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
  } catch (err) {
    // A failed unlock means a broken connection, whose session (and lock) the server ends anyway.
    log.warn(`Could not release the migration lock: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Opens PostgreSQL or embedded PGlite, whichever the config names, and applies pending migrations. */
export async function openDatabase(config: DatabaseConfig, runMigrations = true): Promise<OpenDatabase> {
  if (config.kind === 'postgres') {
    const dataSource = new DataSource({
      ...BASE,
      type: 'postgres',
      url: config.url,
      poolSize: config.poolSize,
      parseInt8: true,
      applicationName: 'ai-proxy',
    } as DataSourceOptions);
    await dataSource.initialize();
    const db: OpenDatabase = {
      dataSource,
      migrate: () => applyMigrations(dataSource, true),
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
      },
    };
    return runMigrations ? migrateOrClose(db) : db;
  }
  const pglite = await openPglite(config.dataDir);
  const dataSource = new DataSource({
    ...BASE,
    type: 'postgres',
    driver: createPgliteDriver(pglite),
  } as DataSourceOptions);
  await dataSource.initialize();
  const db: OpenDatabase = {
    dataSource,
    migrate: () => applyMigrations(dataSource, false),
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await pglite.close();
    },
  };
  return runMigrations ? migrateOrClose(db) : db;
}

/** A failed migration closes the database (its pool, or PGlite's files) before the error goes on. */
async function migrateOrClose(db: OpenDatabase): Promise<OpenDatabase> {
  try {
    await db.migrate();
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
