import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttendeePrincipal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogEvent, CatalogResource } from '../catalog/catalog.types';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { dayKey } from '../events/event-window';
import { AttemptTelemetry, ProxyTelemetry, RequestTelemetry } from '../observability/proxy-telemetry';
import { BuiltinSimulator } from '../simulator/builtin-simulator.service';
import type { Ticket } from '../usage/daily-counters';
import { countsTokens, hasTokenLimits, tokenReservation } from '../usage/token-budget';
import { estimatePromptTokens } from '../usage/token-estimator';
import { UsageService } from '../usage/usage.service';
import { BackendHealthService } from './load-balancing/backend-health.service';
import { LoadBalancer } from './load-balancing/load-balancer';
import { MultipartError } from './multipart/multipart-scanner';
import { spoolMultipart, SpooledUpload, UploadAborted, UploadTooLarge } from './multipart/multipart-spool';
import { OPERATIONS, OperationSpec, ProxyCall, RouteFamily } from './proxy-operations';
import { proxyErrors } from './proxy.errors';
import { relayBuffered, relayBytes, relayStream, RelayOutcome } from './response-relay';
import { retryAfterMs } from './upstream/retry-after';
import { UpstreamClient, UpstreamResponse } from './upstream/upstream-client';
import { DEFAULT_AZURE_API_VERSION } from '../resources/resource.types';
import {
  buildUpstreamRequest,
  DEFAULT_SEARCH_API_VERSION,
  supportsStreamOptions,
  UpstreamBody,
  UpstreamCall,
  UpstreamTarget,
  usesMaxCompletionTokens,
} from './upstream/upstream-request';

/** Azure's dated api-versions (2024-10-21, 2025-04-01-preview); anything else would only earn an upstream 404. */
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
/** Statuses after which another backend may well succeed. */
const FAILOVER_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** The upstream refused *our* credentials or lacks the deployment: a configuration fault, not the caller's. */
const MISCONFIGURED_STATUSES = new Set([401, 403, 404]);
/**
 * A 404 also comes back for a well-formed api-version the upstream does not offer. When the caller chose a
 * version other than the resource's own, the 404 is the caller's: it fails over but does not count toward
 * the backend's breaker, and if every backend says so the caller gets the 404.
 */
function callersVersion(call: UpstreamCall, resource: CatalogResource): boolean {
  const own = resource.apiVersion ?? (call.family === 'search' ? DEFAULT_SEARCH_API_VERSION : DEFAULT_AZURE_API_VERSION);
  return call.apiVersion !== undefined && call.apiVersion !== own;
}
/** Also a configuration fault: a redirect means a wrong endpoint URL, and clients must never see a 3xx. */
const isMisconfigured = (status: number) => MISCONFIGURED_STATUSES.has(status) || (status >= 300 && status < 400);
/** Cooldown for a 429 that names no retry-after. */
const DEFAULT_429_COOLDOWN_MS = 1_000;
const TOKEN_FIELDS = { max_tokens: ['max_tokens', 'max_completion_tokens'], max_output_tokens: ['max_output_tokens'] } as const;
/** OpenAI's upload limit for audio files (Azure's Whisper: 25 MB too). */
const MAX_AUDIO_FILE_BYTES = 25 * 1024 * 1024;
/** The file plus the other fields and the multipart framing. */
const MAX_AUDIO_BODY_BYTES = MAX_AUDIO_FILE_BYTES + 1024 * 1024;
/** A refused upload is read and dropped up to this size, so the client sees the 413; beyond it the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

class ClientClosed extends Error {}
class BudgetExceeded extends Error {}

interface Dispatched {
  res: UpstreamResponse;
  resource: CatalogResource;
  controller: AbortController;
  attempts: number;
  /** The winning attempt's telemetry, ended with the request. */
  attempt?: AttemptTelemetry;
}

/** Mutable facts about one request, written to the usage record when it ends. */
interface Draft {
  /** The x-request-id the client sees, so a complaint about one answer finds its record. */
  requestId: string;
  deployment: string;
  resourceId: string | null;
  status: number;
  errorCode: string | null;
  counted: boolean;
  attempts: number;
  streamed: boolean;
  ttfbMs: number | null;
  outcome?: RelayOutcome;
  /** The admission's reservation, settled to the real usage (or released) when the request ends. */
  ticket?: Ticket;
}

@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly balancer: LoadBalancer,
    private readonly health: BackendHealthService,
    private readonly client: UpstreamClient,
    private readonly usage: UsageService,
    private readonly simulator: BuiltinSimulator,
    private readonly config: AppConfig,
    private readonly telemetry: ProxyTelemetry,
  ) {}

  async handle(call: ProxyCall, principal: AttendeePrincipal, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const started = performance.now();
    const now = new Date();
    const { event, attendee } = principal;
    const day = dayKey(now, event.timeZone);
    const draft: Draft = {
      requestId: String(request.id),
      deployment: call.deployment ?? '',
      resourceId: null,
      status: 0,
      errorCode: null,
      counted: false,
      attempts: 0,
      streamed: false,
      ttfbMs: null,
    };
    const spec = OPERATIONS[call.operation];
    const observed = this.telemetry.begin(call.operation, `${call.family}:${spec.path}`, event.id, draft.requestId);
    /** The JSON body, or the text fields of a multipart upload. */
    let body: Record<string, unknown> = {};
    let upload: SpooledUpload | undefined;
    const admitDeployment = (requested: string) => {
      draft.deployment = requested.slice(0, 128);
      const found = this.resolveDeployment(event, requested, call.family);
      draft.deployment = found.name;
      if (!spec.classes.includes(found.resources[0].modelClass)) throw proxyErrors.wrongClass(found.name, found.resources[0].modelClass, spec.path);
      return found;
    };
    try {
      // A deployment named in the path is checked before an upload is read, so a refusal costs no upload.
      const early = call.deployment === undefined ? undefined : admitDeployment(call.deployment);
      if (spec.body === 'multipart') {
        upload = await this.spool(request);
        body = upload.fields;
        if (!upload.hasPart('file')) throw proxyErrors.fileRequired();
      } else if (spec.body === 'json') {
        body = this.requireObject(request.body);
      }
      const { name, resources } = early ?? admitDeployment(this.modelOf(body));
      if (call.apiVersion !== undefined && !API_VERSION.test(call.apiVersion)) throw proxyErrors.badApiVersion();
      const needsCap = spec.tokenCap !== undefined && this.checkTokenCap(body, event.maxTokenCap, spec.tokenCap);

      // One atomic step over the daily request cap and the token budgets (shared by every worker and replica).
      const metered = countsTokens(spec);
      const reserve = metered && hasTokenLimits(event.tokenLimits) ? tokenReservation(body, spec, event.maxTokenCap) : 0;
      const { admission, resetsAt } = await this.usage.admitAt(event, attendee.id, day, now, reserve, metered);
      if (!admission.ok && admission.limit !== 'requests-per-day') {
        throw proxyErrors.tokenLimit(admission.limit, admission.cap, admission.retryAfterMs, admission.limit.endsWith('per-day'));
      }
      const limitHeaders = {
        'x-ratelimit-limit-requests': String(event.dailyRequestCap),
        'x-ratelimit-remaining-requests': String(Math.max(0, event.dailyRequestCap - admission.used)),
      };
      void reply.headers(limitHeaders);
      if (!admission.ok) throw proxyErrors.dailyCap(event.dailyRequestCap, resetsAt, resetsAt.getTime() - now.getTime(), limitHeaders);
      draft.ticket = admission.ticket;
      draft.counted = true;

      const wantsStream = body.stream === true;
      const clientWantsUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
      const bodyFor = (resource: CatalogResource): UpstreamBody => {
        if (upload) return { kind: 'multipart', upload };
        if (spec.body === 'none') return { kind: 'none' };
        let out = body;
        if (needsCap) out = { ...out, [this.capField(spec, resource)]: event.maxTokenCap };
        // Ask for the usage chunk so streamed answers are metered exactly; stripped below if unasked.
        if (wantsStream && spec.streamOptions && supportsStreamOptions(resource, call.apiVersion)) {
          out = { ...out, stream_options: { ...(out.stream_options as object | undefined), include_usage: true } };
        }
        return { kind: 'json', value: out };
      };
      const upstreamCall: UpstreamCall = { operation: call.operation, family: call.family, apiVersion: call.apiVersion, extraParameters: call.extraParameters };
      if (call.family === 'search') {
        const queryAt = request.url.indexOf('?');
        if (spec.method === 'GET' && queryAt >= 0) upstreamCall.query = request.url.slice(queryAt + 1);
        if (typeof request.headers.accept === 'string') upstreamCall.accept = request.headers.accept;
      }

      const dispatched = await this.dispatch(upstreamCall, event, name, resources, bodyFor, reply, started, observed);
      dispatched.attempt?.answered(dispatched.res.status);
      draft.resourceId = dispatched.resource.id;
      draft.attempts = dispatched.attempts;
      const relayContext = {
        reply,
        upstream: dispatched.res,
        controller: dispatched.controller,
        started,
        stripUsageChunk: !clientWantsUsage,
        onFirstByte: (ms: number) => (draft.ttfbMs = ms),
      };
      const isStream = String(dispatched.res.headers['content-type'] ?? '').includes('text/event-stream');
      draft.streamed = isStream;
      if (isStream) draft.outcome = await relayStream(relayContext);
      // Audio and search results go through unread; errors are read to keep the OpenAI error shape.
      else if (spec.response === 'bytes' && dispatched.res.status < 400) draft.outcome = await relayBytes(relayContext);
      else draft.outcome = await relayBuffered(relayContext);
      draft.status = draft.outcome.status;
      draft.errorCode = draft.outcome.errorCode;
    } catch (err) {
      this.fail(err, draft, attendee.id, day);
      if (!(err instanceof ClientClosed)) throw err;
    } finally {
      this.record(draft, principal, day, now, started, call, body, observed);
      if (upload) void upload.dispose();
    }
  }

  /** Copies a multipart upload to a temporary file (see spoolMultipart), mapping its refusals to proxy errors. */
  private async spool(request: FastifyRequest): Promise<SpooledUpload> {
    // The multipart content-type parser hands the raw request stream through; anything else is not an upload.
    const source = request.body;
    if (!(source instanceof Readable)) throw proxyErrors.notMultipart();
    const length = Number(request.headers['content-length']);
    try {
      return await spoolMultipart(source, request.headers['content-type'], Number.isFinite(length) ? length : undefined, {
        dir: tmpdir(),
        maxFileBytes: MAX_AUDIO_FILE_BYTES,
        maxBodyBytes: MAX_AUDIO_BODY_BYTES,
        maxDrainBytes: MAX_DRAIN_BYTES,
      });
    } catch (err) {
      if (err instanceof UploadTooLarge) throw proxyErrors.uploadTooLarge(MAX_AUDIO_FILE_BYTES);
      if (err instanceof UploadAborted) throw new ClientClosed();
      if (err instanceof MultipartError) throw proxyErrors.badMultipart(err.message);
      throw err;
    }
  }

  /** Search is read-only: writes, index management and other document routes never reach an upstream. */
  refuseSearchWrite(method: string): never {
    throw proxyErrors.searchReadOnly(method.slice(0, 16));
  }

  private fail(err: unknown, draft: Draft, attendeeId: string, day: string): void {
    if (err instanceof ClientClosed) {
      draft.status = 499;
      draft.errorCode = 'client_closed_request';
    } else if (err instanceof DomainError) {
      draft.status = err.status;
      draft.errorCode = err.code;
    } else {
      draft.status = 500;
      draft.errorCode = ErrorCode.Internal;
    }
    // A request that never got an answer from a model does not use up the attendee's allowance.
    if (draft.counted && !(err instanceof DomainError && err.code === ErrorCode.DailyRequestCapExceeded)) {
      // With a ticket the refund goes with the settle (one shared-state call).
      if (!draft.ticket) this.usage.refundDailyRequest(attendeeId, day);
      draft.counted = false;
    }
  }

  private record(
    draft: Draft,
    principal: AttendeePrincipal,
    day: string,
    now: Date,
    started: number,
    call: ProxyCall,
    body: Record<string, unknown>,
    observed: RequestTelemetry,
  ): void {
    const outcome = draft.outcome;
    let tokens = outcome?.tokens;
    let estimated = false;
    if (!tokens && outcome && OPERATIONS[call.operation].generatesTokens && (outcome.status < 400 || draft.streamed)) {
      // No usage reported (a broken stream, a client that left mid-stream, an old api-version): estimate, and say so.
      const prompt = estimatePromptTokens(body);
      tokens = { promptTokens: prompt, completionTokens: outcome.completionTextTokens, totalTokens: prompt + outcome.completionTextTokens };
      estimated = true;
    }
    if (draft.status === 499 && outcome === undefined && draft.resourceId) estimated = true;
    if (draft.ticket) this.usage.settle(draft.ticket, tokens?.totalTokens ?? 0, !draft.counted);
    const entry = {
      requestId: draft.requestId,
      eventId: principal.event.id,
      attendeeId: principal.attendee.id,
      resourceId: draft.resourceId,
      deployment: draft.deployment || '(none)',
      route: `${call.family}:${OPERATIONS[call.operation].path}`,
      status: draft.status,
      promptTokens: tokens?.promptTokens ?? 0,
      completionTokens: tokens?.completionTokens ?? 0,
      totalTokens: tokens?.totalTokens ?? 0,
      estimated: estimated || (outcome?.estimated ?? false),
      streamed: draft.streamed,
      latencyMs: Math.round(performance.now() - started),
      ttfbMs: draft.ttfbMs === null ? null : Math.round(draft.ttfbMs),
      attempts: draft.attempts,
      errorCode: draft.errorCode,
      day,
      createdAt: now,
      counted: draft.counted,
    };
    this.usage.record(entry, draft.ticket !== undefined);
    observed.finish(entry);
  }

  private requireObject(body: unknown): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body) || body instanceof Readable) throw proxyErrors.bodyNotObject();
    return body as Record<string, unknown>;
  }

  private modelOf(body: Record<string, unknown>): string {
    if (typeof body.model !== 'string' || !body.model.trim()) throw proxyErrors.modelRequired();
    return body.model.trim();
  }

  /** A deployment of the event by name, or through the event's alias map (e.g. gpt-4o → gpt-4o-eu). */
  private resolveDeployment(event: CatalogEvent, requested: string, family: RouteFamily): { name: string; resources: CatalogResource[] } {
    let resources = this.catalog.resourcesFor(event.id, requested);
    if (resources.length) return { name: requested, resources };
    const alias = event.modelAliases[requested];
    if (alias) {
      resources = this.catalog.resourcesFor(event.id, alias);
      if (resources.length) return { name: alias, resources };
    }
    const deployments = [...this.catalog.deploymentsOf(event.id)];
    if (family === 'search') {
      throw proxyErrors.indexNotFound(requested, deployments.filter(([, r]) => r[0]?.modelClass === 'azure-ai-search').map(([n]) => n).sort());
    }
    throw proxyErrors.deploymentNotFound(requested, deployments.map(([n]) => n).sort());
  }

  /** Validates the client's token limits against the cap; true when the proxy must set one. */
  private checkTokenCap(body: Record<string, unknown>, cap: number, kind: keyof typeof TOKEN_FIELDS): boolean {
    let present = false;
    for (const field of TOKEN_FIELDS[kind]) {
      const value = body[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw proxyErrors.badTokenValue(field);
      if (value > cap) throw proxyErrors.tokenCap(field, value, cap);
      present = true;
    }
    return !present;
  }

  /** The field that carries the cap upstream: reasoning models take max_completion_tokens instead of max_tokens. */
  private capField(spec: OperationSpec, resource: CatalogResource): string {
    if (spec.tokenCap === 'max_output_tokens') return 'max_output_tokens';
    return usesMaxCompletionTokens(resource) ? 'max_completion_tokens' : 'max_tokens';
  }

  private target(resource: CatalogResource): UpstreamTarget | undefined {
    if (resource.endpointUrl) return { resource, baseUrl: resource.endpointUrl, apiKey: resource.apiKey };
    const url = this.simulator.url;
    if (resource.upstream !== 'simulator' || !url) return undefined;
    return { resource, baseUrl: url, apiKey: resource.apiKey ?? this.simulator.apiKey };
  }

  /**
   * Tries the balancer's backends in order until one answers with something worth relaying. Failover
   * happens only before any byte reaches the client, bounded by attempts and a total time budget.
   */
  private async dispatch(
    call: UpstreamCall,
    event: CatalogEvent,
    name: string,
    resources: CatalogResource[],
    bodyFor: (r: CatalogResource) => UpstreamBody,
    reply: FastifyReply,
    started: number,
    observed: RequestTelemetry,
  ): Promise<Dispatched> {
    const { maxAttempts, totalBudgetMs } = this.config.upstream;
    const state = (id: string) => this.health.state(id, Date.now());
    const poolKey = `${event.id}|${name}`;
    // One shared round-robin position, so all workers and replicas together walk one weighted sequence.
    const position = resources.length > 1 ? await this.health.position(poolKey) : undefined;
    const headroom = (id: string) => this.health.headroom(id, Date.now());
    const decision = this.balancer.decide({ poolKey, candidates: resources, state, now: Date.now(), position, headroom });
    if (decision.order.length === 0) {
      const retryAfter = decision.retryAfterMs ?? DEFAULT_429_COOLDOWN_MS;
      // Only a 429's cooldown is a rate limit; breakers resting failing backends are an outage.
      if (resources.some((r) => this.health.rateLimited(r.id, Date.now()))) throw proxyErrors.allCooling(name, retryAfter);
      throw proxyErrors.exhausted(name, ErrorCode.UpstreamUnavailable, 'its backends failed repeatedly and are resting', retryAfter);
    }

    let clientGone = false;
    // The attempt in flight, or the one whose answer is being relayed: a client leaving aborts it. One
    // controller per attempt and no second one for the client (an AbortSignal is costly on this path).
    let current: AbortController | undefined;
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) {
        clientGone = true;
        current?.abort(new ClientClosed('client closed the connection'));
      }
    });

    let attempts = 0;
    let saw429 = false;
    let notFound = 0;
    let lastFailure = 'no backend could be reached';
    let lastWasTimeout = false;
    for (const resource of decision.order.slice(0, maxAttempts)) {
      const remaining = totalBudgetMs - (performance.now() - started);
      if (remaining <= 0 || clientGone) break;
      const target = this.target(resource);
      if (!target) {
        this.logger.error({ resourceId: resource.id }, 'Resource has no endpoint and the built-in simulator is disabled');
        this.health.failure(resource.id, Date.now());
        continue;
      }
      const upstream = buildUpstreamRequest(target, call, bodyFor(resource));
      const controller = new AbortController();
      current = controller;
      const budget = setTimeout(() => controller.abort(new BudgetExceeded()), remaining);
      this.health.beginAttempt(resource.id, Date.now());
      attempts++;
      const attempt = observed.attempt(resource, name, upstream.url);
      try {
        const res = await this.client.send(upstream, controller.signal);
        clearTimeout(budget);
        // Quota-aware routing: the upstream's remaining tokens/requests steer the next picks in this tier.
        this.health.recordQuota(resource.id, res.headers, Date.now());
        if (FAILOVER_STATUSES.has(res.status) || isMisconfigured(res.status)) {
          await res.body.dump().catch(() => undefined);
          attempt.failed('status', res.status);
          if (res.status === 429) {
            saw429 = true;
            this.health.cooldown(resource.id, Date.now(), retryAfterMs(res.headers) ?? DEFAULT_429_COOLDOWN_MS);
          } else if (res.status === 404 && callersVersion(call, resource)) {
            notFound++;
            this.health.abandon(resource.id);
          } else {
            this.health.failure(resource.id, Date.now());
          }
          const level = isMisconfigured(res.status) ? 'error' : 'warn';
          this.logger[level]({ resourceId: resource.id, status: res.status, deployment: name }, 'Upstream refused; trying the next backend');
          lastFailure = `the backend answered HTTP ${res.status}`;
          lastWasTimeout = false;
          continue;
        }
        this.health.success(resource.id);
        // `current` stays on this attempt: a client leaving mid-stream aborts the upstream request.
        return { res, resource, controller, attempts, attempt };
      } catch (err) {
        clearTimeout(budget);
        if (clientGone) {
          this.health.abandon(resource.id);
          attempt.failed('connection');
          throw new ClientClosed();
        }
        const timedOut = controller.signal.reason instanceof BudgetExceeded || /timeout/i.test((err as Error)?.name ?? '') || /Timeout/.test((err as { code?: string })?.code ?? '');
        this.health.failure(resource.id, Date.now());
        attempt.failed(timedOut ? 'timeout' : 'connection');
        this.logger.warn({ resourceId: resource.id, deployment: name, err: (err as Error)?.message }, 'Upstream request failed; trying the next backend');
        lastFailure = timedOut ? 'the backend timed out' : 'the connection to the backend failed';
        lastWasTimeout = timedOut;
      }
    }
    if (clientGone) throw new ClientClosed();
    const now = Date.now();
    const waits = resources.map((r) => this.health.state(r.id, now).unavailableUntil - now).filter((ms) => ms > 0);
    const soonest = waits.length ? Math.min(...waits) : undefined;
    if (saw429) throw proxyErrors.exhausted(name, ErrorCode.UpstreamRateLimited, 'every backend is rate limited', soonest ?? DEFAULT_429_COOLDOWN_MS);
    if (notFound > 0 && notFound === attempts) {
      // Every backend said 404: most likely an api-version they do not offer. The caller's to fix, not an outage.
      throw new DomainError(
        ErrorCode.DeploymentNotFound,
        `The upstream does not offer '${name}'${call.apiVersion ? ` with api-version ${call.apiVersion.slice(0, 32)}` : ''} (HTTP 404). Check the api-version.`,
        { param: call.apiVersion ? 'api-version' : 'model' },
      );
    }
    if (lastWasTimeout) throw proxyErrors.exhausted(name, ErrorCode.UpstreamTimeout, lastFailure, soonest);
    throw proxyErrors.exhausted(name, ErrorCode.UpstreamUnavailable, lastFailure, soonest);
  }
}

