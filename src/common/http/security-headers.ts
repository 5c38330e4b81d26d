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
