import type { FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { AppConfig } from '../../config/app-config';

/**
 * The control plane: the admin API, organiser and attendee sign-in, and registration. Everything else
 * (OpenAI/Azure-style proxy routes, uploads) is the data plane that browser SDKs call from any site.
 */
const CONTROL_PLANE = /^\/api\/v1\/(admin|auth|attendee)(\/|\?|$)|^\/api\/v1\/events\//;

export function isControlPlanePath(url: string): boolean {
  return CONTROL_PLANE.test(url);
}

/** Admin and sign-in bodies are small JSON; a lower cap there bounds what an unauthenticated caller can make us parse. */
export function controlPlaneBodyLimit(config: AppConfig): number {
  return Math.min(config.http.adminBodyLimit, config.http.bodyLimit);
}

const COMMON = {
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  // allowedHeaders unset: the preflight's requested headers are reflected (SDKs send many x-stainless-*).
  exposedHeaders: [
    'x-request-id',
    'retry-after',
    'retry-after-ms',
    'x-should-retry',
    'x-ratelimit-limit-requests',
    'x-ratelimit-remaining-requests',
    'x-ratelimit-reset-requests',
  ],
  maxAge: 600,
};

const EXPOSED = COMMON.exposedHeaders.join(', ');

/**
 * The CORS headers of a data-plane answer (not a preflight): the same for every request, so they are set
 * directly rather than through @fastify/cors's per-request option resolution, a measurable share of the
 * proxy's hot path. Matches what @fastify/cors sends for `origin: true`, `credentials: false`.
 */
export function dataPlaneCorsHeaders(origin: string | undefined): Record<string, string> {
  return origin ? { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED } : { vary: 'Origin', 'access-control-expose-headers': EXPOSED };
}

/**
 * @fastify/cors options per request. Proxy routes: any origin, never credentials. Control-plane routes:
 * with CORS_ORIGINS listed, only those origins, and with credentials so a portal hosted elsewhere can
 * send the sign-in cookie; with `*`, any origin but without credentials (bearer tokens only, as before).
 */
export function corsDelegate(config: AppConfig): FastifyCorsOptionsDelegateCallback {
  const allowed = config.http.corsOrigins;
  return (request, callback) => {
    if (!isControlPlanePath(request.url) || allowed === '*') {
      callback(null, { ...COMMON, origin: true, credentials: false });
      return;
    }
    callback(null, { ...COMMON, origin: allowed, credentials: true });
  };
}
