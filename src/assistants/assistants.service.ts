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
import { dayKey, nextMidnight } from '../events/event-window';
import { MultipartError } from '../proxy/multipart/multipart-scanner';
import {
  spoolMultipart,
  SpooledUpload,
  UploadAborted,
  UploadTooLarge,
} from '../proxy/multipart/multipart-spool';
import { openPlannedBody, planModelRewrite } from '../proxy/multipart/multipart-body';
import { proxyErrors } from '../proxy/proxy.errors';
import { relayBytes } from '../proxy/response-relay';
import { parseSseEvent, SseEventSplitter } from '../proxy/upstream/sse-parser';
import { UpstreamClient, UpstreamResponse } from '../proxy/upstream/upstream-client';
import type { UpstreamRequest } from '../proxy/upstream/upstream-request';
import { Tokens, usageFrom } from '../proxy/usage-extract';
import { BuiltinSimulator } from '../simulator/builtin-simulator.service';
import { UsageService } from '../usage/usage.service';
import type { OwnedKind } from './assistant-object.types';
import { AssistantOwnershipService } from './assistant-ownership.service';
import {
  ASSISTANTS_OPERATIONS,
  AssistantsOperationName,
  concretePath,
  PARAM_KINDS,
  referencedIds,
} from './assistants-operations';
import { assistantsErrors } from './assistants.errors';

/** Azure serves the Assistants API (v2) from preview api-versions only; the GA 2024-10-21 has none. */
export const DEFAULT_ASSISTANTS_API_VERSION = '2025-04-01-preview';
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
/** OpenAI's (and Azure's) limit for an Assistants file. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
/** A list is filtered to the caller's objects; at most this many upstream pages are read to fill one page. */
const MAX_LIST_PAGES = 10;
/** How long "this unowned assistant is / is not the shared one" is believed (the organiser may rename it). */
const GLOBAL_TTL_MS = 60_000;
const MAX_GLOBALS_CACHED = 10_000;
const TERMINAL_RUN = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete']);
/** Upstream headers worth passing on; the retry hints let SDKs wait out an upstream 429 as they should. */
const FORWARDED_HEADERS = [
  'content-type',
  'content-disposition',
  'openai-processing-ms',
  'openai-poll-after-ms',
  'x-ms-region',
  'apim-request-id',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
];

export type AssistantsFamily = 'azure' | 'openai';

export interface AssistantsCall {
  operation: AssistantsOperationName;
  family: AssistantsFamily;
  params: Record<string, string>;
  apiVersion?: string;
}

class ClientClosed extends Error {}

interface Target {
  resource: CatalogResource;
  baseUrl: string;
  apiKey: string | null;
}

interface Draft {
  requestId: string;
  resource: CatalogResource | null;
  status: number;
  errorCode: string | null;
  counted: boolean;
  streamed: boolean;
  ttfbMs: number | null;
  tokens?: Tokens;
}

type Json = Record<string, unknown>;

/**
 * The Assistants, threads, files and vector stores surface, forwarded to the event's `openai-assistant`
 * resource with ownership per attendee: every id created through a key is recorded, and any other key
 * is answered 404 on it, reads included. An assistant named like an assistant deployment is the event's
 * shared one: anyone may read it and run it on their own threads, nobody may change or delete it.
 */
@Injectable()
export class AssistantsService {
  private readonly logger = new Logger(AssistantsService.name);
  /** assistant id → whether it is a shared assistant, and until when that is believed. */
  private readonly globals = new Map<string, { global: boolean; until: number }>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly ownership: AssistantOwnershipService,
    private readonly client: UpstreamClient,
    private readonly usage: UsageService,
    private readonly simulator: BuiltinSimulator,
    private readonly config: AppConfig,
  ) {}

  async handle(
    call: AssistantsCall,
    principal: AttendeePrincipal,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const started = performance.now();
    const now = new Date();
    const { event, attendee } = principal;
    const day = dayKey(now, event.timeZone);
    const op = ASSISTANTS_OPERATIONS[call.operation];
    const draft: Draft = {
      requestId: String(request.id),
      resource: null,
      status: 0,
      errorCode: null,
      counted: false,
      streamed: false,
      ttfbMs: null,
    };
    let upload: SpooledUpload | undefined;
    try {
      const resources = this.assistantResources(event);
      if (call.apiVersion !== undefined && !API_VERSION.test(call.apiVersion))
        throw proxyErrors.badApiVersion();

      let body: Json = {};
      if (op.body === 'multipart') {
        upload = await this.spool(request);
        if (!upload.fields.purpose) throw assistantsErrors.missingPart('purpose');
        if (!upload.hasPart('file')) throw assistantsErrors.missingPart('file');
      } else if (op.body === 'json') {
        body = this.jsonBody(request.body);
      }

      // The objects in the path: the caller's, or the shared assistant for reads; the first pins the upstream.
      let pinned: CatalogResource | undefined;
      for (const [param, id] of Object.entries(call.params)) {
        const kind = PARAM_KINDS[param];
        if (!kind) continue;
        const resource = await this.authorize(principal, resources, kind, id, op.access);
        pinned ??= resource;
      }
      for (const ref of referencedIds(body)) {
        const resource = await this.authorize(principal, resources, ref.kind, ref.id, 'read', ref.param);
        pinned ??= resource;
      }

      const deploymentNames = new Set(resources.map((r) => r.deploymentName));
      if (call.operation === 'createAssistant' || call.operation === 'updateAssistant') {
        if (typeof body.name === 'string' && deploymentNames.has(body.name.trim()))
          throw assistantsErrors.reservedName(body.name.trim());
      }
      // `model` names a deployment of the event; it picks the upstream of a new assistant.
      let modelResource: CatalogResource | undefined;
      if (typeof body.model === 'string' && body.model.trim()) {
        modelResource = this.resolveModel(event, resources, body.model.trim());
        pinned ??= modelResource;
      }
      const resource = pinned ?? resources[0];
      draft.resource = resource;
      if (modelResource) body = { ...body, model: this.upstreamModel(modelResource) };

      if (op.run) {
        for (const field of ['max_completion_tokens', 'max_prompt_tokens'] as const) {
          const value = body[field];
          if (value === undefined || value === null) continue;
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
            throw proxyErrors.badTokenValue(field);
          if (field === 'max_completion_tokens' && value > event.maxTokenCap)
            throw proxyErrors.tokenCap(field, value, event.maxTokenCap);
        }
        // The day's request and the token budgets in one atomic step, as realtime sessions do: nothing is
        // reserved (a run's prompt is the whole thread, unknown until it runs); its tokens are charged when
        // the finished run is metered (see meterRun), so a run only starts while every budget has room.
        const { admission, resetsAt } = await this.usage.admitAt(event, attendee.id, day, now, 0, true);
        if (!admission.ok && admission.limit !== 'requests-per-day') {
          throw proxyErrors.tokenLimit(admission.limit, admission.cap, admission.retryAfterMs, admission.limit.endsWith('per-day'));
        }
        const limitHeaders = {
          'x-ratelimit-limit-requests': String(event.dailyRequestCap),
          'x-ratelimit-remaining-requests': String(Math.max(0, event.dailyRequestCap - admission.used)),
        };
        void reply.headers(limitHeaders);
        if (!admission.ok) {
          throw proxyErrors.dailyCap(
            event.dailyRequestCap,
            resetsAt,
            resetsAt.getTime() - now.getTime(),
            limitHeaders,
          );
        }
        draft.counted = true;
      }

      const target = this.target(resource);
      const path = concretePath(op.path, call.params);
      const query = this.forwardedQuery(request);

      if (op.lists) {
        const page = await this.listOwned(principal, target, call, path, query, op.lists, deploymentNames);
        draft.ttfbMs = performance.now() - started;
        draft.status = 200;
        await reply.status(200).send(page);
        return;
      }

      const sent = upload
        ? ({ kind: 'multipart', upload } as const)
        : op.body === 'json'
          ? ({ kind: 'json', value: body } as const)
          : undefined;
      const upstream = this.buildRequest(target, call, op.method, path, query, sent);
      const controller = new AbortController();
      const res = await this.send(upstream, controller, reply, resource);
      const isStream = String(res.headers['content-type'] ?? '').includes('text/event-stream');
      if (isStream) {
        draft.streamed = true;
        await this.relayStream(principal, resource, res, controller, reply, started, draft);
        return;
      }
      if (op.response === 'bytes' && res.status < 400) {
        const outcome = await relayBytes({
          reply,
          upstream: res,
          controller,
          started,
          stripUsageChunk: false,
          onFirstByte: (ms) => (draft.ttfbMs = ms),
        });
        draft.status = outcome.status;
        draft.errorCode = outcome.errorCode;
        return;
      }
      const { status, payload, headers } = await this.readJson(res, controller);
      draft.ttfbMs = performance.now() - started;
      if (status === 401 || status === 403) throw refusedCredentials(resource, status);
      if (status >= 400 && draft.counted) {
        // The upstream refused the run (a 429, a bad body): no model work, so it does not use up a request.
        this.usage.refundDailyRequest(attendee.id, day);
        draft.counted = false;
      }
      if (status < 400 && payload && typeof payload === 'object') {
        await this.afterSuccess(call, principal, resource, payload as Json, draft);
      }
      draft.status = status;
      draft.errorCode = status >= 400 ? errorCodeOf(payload, status) : null;
      await reply.status(status).headers(headers).send(payload);
    } catch (err) {
      if (err instanceof ClientClosed) {
        draft.status = 499;
        draft.errorCode = 'client_closed_request';
      } else {
        draft.status = err instanceof DomainError ? err.status : 500;
        draft.errorCode = err instanceof DomainError ? err.code : ErrorCode.Internal;
      }
      if (draft.counted && !(err instanceof DomainError && err.code === ErrorCode.DailyRequestCapExceeded)) {
        this.usage.refundDailyRequest(attendee.id, day);
        draft.counted = false;
      }
      if (!(err instanceof ClientClosed)) throw err;
    } finally {
      if (upload) void upload.dispose();
      this.record(draft, principal, call, day, now, started);
    }
  }

  /** The event's assistant deployments; the first (lowest priority, then name) holds new threads and files. */
  private assistantResources(event: CatalogEvent): CatalogResource[] {
    const out: CatalogResource[] = [];
    for (const resources of this.catalog.deploymentsOf(event.id).values()) {
      for (const r of resources) if (r.modelClass === 'openai-assistant') out.push(r);
    }
    if (out.length === 0) throw assistantsErrors.noDeployment();
    return out.sort(
      (a, b) =>
        a.priority - b.priority ||
        a.deploymentName.localeCompare(b.deploymentName) ||
        a.id.localeCompare(b.id),
    );
  }

  private resolveModel(
    event: CatalogEvent,
    resources: CatalogResource[],
    requested: string,
  ): CatalogResource {
    const name = resources.some((r) => r.deploymentName === requested)
      ? requested
      : event.modelAliases[requested];
    const found = resources.find((r) => r.deploymentName === name);
    if (found) return found;
    throw proxyErrors.deploymentNotFound(
      requested,
      [...new Set(resources.map((r) => r.deploymentName))].sort(),
    );
  }

  /** Azure names the deployment; an OpenAI-compatible upstream names the model. */
  private upstreamModel(resource: CatalogResource): string {
    return resource.upstream === 'openai'
      ? (resource.modelName ?? resource.deploymentName)
      : resource.deploymentName;
  }

  /**
   * The caller may use the object: it is theirs (in this event), or it is the shared assistant and the
   * access is a read or a run. Everything else is the same 404 as a missing object.
   */
  private async authorize(
    principal: AttendeePrincipal,
    resources: CatalogResource[],
    kind: OwnedKind,
    id: string,
    access: 'read' | 'write',
    param?: string,
  ): Promise<CatalogResource> {
    const owned = await this.ownership.find(id);
    if (owned) {
      if (
        owned.eventId !== principal.event.id ||
        owned.attendeeId !== principal.attendee.id ||
        owned.kind !== kind
      )
        throw assistantsErrors.notFound(kind, id, param);
      return resources.find((r) => r.id === owned.resourceId) ?? resources[0];
    }
    if (kind === 'assistant') {
      const shared = await this.sharedAssistant(resources, id);
      if (shared) {
        if (access === 'write') throw assistantsErrors.sharedReadOnly(id);
        return shared;
      }
    }
    throw assistantsErrors.notFound(kind, id, param);
  }

  /** The resource holding `id` when it is a shared assistant (named like an assistant deployment), else undefined. */
  private async sharedAssistant(
    resources: CatalogResource[],
    id: string,
  ): Promise<CatalogResource | undefined> {
    const names = new Set(resources.map((r) => r.deploymentName));
    const known = this.globals.get(id);
    if (known && known.until > Date.now()) return known.global ? resources[0] : undefined;
    // Ids come from the client: only plausible ones are looked up upstream.
    if (!/^[\w-]{1,128}$/.test(id)) return undefined;
    const target = this.target(resources[0]);
    const controller = new AbortController();
    const res = await this.send(
      this.buildRequest(
        target,
        { operation: 'getAssistant', family: 'azure', params: {} },
        'GET',
        `assistants/${id}`,
        '',
      ),
      controller,
    );
    const { status, payload } = await this.readJson(res, controller);
    const name = status === 200 ? (payload as { name?: unknown } | undefined)?.name : undefined;
    const global = typeof name === 'string' && names.has(name);
    this.rememberGlobal(id, global);
    return global ? resources[0] : undefined;
  }

  private rememberGlobal(id: string, global: boolean): void {
    // Bounded: the ids looked up come from clients.
    if (this.globals.size >= MAX_GLOBALS_CACHED)
      this.globals.delete(this.globals.keys().next().value as string);
    this.globals.set(id, { global, until: Date.now() + GLOBAL_TTL_MS });
  }

  /**
   * One page of the caller's objects. The upstream list holds everyone's, so pages are read (100 at a
   * time, at most MAX_LIST_PAGES) until `limit` of the caller's are found. The cursors stay upstream ids,
   * so `after=<last_id>` continues correctly; `has_more` may be true when the rest holds nothing of the
   * caller's (the next page is then empty), and `before` paging returns at most one upstream page.
   */
  private async listOwned(
    principal: AttendeePrincipal,
    target: Target,
    call: AssistantsCall,
    path: string,
    query: URLSearchParams,
    kind: 'assistant' | 'file' | 'vector_store',
    sharedNames: Set<string>,
  ): Promise<Json> {
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DomainError(ErrorCode.ValidationFailed, 'limit must be an integer between 1 and 100.', {
        param: 'limit',
      });
    }
    const data: Json[] = [];
    let hasMore = false;
    const upstreamQuery = new URLSearchParams(query);
    upstreamQuery.set('limit', '100');
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const controller = new AbortController();
      const res = await this.send(
        this.buildRequest(target, call, 'GET', path, upstreamQuery.toString()),
        controller,
      );
      const { status, payload } = await this.readJson(res, controller);
      if (status === 401 || status === 403) throw refusedCredentials(target.resource, status);
      if (status >= 400)
        throw new DomainError(
          ErrorCode.UpstreamError,
          `The upstream refused to list ${path} (HTTP ${status}).`,
        );
      const list = payload as { data?: unknown; has_more?: unknown } | undefined;
      const items = Array.isArray(list?.data) ? (list.data as Json[]) : [];
      const owners = await this.ownership.findMany(items.map((i) => String(i.id)));
      let consumed = 0;
      for (const item of items) {
        consumed++;
        const id = String(item.id);
        const owner = owners.get(id);
        const mine = owner?.eventId === principal.event.id && owner.attendeeId === principal.attendee.id;
        const shared =
          !owner && kind === 'assistant' && typeof item.name === 'string' && sharedNames.has(item.name);
        if (shared) this.rememberGlobal(id, true);
        if (mine || shared) data.push(item);
        if (data.length === limit) break;
      }
      const upstreamMore = list?.has_more === true;
      if (data.length === limit) {
        hasMore = consumed < items.length || upstreamMore;
        break;
      }
      hasMore = upstreamMore;
      if (!upstreamMore || items.length === 0 || query.has('before')) break;
      upstreamQuery.set('after', String(items[items.length - 1].id));
    }
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: hasMore,
    };
  }

  /** Records what a successful answer created or deleted, and meters a finished run once. */
  private async afterSuccess(
    call: AssistantsCall,
    principal: AttendeePrincipal,
    resource: CatalogResource,
    payload: Json,
    draft: Draft,
  ): Promise<void> {
    const op = ASSISTANTS_OPERATIONS[call.operation];
    const own = (objectId: unknown, kind: OwnedKind) =>
      typeof objectId === 'string' && objectId
        ? this.ownership.record({
            objectId,
            kind,
            eventId: principal.event.id,
            attendeeId: principal.attendee.id,
            resourceId: resource.id,
          })
        : Promise.resolve();
    if (call.operation === 'createThreadAndRun') await own(payload.thread_id, 'thread');
    if (op.creates) await own(payload.id, op.creates);
    if (op.deletes) {
      const [param, id] = Object.entries(call.params).find(([p]) => PARAM_KINDS[p]) ?? [];
      if (param && id) await this.ownership.forget(id, principal.event.id);
    }
    draft.tokens = await this.meterRun(payload, principal);
  }

  /** A finished run's usage, the first time any request sees it finished. */
  private async meterRun(payload: unknown, principal: AttendeePrincipal): Promise<Tokens | undefined> {
    const run = payload as { object?: unknown; id?: unknown; status?: unknown } | undefined;
    if (run?.object !== 'thread.run' || typeof run.id !== 'string' || !TERMINAL_RUN.has(String(run.status)))
      return undefined;
    const tokens = usageFrom(run);
    if (!tokens) return undefined;
    if (!(await this.ownership.markMetered(run.id, principal.event.id))) return undefined;
    // Charged to the token budgets (the shared counters the HTTP routes and realtime use) before the
    // record is queued, so a day window seeded from the database cannot count these tokens twice.
    if (tokens.totalTokens > 0) {
      const now = new Date();
      const { event } = principal;
      await this.usage.charge({
        eventId: event.id,
        attendeeId: principal.attendee.id,
        day: dayKey(now, event.timeZone),
        now: now.getTime(),
        msToMidnight: nextMidnight(now, event.timeZone).getTime() - now.getTime(),
        limits: this.catalog.event(event.id)?.tokenLimits ?? event.tokenLimits,
        tokens: tokens.totalTokens,
      });
    }
    return tokens;
  }

  /**
   * A streamed run, relayed event by event. A new thread or run is recorded as the caller's before the
   * event naming it reaches the client, so the client can use the id at once.
   */
  private async relayStream(
    principal: AttendeePrincipal,
    resource: CatalogResource,
    upstream: UpstreamResponse,
    controller: AbortController,
    reply: FastifyReply,
    started: number,
    draft: Draft,
  ): Promise<void> {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(upstream.status, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    const splitter = new SseEventSplitter();
    const own = (objectId: unknown, kind: OwnedKind) =>
      typeof objectId === 'string' && objectId
        ? this.ownership.record({
            objectId,
            kind,
            eventId: principal.event.id,
            attendeeId: principal.attendee.id,
            resourceId: resource.id,
          })
        : Promise.resolve();
    let sawDone = false;
    draft.status = upstream.status;
    try {
      for await (const chunk of upstream.body) {
        for (const event of splitter.push(chunk as Buffer)) {
          const { event: name, data } = parseSseEvent(event);
          if (data === '[DONE]' || name === 'done') sawDone = true;
          else if (data) {
            let payload: Json | undefined;
            try {
              payload = JSON.parse(data) as Json;
            } catch {
              payload = undefined;
            }
            if (name === 'thread.created') await own(payload?.id, 'thread');
            if (name === 'thread.run.created') await own(payload?.id, 'run');
            if (name === 'error') draft.errorCode = errorCodeOf(payload, 500);
            if (name?.startsWith('thread.run.') && payload)
              draft.tokens = (await this.meterRun(payload, principal)) ?? draft.tokens;
          }
          if (draft.ttfbMs === null) draft.ttfbMs = performance.now() - started;
          if (!raw.write(event)) await new Promise((resolve) => raw.once('drain', resolve));
        }
        if (raw.destroyed) break;
      }
      if (!sawDone && !raw.destroyed) draft.errorCode ??= 'upstream_stream_interrupted';
    } catch {
      draft.errorCode = raw.destroyed ? 'client_closed_request' : 'upstream_stream_interrupted';
    } finally {
      if (!raw.destroyed) raw.end();
      controller.abort();
    }
    if (draft.errorCode) draft.status = draft.errorCode === 'client_closed_request' ? 499 : 502;
  }

  private record(
    draft: Draft,
    principal: AttendeePrincipal,
    call: AssistantsCall,
    day: string,
    now: Date,
    started: number,
  ): void {
    const tokens = draft.tokens;
    this.usage.record({
      requestId: draft.requestId,
      eventId: principal.event.id,
      attendeeId: principal.attendee.id,
      resourceId: draft.resource?.id ?? null,
      deployment: draft.resource?.deploymentName ?? '(none)',
      route: `assistants:${ASSISTANTS_OPERATIONS[call.operation].path}`,
      status: draft.status,
      promptTokens: tokens?.promptTokens ?? 0,
      completionTokens: tokens?.completionTokens ?? 0,
      totalTokens: tokens?.totalTokens ?? 0,
      estimated: false,
      streamed: draft.streamed,
      latencyMs: Math.round(performance.now() - started),
      ttfbMs: draft.ttfbMs === null ? null : Math.round(draft.ttfbMs),
      attempts: draft.resource ? 1 : 0,
      errorCode: draft.errorCode,
      day,
      createdAt: now,
      counted: draft.counted,
    }, true); // a run's tokens were charged to the budgets by meterRun
  }

  private jsonBody(body: unknown): Json {
    // Cancel and other bodiless POSTs arrive without a body.
    if (body === undefined || body === null || body === '') return {};
    if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body) || body instanceof Readable)
      throw proxyErrors.bodyNotObject();
    return body as Json;
  }

  private async spool(request: FastifyRequest): Promise<SpooledUpload> {
    const source = request.body;
    if (!(source instanceof Readable)) throw assistantsErrors.notMultipart();
    const length = Number(request.headers['content-length']);
    try {
      return await spoolMultipart(
        source,
        request.headers['content-type'],
        Number.isFinite(length) ? length : undefined,
        {
          dir: tmpdir(),
          maxFileBytes: MAX_FILE_BYTES,
          maxBodyBytes: MAX_FILE_BYTES + 1024 * 1024,
          maxDrainBytes: MAX_DRAIN_BYTES,
        },
      );
    } catch (err) {
      if (err instanceof UploadTooLarge) throw assistantsErrors.uploadTooLarge(MAX_FILE_BYTES);
      if (err instanceof UploadAborted) throw new ClientClosed();
      if (err instanceof MultipartError) throw proxyErrors.badMultipart(err.message);
      throw err;
    }
  }

  /** The client's query (limit, order, after, before, purpose, run_id, include[]…) without credentials or api-version. */
  private forwardedQuery(request: FastifyRequest): URLSearchParams {
    const at = request.url.indexOf('?');
    const params = new URLSearchParams(at >= 0 ? request.url.slice(at + 1) : '');
    for (const name of ['api-version', 'api-key', 'key']) params.delete(name);
    return params;
  }

  private target(resource: CatalogResource): Target {
    if (resource.endpointUrl)
      return { resource, baseUrl: resource.endpointUrl.replace(/\/+$/, ''), apiKey: resource.apiKey };
    const url = this.simulator.url;
    if (resource.upstream !== 'simulator' || !url) {
      throw new DomainError(
        ErrorCode.UpstreamUnavailable,
        `The Assistants deployment '${resource.deploymentName}' has no endpoint configured.`,
      );
    }
    return { resource, baseUrl: url, apiKey: resource.apiKey ?? this.simulator.apiKey };
  }

  /** Azure: `/openai/{path}?api-version=…` with api-key; OpenAI: `/v1/{path}` with a bearer; both with the v2 beta header. */
  private buildRequest(
    target: Target,
    call: AssistantsCall,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: URLSearchParams | string,
    body?: { kind: 'json'; value: Json } | { kind: 'multipart'; upload: SpooledUpload },
  ): UpstreamRequest {
    const { resource, baseUrl, apiKey } = target;
    const headers: Record<string, string> = {
      accept: 'application/json, text/event-stream',
      'openai-beta': 'assistants=v2',
    };
    const params = new URLSearchParams(query);
    let url: string;
    if (resource.upstream === 'openai') {
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      const base = /\/v\d+$/.test(new URL(baseUrl).pathname) ? baseUrl : `${baseUrl}/v1`;
      url = `${base}/${path}`;
    } else {
      if (apiKey) headers['api-key'] = apiKey;
      params.set(
        'api-version',
        (call.family === 'azure' ? call.apiVersion : undefined) ??
          resource.apiVersion ??
          DEFAULT_ASSISTANTS_API_VERSION,
      );
      url = `${baseUrl}/openai/${path}`;
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
    if (body === undefined) return { method, url, headers };
    if (body.kind === 'multipart') {
      const { upload } = body;
      const plan = planModelRewrite(upload.layout, null);
      headers['content-type'] = upload.contentType;
      return {
        method,
        url,
        headers,
        body: { length: plan.length, open: () => openPlannedBody(upload.path, plan) },
      };
    }
    headers['content-type'] = 'application/json';
    return { method, url, headers, body: JSON.stringify(body.value) };
  }

  /** One attempt, no failover: an object lives on one upstream, and a create must not run twice. */
  private async send(
    upstream: UpstreamRequest,
    controller: AbortController,
    reply?: FastifyReply,
    resource?: CatalogResource,
  ): Promise<UpstreamResponse> {
    const budget = setTimeout(
      () => controller.abort(new Error('timeout')),
      this.config.upstream.totalBudgetMs,
    );
    let clientGone = false;
    const onClose = () => {
      if (reply && !reply.raw.writableFinished) {
        clientGone = true;
        controller.abort(new ClientClosed());
      }
    };
    reply?.raw.once('close', onClose);
    try {
      return await this.client.send(upstream, controller.signal);
    } catch (err) {
      if (clientGone) throw new ClientClosed();
      const timedOut = controller.signal.aborted;
      this.logger.warn(
        { resourceId: resource?.id, err: (err as Error)?.message },
        'Assistants upstream request failed',
      );
      throw proxyErrors.exhausted(
        resource?.deploymentName ?? 'assistants',
        timedOut ? ErrorCode.UpstreamTimeout : ErrorCode.UpstreamUnavailable,
        timedOut ? 'the backend timed out' : 'the connection to the backend failed',
      );
    } finally {
      clearTimeout(budget);
    }
  }

  /** A whole JSON answer (bounded: Assistants objects and pages are small), errors kept in the OpenAI shape. */
  private async readJson(
    res: UpstreamResponse,
    controller: AbortController,
  ): Promise<{ status: number; payload: unknown; headers: Record<string, string> }> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
    } catch {
      if (controller.signal.reason instanceof ClientClosed) throw new ClientClosed();
      throw proxyErrors.cutOff(controller.signal.aborted);
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const v = res.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      payload = undefined;
    }
    if (res.status >= 400 && !(payload && typeof payload === 'object' && 'error' in payload)) {
      payload = {
        error: {
          message: `The upstream rejected the request (HTTP ${res.status}).`,
          type: 'invalid_request_error',
          code: `upstream_${res.status}`,
          param: null,
        },
      };
    } else if (res.status < 400 && payload === undefined) {
      throw new DomainError(ErrorCode.UpstreamError, 'The upstream answered with something other than JSON.');
    }
    headers['content-type'] = 'application/json';
    return { status: res.status, payload, headers };
  }
}

/** Our credentials, not the caller's: the organiser must fix the resource. */
function refusedCredentials(resource: CatalogResource, status: number): DomainError {
  return new DomainError(
    ErrorCode.UpstreamError,
    `The Assistants upstream for '${resource.deploymentName}' refused the proxy's credentials (HTTP ${status}). Please tell the organiser.`,
  );
}

function errorCodeOf(payload: unknown, status: number): string {
  const code = (payload as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' || typeof code === 'number'
    ? String(code).slice(0, 64)
    : `upstream_${status}`;
}
