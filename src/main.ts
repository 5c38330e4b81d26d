import { loadConfig } from './config/app-config';
import { createApp } from './app.factory';
import { createPinoLogger } from './common/logging/logger';

async function bootstrap(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const config = loadConfig({ ...process.env, ...(demo ? { DEMO: 'true' } : {}) });
  const logger = createPinoLogger(config.log.level, config.log.pretty);
  const { app } = await createApp(config, logger);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ port, database: config.database.kind }, 'AI Proxy listening');
}

bootstrap().catch((err: unknown) => {
  // Configuration errors are for a human: print them plainly, without a stack trace.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`AI Proxy failed to start: ${message}\n`);
  process.exit(1);
});
