import type { IncomingHttpHeaders } from 'node:http';
import { extractApiKey } from '../auth/key-extraction';

/** Which realtime URL the client used; it decides the upstream URL form and the protocol flavour. */
export type RealtimeFamily = 'azure-v1' | 'azure' | 'openai';

export const INSECURE_KEY_PROTOCOL = 'openai-insecure-api-key.';
export const BETA_PROTOCOL = 'openai-beta.realtime-v1';

/** Query parameters the proxy owns: credentials never go upstream, the rest it rebuilds per backend. */
const OWN_PARAMS = new Set(['api-key', 'api_key', 'key', 'authorization', 'model', 'deployment', 'api-version']);

export interface RealtimeRequest {
  family: RealtimeFamily;
  /** The requested deployment (`model`, or `deployment` on the preview URL); undefined when absent. */
  deployment?: string;
  /** The client's api-version (preview URL only). */
  apiVersion?: string;
  /** The client speaks the beta protocol (preview URL, `OpenAI-Beta: realtime=v1`, or the beta subprotocol). */
  beta: boolean;
  key?: string;
  /** Offered subprotocols, minus the one carrying a key. */
  protocols: string[];
  /** Query parameters passed through to the upstream (e.g. GA's `intent`, `call_id`). */
  passThroughQuery: [string, string][];
}

/** The family of a realtime path (optionally under `/api/v1`), or undefined when it is not a realtime endpoint. */
export function realtimeFamily(pathname: string): RealtimeFamily | undefined {
  let path = pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  if (path.startsWith('/api/v1/')) path = path.slice('/api/v1'.length);
  switch (path) {
    case '/openai/v1/realtime':
      return 'azure-v1';
    case '/openai/realtime':
      return 'azure';
    case '/v1/realtime':
      return 'openai';
    default:
      return undefined;
  }
}

function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  return typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

/**
 * The attendee key in any form a realtime client sends it: `api-key` header, `Authorization: Bearer`,
 * `?api-key=` / `?key=` (browsers cannot set headers), or the subprotocol `openai-insecure-api-key.<key>`.
 */
export function realtimeKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const fromHeaders = extractApiKey(headers);
  if (fromHeaders) return fromHeaders;
  for (const name of ['api-key', 'key']) {
    const value = query.get(name)?.trim();
    if (value) return value;
  }
  const protocol = offeredProtocols(headers).find((p) => p.startsWith(INSECURE_KEY_PROTOCOL));
  const key = protocol?.slice(INSECURE_KEY_PROTOCOL.length).trim();
  return key || undefined;
}

/** Reads a realtime handshake; undefined when the URL is not a realtime endpoint. */
export function readRealtimeRequest(url: string, headers: IncomingHttpHeaders): RealtimeRequest | undefined {
  let parsed: URL;
  try {
    // Concatenated, not resolved: a path starting with // must not become a host.
    parsed = new URL(`http://localhost${url.startsWith('/') ? url : `/${url}`}`);
  } catch {
    return undefined;
  }
  const family = realtimeFamily(parsed.pathname);
  if (!family) return undefined;
  const query = parsed.searchParams;
  const protocols = offeredProtocols(headers);
  const deployment = (family === 'azure' ? (query.get('deployment') ?? query.get('model')) : query.get('model'))?.trim() || undefined;
  const betaHeader = /realtime=v1/i.test(String(headers['openai-beta'] ?? ''));
  return {
    family,
    deployment,
    apiVersion: family === 'azure' ? (query.get('api-version') ?? undefined) : undefined,
    beta: family === 'azure' || betaHeader || protocols.includes(BETA_PROTOCOL),
    key: realtimeKey(headers, query),
    protocols: protocols.filter((p) => !p.startsWith(INSECURE_KEY_PROTOCOL)),
    passThroughQuery: [...query.entries()].filter(([name]) => !OWN_PARAMS.has(name.toLowerCase())),
  };
}

/** The subprotocol to echo: `realtime` (what SDKs and browsers offer), else the beta marker, never a key. */
export function chooseClientProtocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  if (list.includes('realtime')) return 'realtime';
  if (list.includes(BETA_PROTOCOL)) return BETA_PROTOCOL;
  return false;
}

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

/** The checks `ws` would make, done before any upstream is opened; a message when the handshake is malformed. */
export function handshakeProblem(method: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  if (method !== 'GET') return 'A WebSocket handshake must be a GET request.';
  if (String(headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'The Upgrade header must be "websocket".';
  if (!WS_KEY.test(String(headers['sec-websocket-key'] ?? ''))) return 'The Sec-WebSocket-Key header is missing or malformed.';
  const version = String(headers['sec-websocket-version'] ?? '');
  if (version !== '13' && version !== '8') return 'Unsupported Sec-WebSocket-Version; use 13.';
  return undefined;
}
