import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { createPinoLogger } from '../../src/common/logging/logger';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { freshDataDir, prepareTemplate, templateDir } from './pglite-template';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ENCRYPTION_KEY = 'test-encryption-key-0123456789abcdef0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** http://127.0.0.1:PORT of the running app. */
  url: string;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  dataDir: string;
  /** The PostgreSQL database, when TEST_DATABASE_URL is set. */
  databaseUrl?: string;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** Drops one test database, connecting through the server's maintenance database (TEST_DATABASE_URL). */
async function dropPostgres(baseUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^aip_test_\w+$/.test(name)) throw new Error(`refusing to drop a database not made by the tests: ${name}`);
  const c = new Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}

/** A database of its own per test file: a copy of the migrated PGlite template, or a fresh PostgreSQL DB. */
async function freshPostgres(baseUrl: string): Promise<string> {
  const name = `aip_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Restart tests pass the previous app's dataDir and databaseUrl. Whichever app closes without
 * `keepData` removes the data directory and drops the database, reused or not.
 */
export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** Reuse a PostgreSQL database (restart tests). */
  databaseUrl?: string;
  /** Embedded PGlite even when TEST_DATABASE_URL is set (a test that uses PostgreSQL for something else, e.g. an import source). */
  pglite?: boolean;
}

export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const baseUrl = options.pglite ? undefined : process.env.TEST_DATABASE_URL;
  // The global setup builds the PGlite template only for the PGlite lane.
  if (options.pglite && !options.dataDir) await prepareTemplate(templateDir());
  // On PostgreSQL the data directory only holds files, so it starts empty (there is no PGlite template).
  const dataDir = options.dataDir ?? (baseUrl ? mkdtempSync(join(tmpdir(), 'ai-proxy-test-')) : freshDataDir());
  const databaseUrl = options.databaseUrl ?? (baseUrl ? await freshPostgres(baseUrl) : undefined);
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    ENCRYPTION_KEY,
    LOG_LEVEL: 'info',
    // Tests register many attendees from one address; the throttle's own test sets a small limit.
    REGISTRATION_RATE_LIMIT: '100000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const { app } = await createApp(config, createPinoLogger('info', false, sink));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    logs,
    dataDir,
    databaseUrl,
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData) {
        if (baseUrl && databaseUrl) await dropPostgres(baseUrl, databaseUrl);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
