import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/app-config';
import { createPinoLogger, PinoNestLogger } from '../common/logging/logger';
import { openDatabase } from './data-source.factory';

/** `npm run migration:run`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createPinoLogger(config.log.level);
  // The factory logs through Nest's Logger (e.g. that it waits for another replica's migrations).
  Logger.overrideLogger(new PinoNestLogger(log));
  const db = await openDatabase(config.database, false);
  try {
    const applied = await db.migrate();
    log.info({ applied, database: config.database.kind }, 'Migrations applied');
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
