import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One small HTTP client for every call to the identity provider (metadata, keys, token endpoint), so
 * jose and MSAL share the same timeouts, size cap and TLS trust (Node's https agent, NODE_EXTRA_CA_CERTS).
 */
export function send(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method, headers: { accept: 'application/json', ...headers }, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) req.destroy(new Error(`identity provider answer from ${target.host} is too large`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`identity provider at ${target.host} did not answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** jose's `customFetch`: the subset of fetch it uses (GET, JSON body, status). */
export async function joseFetch(url: string, options: { headers: Headers; method: string; signal: AbortSignal }): Promise<Response> {
  const headers: Record<string, string> = {};
  options.headers.forEach((value, key) => (headers[key] = value));
  const res = await send('GET', url, headers);
  return new Response(res.body, { status: res.status, headers: res.headers });
}

function parseJson<T>(res: RawResponse): NetworkResponse<T> {
  let body: T;
  try {
    body = JSON.parse(res.body) as T;
  } catch {
    body = {} as T;
  }
  return { status: res.status, headers: res.headers, body };
}

/** MSAL's network module over the same client. */
export const msalNetworkModule: INetworkModule = {
  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return parseJson<T>(await send('GET', url, options?.headers ?? {}));
  },
  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return parseJson<T>(await send('POST', url, options?.headers ?? {}, options?.body));
  },
};
