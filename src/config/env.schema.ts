import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the product reads. Parsed once at boot; nothing else reads process.env. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Organiser sign-in with Microsoft Entra ID (see README "Organiser sign-in").
  ENTRA_TENANT_ID: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a tenant id (GUID) or domain').optional(),
  ENTRA_CLIENT_ID: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be the application (client) id').optional(),
  ENTRA_CLIENT_SECRET: z.string().min(1).optional(),
  ENTRA_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
  ENTRA_REDIRECT_URL: z.url().optional(),
  ENTRA_AUTHORITY_HOST: z.url().default('https://login.microsoftonline.com'),
  ENTRA_AUDIENCE: z.string().min(1).optional(),
  ENTRA_ADMIN_ROLE: z.string().min(1).default('AIProxy.Admin'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_S: int(60, 30 * 86_400).default(8 * 3600),
  ADMIN_BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  CORS_ORIGINS: z.string().default('*'),
  TRUST_PROXY: bool.default(false),
  REGISTRATION_RATE_LIMIT: int(1, 100_000).default(300),
  REGISTRATION_FAILURE_LIMIT: int(1, 100_000).default(10),
  REGISTRATION_RATE_WINDOW_S: int(1, 86_400).default(60),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_OAUTH_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://github.com'),
  GITHUB_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  DEMO: bool.default(false),
  SIMULATOR_ENABLED: bool.optional(),
  SIMULATOR_PORT: int(0, 65535).default(0),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: int(100, 600_000).default(120_000),
  UPSTREAM_BODY_TIMEOUT_MS: int(100, 3_600_000).default(300_000),
  UPSTREAM_MAX_ATTEMPTS: int(1, 20).default(3),
  UPSTREAM_TOTAL_BUDGET_MS: int(100, 3_600_000).default(180_000),
  BREAKER_FAILURE_THRESHOLD: int(1, 1000).default(5),
  BREAKER_WINDOW_MS: int(100, 3_600_000).default(30_000),
  BREAKER_OPEN_MS: int(100, 3_600_000).default(15_000),
  CACHE_REFRESH_MS: int(100, 60_000).default(1_000),
  USAGE_FLUSH_MS: int(10, 60_000).default(500),
  USAGE_BATCH_SIZE: int(1, 10_000).default(500),
  /** Worker processes behind one port; unset means one per core, 1 keeps a single process. */
  WORKERS: int(1, 256).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().max(100).default('aiproxy:'),
  USAGE_QUEUE_MAX: int(100, 10_000_000).default(200_000),
  CATALOG_STALE_MAX_S: int(1, 86_400).default(900),
  SHUTDOWN_GRACE_S: int(0, 3_600).default(30),
  /** How far V8 lets the heap grow past the live data before a full collection; 0 keeps V8's own heuristic. */
  HEAP_GROWING_PERCENT: int(0, 1_000).default(0),
  METRICS_PORT: int(0, 65535).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('ai-proxy'),
});

export type Env = z.infer<typeof envSchema>;

/** Names the bad variables so an operator can fix them without reading code. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (a common docker/compose habit).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
