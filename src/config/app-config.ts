import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { EntraConfig, entraCanSignIn, entraConfigFrom, sessionKeyFrom } from './entra-config';
import { Env, parseEnv } from './env.schema';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize: number }
  | { kind: 'pglite'; dataDir: string };

/** Typed, nested configuration: the one object every module reads settings from. */
export class AppConfig {
  readonly env!: Env['NODE_ENV'];
  readonly http!: {
    port: number;
    host: string;
    bodyLimit: number;
    /** Admin JSON routes: small, since nothing an organiser sends is large. */
    adminBodyLimit: number;
    corsOrigins: string[] | '*';
    publicUrl?: string;
    trustProxy: boolean;
  };
  /** `rateLimit`: all attempts per address and route; `failureLimit`: wrong codes per event and address. Same window. */
  readonly registration!: { rateLimit: number; failureLimit: number; rateWindowMs: number };
  /** Identity providers attendees sign in with; a provider is absent when not configured. */
  readonly attendeeSignIn!: { github?: { clientId: string; clientSecret: string; oauthBaseUrl: string; apiBaseUrl: string } };
  readonly database!: DatabaseConfig;
  readonly dataDir!: string;
  /** adminToken is null only in production with Entra ID sign-in configured instead. */
  readonly secrets!: { encryptionKey: Buffer; previousEncryptionKeys: Buffer[]; adminToken: string | null; adminTokenGenerated: boolean };
  /** Organiser sign-in with Microsoft Entra ID; null when not configured. */
  readonly entra!: EntraConfig | null;
  /** Sign-in cookies: sealed with `key` (AES-256-GCM), valid for `ttlMs`. */
  readonly session!: { key: Buffer; ttlMs: number };
  readonly log!: { level: Env['LOG_LEVEL']; pretty: boolean };
  readonly demo!: { enabled: boolean };
  readonly simulator!: { enabled: boolean; port: number };
  readonly upstream!: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxAttempts: number;
    totalBudgetMs: number;
    breaker: { failureThreshold: number; windowMs: number; openMs: number };
  };
  readonly cache!: { refreshMs: number; staleMaxMs: number };
  readonly usage!: { flushMs: number; batchSize: number; queueMax: number };
  /** Cluster workers and the shared state (counters, budgets, positions, invalidation) behind them. */
  readonly scale!: { workers: number; redisUrl?: string; redisKeyPrefix: string };
  readonly shutdown!: { graceMs: number };
  /** 0: V8 sizes the heap by its own heuristic. */
  readonly runtime!: { heapGrowingPercent: number };
  /** `port` set: /metrics is served there without auth; otherwise on the main port behind the admin token. */
  readonly metrics!: { port?: number };
  readonly tracing!: { otlpEndpoint?: string; serviceName: string };

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }
}

const PLACEHOLDER_WORDS = /change-?me|placeholder|example|your[-_ ]|secret|password|xxxx/i;

/** Rejects the values people paste from docs, and low-entropy ones like "aaaa…". */
function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER_WORDS.test(value) || new Set(value).size < 10;
}

interface StoredSecrets {
  encryptionKey?: string;
  adminToken?: string;
}

/**
 * Development convenience: secrets not given are generated once and kept in DATA_DIR, so restarts keep
 * decrypting stored upstream keys and the printed admin token stays valid. Production must set both.
 */
function loadOrCreateSecrets(env: Env, dataDir: string, entraSignIn: boolean): { encryptionKey: string; adminToken: string | null; generated: boolean } {
  if (env.NODE_ENV === 'production') {
    // At least one admin credential: the automation token, or Entra ID sign-in (tenant, client, credential).
    const missing = [
      !env.ENCRYPTION_KEY && 'ENCRYPTION_KEY',
      !env.ADMIN_TOKEN && !entraSignIn && 'ADMIN_TOKEN',
    ].filter(Boolean);
    if (missing.length) {
      const alternative = missing.includes('ADMIN_TOKEN')
        ? ' (instead of ADMIN_TOKEN, Entra ID sign-in: ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET or a certificate)'
        : '';
      throw new Error(`Invalid configuration:\n  ${missing.join(', ')}: required in production${alternative}`);
    }
    const weak = (['ENCRYPTION_KEY', 'ADMIN_TOKEN'] as const).filter((name) => env[name] !== undefined && looksLikePlaceholder(env[name]));
    if (weak.length) {
      throw new Error(`Invalid configuration:\n${weak.map((n) => `  ${n}: looks like a placeholder; set a real secret`).join('\n')}`);
    }
    return { encryptionKey: env.ENCRYPTION_KEY!, adminToken: env.ADMIN_TOKEN ?? null, generated: false };
  }
  const file = join(dataDir, 'secrets.json');
  let stored: StoredSecrets = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
  const encryptionKey = env.ENCRYPTION_KEY ?? stored.encryptionKey ?? randomBytes(32).toString('base64url');
  const adminToken = env.ADMIN_TOKEN ?? stored.adminToken ?? `adm_${randomBytes(24).toString('base64url')}`;
  const next: StoredSecrets = {
    encryptionKey: env.ENCRYPTION_KEY ? stored.encryptionKey : encryptionKey,
    adminToken: env.ADMIN_TOKEN ? stored.adminToken : adminToken,
  };
  if (next.encryptionKey !== stored.encryptionKey || next.adminToken !== stored.adminToken) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(next, null, 2), { mode: 0o600 });
  }
  return { encryptionKey, adminToken, generated: !env.ADMIN_TOKEN };
}

/** Both halves of the GitHub OAuth app or neither: one alone is a typo, not a choice. */
function githubSignIn(env: Env): AppConfig['attendeeSignIn']['github'] {
  const { GITHUB_CLIENT_ID: clientId, GITHUB_CLIENT_SECRET: clientSecret } = env;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new Error(`Invalid configuration:\n  ${clientId ? 'GITHUB_CLIENT_SECRET' : 'GITHUB_CLIENT_ID'}: required when the other GitHub sign-in setting is set`);
  }
  const trim = (url: string) => url.replace(/\/+$/, '');
  return { clientId, clientSecret, oauthBaseUrl: trim(env.GITHUB_OAUTH_BASE_URL), apiBaseUrl: trim(env.GITHUB_API_BASE_URL) };
}

/** One per core by default; the embedded PGlite data directory can be opened by one process only, so it runs one. */
function workerCount(env: Env): number {
  if (env.DATABASE_URL) return env.WORKERS ?? availableParallelism();
  if ((env.WORKERS ?? 1) > 1) {
    throw new Error('Invalid configuration:\n  WORKERS: more than one worker needs DATABASE_URL (PostgreSQL); the embedded PGlite database is opened by one process only');
  }
  return 1;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const env = parseEnv(source);
  const dataDir = resolve(env.DATA_DIR);
  const entra = entraConfigFrom(env);
  const secrets = loadOrCreateSecrets(env, dataDir, entraCanSignIn(entra));
  const corsOrigins =
    env.CORS_ORIGINS.trim() === '*'
      ? '*'
      : env.CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean);
  const encryptionKey = createHash('sha256').update(secrets.encryptionKey).digest();
  return new AppConfig({
    env: env.NODE_ENV,
    http: {
      port: env.PORT,
      host: env.HOST,
      bodyLimit: env.BODY_LIMIT_BYTES,
      adminBodyLimit: env.ADMIN_BODY_LIMIT_BYTES,
      corsOrigins,
      publicUrl: env.PUBLIC_URL?.replace(/\/$/, ''),
      trustProxy: env.TRUST_PROXY,
    },
    registration: {
      rateLimit: env.REGISTRATION_RATE_LIMIT,
      failureLimit: env.REGISTRATION_FAILURE_LIMIT,
      rateWindowMs: env.REGISTRATION_RATE_WINDOW_S * 1000,
    },
    attendeeSignIn: { github: githubSignIn(env) },
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: join(dataDir, 'pglite') },
    dataDir,
    // Any string of 32+ chars is accepted; hashing gives exactly the 32 bytes AES-256 needs.
    secrets: {
      encryptionKey,
      // During a key rotation the old key(s) still decrypt; see `npm run secrets:rotate`.
      previousEncryptionKeys: (env.ENCRYPTION_KEY_PREVIOUS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => createHash('sha256').update(k).digest()),
      adminToken: secrets.adminToken,
      adminTokenGenerated: secrets.generated,
    },
    entra,
    session: { key: sessionKeyFrom(env.SESSION_SECRET, encryptionKey), ttlMs: env.SESSION_TTL_S * 1000 },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? false },
    demo: { enabled: env.DEMO },
    // The built-in simulator is a development aid: on by default except in production.
    simulator: { enabled: (env.SIMULATOR_ENABLED ?? env.NODE_ENV !== 'production') || env.DEMO, port: env.SIMULATOR_PORT },
    upstream: {
      connectTimeoutMs: env.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: env.UPSTREAM_BODY_TIMEOUT_MS,
      maxAttempts: env.UPSTREAM_MAX_ATTEMPTS,
      totalBudgetMs: env.UPSTREAM_TOTAL_BUDGET_MS,
      breaker: {
        failureThreshold: env.BREAKER_FAILURE_THRESHOLD,
        windowMs: env.BREAKER_WINDOW_MS,
        openMs: env.BREAKER_OPEN_MS,
      },
    },
    cache: { refreshMs: env.CACHE_REFRESH_MS, staleMaxMs: env.CATALOG_STALE_MAX_S * 1000 },
    usage: { flushMs: env.USAGE_FLUSH_MS, batchSize: env.USAGE_BATCH_SIZE, queueMax: env.USAGE_QUEUE_MAX },
    scale: { workers: workerCount(env), redisUrl: env.REDIS_URL, redisKeyPrefix: env.REDIS_KEY_PREFIX },
    shutdown: { graceMs: env.SHUTDOWN_GRACE_S * 1000 },
    runtime: { heapGrowingPercent: env.HEAP_GROWING_PERCENT },
    metrics: { port: env.METRICS_PORT },
    tracing: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
  });
}
