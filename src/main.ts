import { setFlagsFromString } from 'node:v8';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/app-config';
import { createApp } from './app.factory';
import { announceListening, isClusterPrimary, isClusterWorker, reportSeeded, runPrimary } from './cluster/cluster';
import { createPinoLogger, PinoNestLogger } from './common/logging/logger';
import { DemoSeeder, DemoSetup } from './demo/demo.seeder';

function banner(baseUrl: string, adminToken: string | null, showToken: boolean, demo?: DemoSetup): string {
  const lines = [
    '',
    `  AI Proxy is running at ${baseUrl}`,
    `  Swagger UI:   ${baseUrl}/docs`,
    showToken
      ? `  Admin token:  ${adminToken}   (kept in DATA_DIR/secrets.json; set ADMIN_TOKEN to choose your own)`
      : adminToken
        ? '  Admin token:  from ADMIN_TOKEN'
        : '  Admin token:  none (organisers sign in with Entra ID)',
  ];
  if (demo) {
    lines.push(
      '',
      `  Demo event '${demo.eventId}' with simulated deployments: ${demo.deployments.join(', ')}`,
      `  Attendee key: ${demo.attendeeKey}`,
      '',
      '  Try it:',
      `  curl -s ${baseUrl}/v1/chat/completions -H "Authorization: Bearer ${demo.attendeeKey}" \\`,
      `    -H "Content-Type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello!"}]}'`,
      '',
      `  Azure style:  ${baseUrl}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21  (api-key header)`,
    );
  }
  return lines.join('\n') + '\n\n';
}

async function bootstrap(): Promise<void> {
  const demoFlag = process.argv.includes('--demo');
  const config = loadConfig({ ...process.env, ...(demoFlag ? { DEMO: 'true' } : {}) });
  const logger = createPinoLogger(config.log.level, config.log.pretty);
  // V8 lets the heap grow to several times the live data between full collections. A tighter bound keeps
  // RSS near the live set (5,000 streams: ~415 → ~385 MB at 60) but collects more often, which shows in the
  // p99 latency, so it is the operator's choice. V8 reads it after each collection: setting it here works.
  if (config.runtime.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.runtime.heapGrowingPercent}`);
  // Lines logged before the app exists (the cluster primary's migrations, for one) are JSON like the rest.
  Logger.overrideLogger(new PinoNestLogger(logger));
  if (config.scale.workers > 1 && isClusterPrimary()) {
    // WORKERS > 1: this process only supervises; the banner comes once, when the first worker listens.
    const print = (baseUrl: string, demo?: DemoSetup) =>
      process.stdout.write(banner(baseUrl, config.secrets.adminToken, config.secrets.adminTokenGenerated, demo));
    return runPrimary<DemoSetup>(config, logger, print);
  }
  const { app } = await createApp(config, logger);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
  const baseUrl = config.http.publicUrl ?? `http://${host}:${port}`;
  logger.info({ port, database: config.database.kind, demo: config.demo.enabled }, 'AI Proxy listening');
  installShutdown(app, logger, config.shutdown.graceMs);
  if (isClusterWorker()) {
    // The primary picks one worker to seed the demo and prints the banner itself.
    if (await announceListening(baseUrl)) reportSeeded(await app.get(DemoSeeder).seed(baseUrl));
    return;
  }
  const demo = config.demo.enabled ? await app.get(DemoSeeder).seed(baseUrl) : undefined;
  // The banner is for the person who just ran `npm start`: plain text on stdout, not a log line.
  process.stdout.write(banner(baseUrl, config.secrets.adminToken, config.secrets.adminTokenGenerated, demo));
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests and streams in flight finish for up to
 * SHUTDOWN_GRACE_S (then cut what is left), flush usage to the database, and exit 0.
 */
function installShutdown(app: Awaited<ReturnType<typeof createApp>>['app'], logger: Awaited<ReturnType<typeof createApp>>['logger'], graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs }, 'Shutting down: draining requests in flight');
    const server = app.getHttpServer();
    const force = setTimeout(() => {
      logger.warn({ graceMs }, 'Grace period over: closing connections still open');
      server.closeAllConnections();
    }, graceMs);
    force.unref();
    app.close().then(
      () => {
        clearTimeout(force);
        logger.info('Shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

bootstrap().catch((err: unknown) => {
  // Configuration errors are for a human: print them plainly, without a stack trace.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`AI Proxy failed to start: ${message}\n`);
  process.exit(1);
});
