import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export interface SecurityHeaders {
  set: [name: string, value: string][];
  remove: string[];
}

/**
 * The headers helmet would write, worked out once. @fastify/helmet built helmet afresh (CSP directive
 * parsing included) on every request; with static options the answer never changes.
 */
export function securityHeaders(options: HelmetOptions): SecurityHeaders {
  const out: SecurityHeaders = { set: [], remove: [] };
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      out.set.push([name, String(value)]);
      return res;
    },
    removeHeader(name: string) {
      out.remove.push(name);
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return out;
}

export function applySecurityHeaders(headers: SecurityHeaders, res: ServerResponse): void {
  for (const name of headers.remove) res.removeHeader(name);
  for (const [name, value] of headers.set) res.setHeader(name, value);
}

/**
 * What an API answer (JSON, SSE, audio) needs, after OWASP's REST Security Cheat Sheet: no sniffing, no
 * framing, HTTPS pinned, readable cross-origin by browser SDKs. Helmet's other headers (COOP, DNS
 * prefetch, download options, XSS auditor, …) only act on HTML documents; leaving them off the proxy's
 * answers keeps ~450 bytes off each response and its header map out of every open stream's memory.
 */
export const API_SECURITY_HEADERS: SecurityHeaders = {
  set: [
    ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
    ['cross-origin-resource-policy', 'cross-origin'],
    ['referrer-policy', 'no-referrer'],
    ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
  ],
  remove: ['x-powered-by'],
};
