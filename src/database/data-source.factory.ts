import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { createPgliteDriver } from './pglite-driver';

export interface OpenDatabase {
  dataSource: DataSource;
  /** Closes the data source and, for PGlite, the embedded engine (flushing it to disk). */
  close(): Promise<void>;
}

const BASE: Partial<DataSourceOptions> = {
  entities: ENTITIES,
  migrations: MIGRATIONS,
  migrationsTableName: 'migrations',
  synchronize: false,
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
    if (runMigrations) await dataSource.runMigrations({ transaction: 'each' });
    return { dataSource, close: () => dataSource.destroy() };
  }
  const pglite = await openPglite(config.dataDir);
  const dataSource = new DataSource({
    ...BASE,
    type: 'postgres',
    driver: createPgliteDriver(pglite),
  } as DataSourceOptions);
  await dataSource.initialize();
  if (runMigrations) await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await pglite.close();
    },
  };
}
