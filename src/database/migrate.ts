import { loadConfig } from '../config/app-config';
import { createPinoLogger } from '../common/logging/logger';
import { openDatabase } from './data-source.factory';

/** `npm run migration:run`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createPinoLogger(config.log.level);
  const db = await openDatabase(config.database, false);
  try {
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    log.info({ applied: applied.map((m) => m.name), database: config.database.kind }, 'Migrations applied');
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
