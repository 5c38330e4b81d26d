import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

/** Paths that belong to the API: an unknown one answers Nest's JSON 404, never the portal's index.html. */
const API_PREFIXES = ['/api', '/v1', '/openai', '/docs', '/healthz', '/readyz'];
/** Angular's output hashing: `main-ABCD1234.js`, `chunk-…`, `styles-…`, `media/…-HASH.woff2`. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
const YEAR = 'public, max-age=31536000, immutable';

export function isApiPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/** Where `ng build` puts the portal, searched upwards so it works from src/ (tests) and dist/src/ (build). */
export function findUiRoot(from = __dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'admin-ui', 'dist', 'admin-ui', 'browser');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function cacheControlFor(path: string): string {
  if (path.endsWith('.html')) return 'no-cache';
  return HASHED.test(path) ? YEAR : 'public, max-age=3600';
}

/**
 * Serves the Angular portal's production build at `/`: hashed assets cached for a year, index.html
 * revalidated on every load, and client-side routes (e.g. /register/my-event) answered with index.html
 * when a browser navigates to them.
 * Does nothing when the build is missing, so the API runs without the UI. Call before `app.init()`.
 */
export async function serveUi(app: NestFastifyApplication, root = findUiRoot()): Promise<boolean> {
  const index = root ? join(root, 'index.html') : '';
  if (!root || !existsSync(index)) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Swagger registers @fastify/static too; the reply decorators may only be added once.
    decorateReply: false,
    // One route per file found at boot, so our own catch-all below decides what a miss means.
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    setHeaders: (reply, path) => reply.header('cache-control', cacheControlFor(path)),
  });
  const spaFallback = async (url: string, accept: string, reply: FastifyReply) => {
    const last = url.split('?', 1)[0].split('/').pop() ?? '';
    // Only a browser navigating (Accept: text/html) gets the portal; API paths, missing files (a dot in the
    // last segment) and programmatic clients (curl, SDKs: Accept */*) keep the JSON 404.
    if (isApiPath(url) || last.includes('.') || !accept.includes('text/html')) return reply.callNotFound();
    const html = await readFile(index);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  app.getHttpAdapter().getInstance().get('/*', (request, reply) => spaFallback(request.url, request.headers.accept ?? '', reply));
  return true;
}
