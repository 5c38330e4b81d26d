import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { authorize } from './auth';
import { type Surface, SimulatedError, errors } from './errors';
import { FaultHeaderError, type HeaderBag, type ResolvedFaults, resolveFaults } from './faults';
import { type MultipartPart, MultipartError, boundaryOf, multipartFields, parseMultipart } from './multipart';
import { type JsonObject, isObject } from './prompt';
import { NOMINAL_REMAINING } from './rate-limiter';
import type { DeploymentConfig, RateLimitConfig, SimulatorConfig } from './simulator.config';
import type { SimulatorState } from './simulator.state';
import { SseWriter, playStream } from './stream-writer';
import type { StreamPlan } from './sse';

export type Operation =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'images'
  | 'transcriptions'
  | 'translations'
  | 'speech'
  | 'responses';

/** Azure's operation names, which its 429 message quotes. */
const AZURE_OPERATION_NAMES: Record<Operation, string> = {
  chat: 'ChatCompletions_Create',
  completions: 'Completions_Create',
  embeddings: 'Embeddings_Create',
  images: 'ImageGenerations_Create',
  transcriptions: 'Transcriptions_Create',
  translations: 'Translations_Create',
  speech: 'Speech_Create',
  responses: 'Responses_Create',
};

export interface OperationContext {
  state: SimulatorState;
  config: SimulatorConfig;
  surface: Surface;
  operation: Operation;
  deployment: string;
  model: string;
  /** JSON body, or the plain fields of a multipart body. */
  body: JsonObject;
  parts: MultipartPart[];
  faults: ResolvedFaults;
  annotations: boolean;
  created: number;
  stream: boolean;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Response headers for a success: request ids, region, rate-limit remainders. */
  headers: Record<string, string>;
}

export interface OperationHandler {
  /** Tokens charged to the rate limiter on arrival. */
  estimateTokens(body: JsonObject): number;
  /** Text checked against content_filter_regex; absent for operations Azure does not filter. */
  promptText?(body: JsonObject): string;
  /** Images answer a filtered prompt with content_policy_violation instead of content_filter. */
  filterStyle?: 'image';
  /** Multipart operations parse their body as form fields plus files. */
  multipart?: boolean;
  handle(ctx: OperationContext): Promise<void>;
}

export interface RouteTarget {
  surface: Surface;
  operation: Operation;
  /** The deployment named in the path (Azure dated); otherwise it comes from the body's `model`. */
  pathDeployment?: string;
}

const DATED_API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The ids and region every Azure response carries; OpenAI carries only x-request-id. */
export function baseHeaders(state: SimulatorState, surface: Surface, request: FastifyRequest): Record<string, string> {
  const requestId = state.random.uuid();
  const headers: Record<string, string> =
    surface === 'openai'
      ? { 'x-request-id': `req_${requestId.replaceAll('-', '')}`, 'openai-version': '2020-10-01' }
      : { 'apim-request-id': requestId, 'x-request-id': requestId, 'x-ms-region': state.config.region };
  const clientRequestId = (request.headers as HeaderBag)['x-ms-client-request-id'];
  if (surface !== 'openai' && typeof clientRequestId === 'string') headers['x-ms-client-request-id'] = clientRequestId;
  return headers;
}

function checkApiVersion(surface: Surface, request: FastifyRequest): void {
  const version = queryValue(request, 'api-version');
  if (surface === 'azure' && (version === undefined || !DATED_API_VERSION.test(version))) throw errors.resourceNotFound();
  if (surface === 'azure-v1' && version !== undefined && version !== 'v1' && version !== 'preview') {
    throw new SimulatedError(400, { error: { code: 'BadRequest', message: 'API version not supported' } });
  }
}

function readBody(request: FastifyRequest, handler: OperationHandler): { body: JsonObject; parts: MultipartPart[] } {
  if (handler.multipart) {
    const boundary = boundaryOf(request.headers['content-type']);
    if (!Buffer.isBuffer(request.body) || boundary === undefined) {
      throw errors.badRequest('Expected a multipart/form-data body.', 'file');
    }
    try {
      const parts = parseMultipart(request.body, boundary);
      return { body: multipartFields(parts), parts };
    } catch (error) {
      if (error instanceof MultipartError) throw errors.badRequest(error.message);
      throw error;
    }
  }
  if (!isObject(request.body)) throw errors.badRequest('We could not parse the JSON body of your request.');
  return { body: request.body, parts: [] };
}

/** Finds the deployment; OpenAI's /v1 also matches by underlying model name. */
export function resolveDeployment(config: SimulatorConfig, surface: Surface, name: string): DeploymentConfig {
  const own = config.deployments[name];
  if (own) return own;
  if (surface === 'openai') {
    const byModel = Object.values(config.deployments).find((deployment) => deployment.model === name);
    if (byModel) return byModel;
  }
  if (config.allowUndefinedDeployments) return { model: name };
  throw surface === 'openai' ? errors.modelNotFound(name) : errors.deploymentNotFound();
}

function chargeRateLimit(ctx: OperationContext, handler: OperationHandler, deployment: DeploymentConfig): void {
  const own: RateLimitConfig | undefined = deployment.tpm !== undefined || deployment.rpm !== undefined ? { tpm: deployment.tpm, rpm: deployment.rpm } : undefined;
  const limit = ctx.faults.rateLimitOverride ?? own ?? ctx.config.faults.rate_limit;
  if (limit === undefined || (limit.tpm === undefined && limit.rpm === undefined)) {
    ctx.headers['x-ratelimit-remaining-requests'] = String(NOMINAL_REMAINING.requests);
    ctx.headers['x-ratelimit-remaining-tokens'] = String(NOMINAL_REMAINING.tokens);
    return;
  }
  const decision = ctx.state.rateLimiter.consume(
    ctx.deployment,
    { tpm: limit.tpm, rpm: limit.rpm, windowS: limit.window_s ?? 60 },
    handler.estimateTokens(ctx.body),
  );
  if (!decision.allowed) {
    throw errors.rateLimited(ctx.surface, {
      retryAfterMs: decision.retryAfterS * 1000,
      reason: decision.reason,
      deployment: ctx.deployment,
      operation: AZURE_OPERATION_NAMES[ctx.operation],
      apiVersion: queryValue(ctx.request, 'api-version') ?? 'v1',
    });
  }
  ctx.headers['x-ratelimit-remaining-requests'] = String(decision.remainingRequests);
  ctx.headers['x-ratelimit-remaining-tokens'] = String(decision.remainingTokens);
}

function injectFailure(ctx: OperationContext): void {
  const rule = ctx.state.failures.take(ctx.faults);
  if (!rule) return;
  if (rule.status === 429) {
    throw errors.rateLimited(ctx.surface, {
      retryAfterMs: rule.retry_after_ms ?? 1000,
      reason: 'tokens',
      deployment: ctx.deployment,
      operation: AZURE_OPERATION_NAMES[ctx.operation],
      apiVersion: queryValue(ctx.request, 'api-version') ?? 'v1',
    });
  }
  throw errors.injected(ctx.surface, rule.status);
}

function applyContentFilter(ctx: OperationContext, handler: OperationHandler): void {
  if (!ctx.faults.contentFilter || !handler.promptText) return;
  const prompt = handler.promptText(ctx.body);
  if (!ctx.faults.contentFilter.test(prompt)) return;
  throw handler.filterStyle === 'image' ? errors.imagePolicyViolation(prompt) : errors.contentFilter();
}

export async function delay(faults: Pick<ResolvedFaults, 'latencyMs' | 'jitterMs'>, state: SimulatorState): Promise<void> {
  const ms = faults.latencyMs + (faults.jitterMs > 0 ? state.random.int(faults.jitterMs + 1) : 0);
  if (ms > 0) await sleep(ms, undefined, { signal: state.closing.signal });
}

export function sendError(reply: FastifyReply, error: SimulatedError, headers: Record<string, string>): FastifyReply {
  return reply.code(error.status).headers({ ...headers, ...error.headers }).send(error.body);
}

/**
 * One model request, checks in a fixed order: auth, api-version, body, deployment, then the fault knobs
 * in UPSTREAM.md §8 order (latency, rate limit, fail_next, content filter); the handler applies the
 * stream faults while it writes.
 */
export async function runOperation(state: SimulatorState, target: RouteTarget, handler: OperationHandler, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const config = state.config;
  const surface = target.surface;
  const headers = baseHeaders(state, surface, request);
  try {
    authorize(surface, request.headers, config);
    checkApiVersion(surface, request);
    const faults = resolveFaults(config.faults, request.headers);
    if (faults.xShouldRetry !== undefined) headers['x-should-retry'] = String(faults.xShouldRetry);
    const { body, parts } = readBody(request, handler);
    const name = target.pathDeployment ?? body['model'];
    if (typeof name !== 'string' || name === '') throw errors.badRequest('you must provide a model parameter', 'model');
    const deployment = resolveDeployment(config, surface, name);
    const annotations = faults.azureAnnotations ?? (config.azureAnnotations === 'auto' ? surface !== 'openai' : config.azureAnnotations);
    const ctx: OperationContext = {
      state,
      config,
      surface,
      operation: target.operation,
      deployment: name,
      model: deployment.model,
      body,
      parts,
      faults,
      annotations,
      created: state.createdAt(),
      stream: body['stream'] === true,
      request,
      reply,
      headers: { ...headers },
    };
    await delay(faults, state);
    chargeRateLimit(ctx, handler, deployment);
    injectFailure(ctx);
    applyContentFilter(ctx, handler);
    await handler.handle(ctx);
  } catch (error) {
    if (error instanceof FaultHeaderError) {
      sendError(reply, errors.badRequest(error.message, error.header), headers);
      return;
    }
    if (error instanceof SimulatedError) {
      sendError(reply, error, headers);
      return;
    }
    throw error;
  }
}

/** A non-stream success (JSON, text or bytes); drop_after closes the connection instead of answering. */
export async function sendBody(ctx: OperationContext, body: unknown): Promise<void> {
  if (ctx.faults.dropAfter !== undefined) {
    ctx.reply.hijack();
    new SseWriter(ctx.reply.raw).drop();
    return;
  }
  await ctx.reply.code(200).headers(ctx.headers).send(body);
}

export async function sendStream(ctx: OperationContext, plan: StreamPlan): Promise<void> {
  ctx.reply.hijack();
  const res = ctx.reply.raw;
  res.writeHead(200, {
    ...ctx.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  try {
    await playStream(new SseWriter(res), plan, ctx.faults, ctx.state.closing.signal);
  } catch (err) {
    // Closing mid-stream (tests tearing down) just ends the socket.
    if (!ctx.state.closing.signal.aborted) throw err;
    res.destroy();
  }
}
