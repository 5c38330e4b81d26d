import type { CatalogResource } from '../../catalog/catalog.types';
import { DEFAULT_AZURE_API_VERSION } from '../../resources/resource.types';
import { OPERATIONS, type Operation } from '../proxy-operations';

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamTarget {
  resource: CatalogResource;
  /** Base URL actually used (the built-in simulator's when the resource names none). */
  baseUrl: string;
  /** Key actually used (the built-in simulator's when the resource has none). */
  apiKey: string | null;
}

/** Reasoning models reject max_tokens; they take max_completion_tokens. */
export function usesMaxCompletionTokens(resource: CatalogResource): boolean {
  const name = resource.modelName ?? resource.deploymentName;
  return /^(o\d|gpt-5)/i.test(name);
}

function openAiBase(baseUrl: string): string {
  // Accept both "https://api.openai.com" and "https://api.openai.com/v1" as the configured endpoint.
  return /\/v\d+$/.test(new URL(baseUrl).pathname) ? baseUrl : `${baseUrl}/v1`;
}

/**
 * Translates a client request into the upstream's dialect. The attendee's credentials are never
 * copied; every body field the proxy does not own passes through untouched.
 */
export function buildUpstreamRequest(
  target: UpstreamTarget,
  operation: Operation,
  body: Record<string, unknown>,
  clientApiVersion: string | undefined,
): UpstreamRequest {
  const { resource, baseUrl, apiKey } = target;
  const spec = OPERATIONS[operation];
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (resource.upstream === 'openai') {
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    return {
      url: `${openAiBase(baseUrl)}/${spec.path}`,
      headers,
      body: JSON.stringify({ ...body, model: resource.modelName ?? resource.deploymentName }),
    };
  }
  if (apiKey) headers['api-key'] = apiKey;
  const apiVersion = encodeURIComponent(clientApiVersion ?? resource.apiVersion ?? DEFAULT_AZURE_API_VERSION);
  const deployment = encodeURIComponent(resource.deploymentName);
  // Azure selects the model by the path; a client's `model` (an alias, say) would only confuse logs.
  const { model: _model, ...rest } = body;
  return {
    url: `${baseUrl}/openai/deployments/${deployment}/${spec.path}?api-version=${apiVersion}`,
    headers,
    body: JSON.stringify(rest),
  };
}

/** Whether an Azure api-version accepts `stream_options` (added in 2024-09-01-preview). */
export function supportsStreamOptions(resource: CatalogResource, clientApiVersion: string | undefined): boolean {
  if (resource.upstream === 'openai') return true;
  const version = clientApiVersion ?? resource.apiVersion ?? DEFAULT_AZURE_API_VERSION;
  const date = /^(\d{4}-\d{2}-\d{2})/.exec(version)?.[1];
  if (!date) return true; // "v1", "preview", "latest": current surfaces accept it.
  return date >= '2024-09-01';
}
