import type { CatalogResource } from '../catalog/catalog.types';
import type { RealtimeRequest } from './realtime-request';

/** The api-version for Azure's preview realtime URL when neither the client nor the resource names one. */
export const DEFAULT_REALTIME_PREVIEW_API_VERSION = '2025-04-01-preview';
const DATED = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

export interface RealtimeUpstreamTarget {
  resource: CatalogResource;
  /** Base URL actually used (the built-in simulator's when the resource names none). */
  baseUrl: string;
  /** Key actually used (the built-in simulator's when the resource has none). */
  apiKey: string | null;
}

export interface RealtimeUpstreamConnection {
  url: string;
  headers: Record<string, string>;
}

function wsBase(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * The upstream URL and headers for one backend, in the flavour the client speaks (frames are relayed
 * verbatim, so beta clients need a beta upstream): Azure GA `/openai/v1/realtime?model=`, Azure preview
 * `/openai/realtime?api-version=&deployment=`, OpenAI `/v1/realtime?model=`. The attendee's key never
 * travels upstream; the resource's key goes in `api-key` (Azure) or `Authorization: Bearer` (OpenAI).
 */
export function buildRealtimeUpstream(target: RealtimeUpstreamTarget, request: RealtimeRequest): RealtimeUpstreamConnection {
  const { resource, apiKey } = target;
  const url = wsBase(target.baseUrl);
  let path = url.pathname.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  const query = new URLSearchParams();
  if (resource.upstream === 'openai') {
    // Accept both "https://api.openai.com" and "https://api.openai.com/v1" as the configured endpoint.
    if (!/\/v\d+$/.test(path)) path += '/v1';
    path += '/realtime';
    query.set('model', resource.modelName ?? resource.deploymentName);
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  } else if (request.beta) {
    path += '/openai/realtime';
    const resourceVersion = resource.apiVersion && DATED.test(resource.apiVersion) ? resource.apiVersion : undefined;
    query.set('api-version', request.apiVersion ?? resourceVersion ?? DEFAULT_REALTIME_PREVIEW_API_VERSION);
    query.set('deployment', resource.deploymentName);
    if (apiKey) headers['api-key'] = apiKey;
  } else {
    // The GA URL refuses any api-version (401), so none is sent.
    path += '/openai/v1/realtime';
    query.set('model', resource.deploymentName);
    if (apiKey) headers['api-key'] = apiKey;
  }
  if (request.beta) headers['openai-beta'] = 'realtime=v1';
  for (const [name, value] of request.passThroughQuery) query.append(name, value);
  url.pathname = path;
  url.search = query.toString();
  return { url: url.toString(), headers };
}
