import type { Readable } from 'node:stream';
import type { CatalogResource } from '../../catalog/catalog.types';
import { DEFAULT_AZURE_API_VERSION } from '../../resources/resource.types';
import { openPlannedBody, planModelRewrite } from '../multipart/multipart-body';
import type { SpooledUpload } from '../multipart/multipart-spool';
import { OPERATIONS, type Operation, type RouteFamily } from '../proxy-operations';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

/** The Azure AI Search api-version used when neither the resource nor the client names one. */
export const DEFAULT_SEARCH_API_VERSION = '2024-07-01';
/** The last api-version that serves `extensions/chat/completions` (later ones take data_sources on chat/completions). */
export const EXTENSIONS_API_VERSION = '2023-12-01-preview';

/** A body streamed from the spooled upload; open() gives a fresh stream for each attempt. */
export interface StreamedBody {
  length: number;
  open(): Readable;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string | StreamedBody;
}

export interface UpstreamTarget {
  resource: CatalogResource;
  /** Base URL actually used (the built-in simulator's when the resource names none). */
  baseUrl: string;
  /** Key actually used (the built-in simulator's when the resource has none). */
  apiKey: string | null;
}

/** What the client sent, as the proxy will forward it. */
export type UpstreamBody =
  | { kind: 'json'; value: Record<string, unknown> }
  | { kind: 'multipart'; upload: Pick<SpooledUpload, 'path' | 'contentType' | 'layout'> }
  | { kind: 'none' };

export interface UpstreamCall {
  operation: Operation;
  family: RouteFamily;
  /** The client's api-version, if any. */
  apiVersion?: string;
  /** GET search: the client's query string (without `?`), forwarded. */
  query?: string;
  /** Search: the client's Accept header (it picks the OData metadata level). */
  accept?: string;
  /** Azure AI Inference: the client's `extra-parameters` header. */
  extraParameters?: string;
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

const ACCEPT_JSON = 'application/json, text/event-stream';

/** JSON.stringify, except that a body nested beyond what it can recurse into is the caller's 400, not our 500. */
function serialize(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new DomainError(ErrorCode.ValidationFailed, 'The request body is nested too deeply.');
    }
    throw err;
  }
}

/** The body with `model` set (OpenAI-compatible upstreams) or removed (null: Azure reads the path). */
function withModel(body: UpstreamBody, model: string | null): { body?: string | StreamedBody; contentType?: string } {
  switch (body.kind) {
    case 'none':
      return {};
    case 'json': {
      const { model: _model, ...rest } = body.value;
      return { body: serialize(model === null ? rest : { ...body.value, model }), contentType: 'application/json' };
    }
    case 'multipart': {
      const { path, layout, contentType } = body.upload;
      const plan = planModelRewrite(layout, model);
      return { body: { length: plan.length, open: () => openPlannedBody(path, plan) }, contentType };
    }
  }
}

/** The client's search query string with our api-version and without any key a client put there. */
export function searchQueryString(query: string | undefined, apiVersion: string): string {
  const params = new URLSearchParams(query ?? '');
  for (const name of ['api-key', 'key', 'api-version']) params.delete(name);
  params.set('api-version', apiVersion);
  return params.toString();
}

/**
 * Translates a client request into the upstream's dialect. The attendee's credentials are never
 * copied; every body field the proxy does not own passes through untouched.
 */
export function buildUpstreamRequest(target: UpstreamTarget, call: UpstreamCall, body: UpstreamBody): UpstreamRequest {
  const { resource, apiKey } = target;
  const baseUrl = target.baseUrl.replace(/\/+$/, '');
  const spec = OPERATIONS[call.operation];
  const headers: Record<string, string> = { accept: spec.response === 'bytes' ? '*/*' : ACCEPT_JSON };

  if (spec.upstream === 'search') {
    // Azure AI Search: the index is the deployment name; the key goes in api-key whatever the kind.
    if (apiKey) headers['api-key'] = apiKey;
    headers.accept = call.accept ?? 'application/json';
    const apiVersion = call.apiVersion ?? resource.apiVersion ?? DEFAULT_SEARCH_API_VERSION;
    const index = `${baseUrl}/indexes/${encodeURIComponent(resource.deploymentName)}`;
    if (spec.method === 'GET') return { method: 'GET', url: `${index}/${spec.path}?${searchQueryString(call.query, apiVersion)}`, headers };
    const out = withModel(body, null);
    if (out.contentType) headers['content-type'] = out.contentType;
    return { method: 'POST', url: `${index}/${spec.path}?api-version=${encodeURIComponent(apiVersion)}`, headers, body: out.body };
  }

  if (spec.upstream === 'inference') {
    // Azure AI Inference (serverless and Foundry model endpoints) takes the key as a bearer token and picks
    // the deployment from azureml-model-deployment; `model` in the body names it too on multi-model endpoints.
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    headers['azureml-model-deployment'] = resource.deploymentName;
    if (call.extraParameters) headers['extra-parameters'] = call.extraParameters;
    const out = withModel(body, resource.deploymentName);
    if (out.contentType) headers['content-type'] = out.contentType;
    const apiVersion = call.apiVersion ?? resource.apiVersion ?? undefined;
    const query = apiVersion ? `?api-version=${encodeURIComponent(apiVersion)}` : '';
    return { method: spec.method, url: `${baseUrl}/${spec.path}${query}`, headers, body: out.body };
  }

  if (resource.upstream === 'openai') {
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const out = withModel(body, resource.modelName ?? resource.deploymentName);
    if (out.contentType) headers['content-type'] = out.contentType;
    return { method: spec.method, url: `${openAiBase(baseUrl)}/${spec.path}`, headers, body: out.body };
  }

  if (apiKey) headers['api-key'] = apiKey;
  if (spec.upstream === 'responses') {
    // Azure's Responses API names the deployment in the body; the dated preview form only when the client used it.
    const out = withModel(body, resource.deploymentName);
    if (out.contentType) headers['content-type'] = out.contentType;
    const url =
      call.family === 'azure' && call.apiVersion !== undefined
        ? `${baseUrl}/openai/${spec.path}?api-version=${encodeURIComponent(call.apiVersion)}`
        : `${baseUrl}/openai/v1/${spec.path}`;
    return { method: 'POST', url, headers, body: out.body };
  }
  const fallbackVersion = call.operation === 'chatExtensions' ? EXTENSIONS_API_VERSION : (resource.apiVersion ?? DEFAULT_AZURE_API_VERSION);
  const apiVersion = encodeURIComponent(call.apiVersion ?? fallbackVersion);
  const deployment = encodeURIComponent(resource.deploymentName);
  // Azure selects the model by the path; a client's `model` (an alias, say) would only confuse logs.
  const out = withModel(body, null);
  if (out.contentType) headers['content-type'] = out.contentType;
  return { method: spec.method, url: `${baseUrl}/openai/deployments/${deployment}/${spec.path}?api-version=${apiVersion}`, headers, body: out.body };
}

/** Whether an Azure api-version accepts `stream_options` (added in 2024-09-01-preview). */
export function supportsStreamOptions(resource: CatalogResource, clientApiVersion: string | undefined): boolean {
  if (resource.upstream === 'openai') return true;
  const version = clientApiVersion ?? resource.apiVersion ?? DEFAULT_AZURE_API_VERSION;
  const date = /^(\d{4}-\d{2}-\d{2})/.exec(version)?.[1];
  if (!date) return true; // "v1", "preview", "latest": current surfaces accept it.
  return date >= '2024-09-01';
}
