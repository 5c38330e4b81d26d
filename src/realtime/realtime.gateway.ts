import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { AdmissionService } from '../auth/admission.service';
import type { AttendeePrincipal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogEvent, CatalogResource } from '../catalog/catalog.types';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { redactUrl } from '../common/logging/logger';
import { AppConfig } from '../config/app-config';
import { dayKey, nextMidnight } from '../events/event-window';
import { RealtimeSessionTelemetry, RealtimeTelemetry, realtimeOutcome } from '../observability/realtime-telemetry';
import { BackendHealthService } from '../proxy/load-balancing/backend-health.service';
import { LoadBalancer } from '../proxy/load-balancing/load-balancer';
import { proxyErrors } from '../proxy/proxy.errors';
import { retryAfterMs } from '../proxy/upstream/retry-after';
import { BuiltinSimulator } from '../simulator/builtin-simulator.service';
import { NO_LIMITS } from '../usage/daily-counters';
import { UsageService } from '../usage/usage.service';
import { type SessionEnd, sessionEndEvent, sessionVerdict, tokenBudgetEnd } from './realtime-governance';
import { RealtimeRelay, type RelayEnd } from './realtime-relay';
import { type RealtimeFamily, type RealtimeRequest, chooseClientProtocol, handshakeProblem, readRealtimeRequest } from './realtime-request';
import { type RealtimeUpstreamTarget, buildRealtimeUpstream } from './realtime-upstream';
import { responseCreatedId, responseDoneUsage } from './realtime-usage';
import { realtimeErrors, refuseHandshake } from './realtime.errors';
import { SessionSlots } from './session-slots';
import { MAX_FRAME_BYTES, type OpenedUpstream, UpstreamHandshakeError, openUpstreamSocket } from './upstream-socket';

/** How often open sessions are checked against the event window, the key and the length limit. */
const SWEEP_MS = 250;
/** How long shutdown waits for sessions to close cleanly before cutting them. */
const SHUTDOWN_GRACE_MS = 2_000;
const DEFAULT_429_COOLDOWN_MS = 1_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Handshake refusals that are the client's doing (its query parameters), relayed instead of failed over. */
const CLIENT_FAULT_STATUSES = new Set([400, 422]);
const MISCONFIGURED = (status: number) => status === 401 || status === 403 || status === 404 || (status >= 300 && status < 400);

class ClientGone extends Error {}

interface LiveSession {
  requestId: string;
  family: RealtimeFamily;
  eventId: string;
  attendeeId: string;
  keyHash: string;
  timeZone: string;
  deployment: string;
  resourceId: string;
  attempts: number;
  startedAt: number;
  relay?: RealtimeRelay;
  /** The day's request was taken at admission; the first usage record carries it to the database. */
  countPending: boolean;
  responses: number;
  tokens: number;
  /** response id → when response.created passed, for per-response latency. */
  responseStarts: Map<string, number>;
  end?: SessionEnd;
  telemetry: RealtimeSessionTelemetry;
}

interface Dispatched {
  opened: OpenedUpstream;
  resource: CatalogResource;
  attempts: number;
}

interface SessionContext {
  principal: AttendeePrincipal;
  parsed: RealtimeRequest;
  requestId: string;
  deployment: string;
  url: string;
  telemetry: RealtimeSessionTelemetry;
}

/**
 * The realtime WebSocket endpoint on the HTTP port: admits the attendee before upgrading (answering
 * refusals as plain HTTP in the OpenAI error shape), opens the upstream with failover across the
 * deployment's backends, then relays frames verbatim while metering each response.done and enforcing
 * the event's rules for as long as the session lasts.
 */
@Injectable()
export class RealtimeGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (offered) => chooseClientProtocol(offered),
  });
  private readonly slots = new SessionSlots();
  private readonly sessions = new Set<LiveSession>();
  private readonly handshakes = new Set<Duplex>();
  private readonly requestIds = new WeakMap<IncomingMessage, string>();
  private server?: Server;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;
  private stopping = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly admission: AdmissionService,
    private readonly catalog: CatalogService,
    private readonly balancer: LoadBalancer,
    private readonly health: BackendHealthService,
    private readonly usage: UsageService,
    private readonly simulator: BuiltinSimulator,
    private readonly config: AppConfig,
    private readonly telemetry: RealtimeTelemetry,
  ) {}

  onApplicationBootstrap(): void {
    // An application context without an HTTP adapter (a CLI, say) has nothing to attach to.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.wss.on('headers', (headers: string[], request: IncomingMessage) => {
      const id = this.requestIds.get(request);
      if (id) headers.push(`x-request-id: ${id}`);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.server?.off('upgrade', this.onUpgrade);
    for (const socket of this.handshakes) socket.destroy();
    for (const session of this.sessions) session.relay?.end(1001, 'server shutting down');
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const session of this.sessions) session.relay?.terminate();
    this.wss.close();
  }

  /** Open sessions in this process (health and tests). */
  get openSessions(): number {
    return this.sessions.size;
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = request.url ?? '/';
    const requestId = this.requestIdOf(request);
    const parsed = readRealtimeRequest(url, request.headers);
    if (!parsed) {
      // Another upgrade listener may own this path; answer only when there is none.
      if ((this.server?.listenerCount('upgrade') ?? 0) <= 1) {
        refuseHandshake(socket, new DomainError(ErrorCode.RouteNotFound, 'No WebSocket endpoint at this path; realtime sessions use /openai/v1/realtime, /openai/realtime or /v1/realtime.'), url, requestId);
      }
      return;
    }
    this.handshakes.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.handshakes.delete(socket));
    this.accept(request, socket, head, parsed, requestId).catch((err: unknown) => {
      this.logger.error({ err, requestId, url: redactUrl(url) }, 'Realtime handshake failed unexpectedly');
      refuseHandshake(socket, err, url, requestId);
    });
  };

  private requestIdOf(request: IncomingMessage): string {
    const given = request.headers['x-request-id'];
    return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  }

  private async accept(request: IncomingMessage, socket: Duplex, head: Buffer, parsed: RealtimeRequest, requestId: string): Promise<void> {
    const url = request.url ?? '/';
    const started = performance.now();
    const now = new Date();
    let principal: AttendeePrincipal;
    try {
      if (this.stopping) throw new DomainError(ErrorCode.ServiceUnavailable, 'The server is shutting down; reconnect in a moment.');
      const problem = handshakeProblem(request.method, request.headers);
      if (problem) throw realtimeErrors.badHandshake(problem);
      principal = await this.admission.admit(parsed.key, now);
    } catch (err) {
      this.refuse(socket, err, url, requestId);
      return;
    }

    const { event, attendee } = principal;
    const day = dayKey(now, event.timeZone);
    const gone = new AbortController();
    const onGone = () => gone.abort();
    socket.once('close', onGone);
    let deployment = parsed.deployment ?? '';
    let resolved = '';
    const observed = this.telemetry.begin(`${parsed.family}:realtime`, event.id, requestId);
    let slotTaken = false;
    let counted = false;
    let dispatched: Dispatched | undefined;
    try {
      if (!parsed.deployment) throw this.deploymentRequired(parsed.family);
      const { name, resources } = this.resolveDeployment(event, parsed.deployment);
      deployment = name;
      resolved = name;
      if (!this.slots.tryTake(attendee.id, event.maxRealtimeSessions)) throw realtimeErrors.sessionLimit(event.maxRealtimeSessions);
      slotTaken = true;
      // The day's request and the token budgets in one atomic step, reserving nothing: a session's tokens
      // are charged per response as they are reported (see charge()), so it only opens while budgets have room.
      const { admission, resetsAt } = await this.usage.admitAt(event, attendee.id, day, now, 0, true);
      if (!admission.ok && admission.limit !== 'requests-per-day') throw realtimeErrors.tokenBudget(admission, now.getTime());
      if (!admission.ok) {
        throw proxyErrors.dailyCap(event.dailyRequestCap, resetsAt, resetsAt.getTime() - now.getTime(), {
          'x-ratelimit-limit-requests': String(event.dailyRequestCap),
          'x-ratelimit-remaining-requests': '0',
        });
      }
      counted = true;
      dispatched = await this.dispatch(event, name, resources, parsed, gone.signal, started, observed);
      if (gone.signal.aborted) throw new ClientGone();

      let client: WebSocket | undefined;
      this.requestIds.set(request, requestId);
      this.wss.handleUpgrade(request, socket, head, (ws) => (client = ws));
      if (!client) throw new ClientGone();
      socket.off('close', onGone);
      this.handshakes.delete(socket);
      this.startSession(client, dispatched, { principal, parsed, requestId, deployment: name, url: redactUrl(url), telemetry: observed });
    } catch (err) {
      socket.off('close', onGone);
      dispatched?.opened.socket.terminate();
      if (slotTaken) this.slots.release(attendee.id);
      if (counted) this.usage.refundDailyRequest(attendee.id, day);
      const status = err instanceof ClientGone ? 499 : this.refuse(socket, err, url, requestId);
      const code = err instanceof ClientGone ? 'client_closed_request' : err instanceof DomainError ? err.code : ErrorCode.Internal;
      observed.refused(resolved, status, code);
      this.usage.record({
        requestId,
        eventId: event.id,
        attendeeId: attendee.id,
        resourceId: dispatched?.resource.id ?? null,
        deployment: deployment.slice(0, 128) || '(none)',
        route: `${parsed.family}:realtime`,
        status,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        estimated: false,
        streamed: true,
        latencyMs: Math.round(performance.now() - started),
        ttfbMs: null,
        attempts: dispatched?.attempts ?? 0,
        errorCode: code,
        day,
        createdAt: now,
        counted: false,
      });
      if (!(err instanceof DomainError) && !(err instanceof ClientGone)) {
        this.logger.error({ err, requestId, url: redactUrl(url) }, 'Realtime handshake failed unexpectedly');
      }
    }
  }

  private refuse(socket: Duplex, err: unknown, url: string, requestId: string): number {
    const status = refuseHandshake(socket, err, url, requestId);
    const code = err instanceof DomainError ? err.code : ErrorCode.Internal;
    this.logger.log({ requestId, url: redactUrl(url), status, code }, 'Realtime handshake refused');
    return status;
  }

  private deploymentRequired(family: RealtimeFamily): DomainError {
    const param = family === 'azure' ? 'deployment' : 'model';
    return new DomainError(ErrorCode.ModelRequired, `Name one of this event's realtime deployments in the '${param}' query parameter.`, { param });
  }

  /** The event's realtime backends for a deployment name or one of the event's aliases. */
  private resolveDeployment(event: CatalogEvent, requested: string): { name: string; resources: CatalogResource[] } {
    let name = requested;
    let resources = this.catalog.resourcesFor(event.id, name);
    if (!resources.length && event.modelAliases[requested]) {
      name = event.modelAliases[requested];
      resources = this.catalog.resourcesFor(event.id, name);
    }
    if (!resources.length) throw proxyErrors.deploymentNotFound(requested, [...this.catalog.deploymentsOf(event.id).keys()].sort());
    const realtime = resources.filter((r) => r.modelClass === 'openai-realtime');
    if (!realtime.length) throw proxyErrors.wrongClass(name, resources[0].modelClass, 'realtime');
    return { name, resources: realtime };
  }

  private target(resource: CatalogResource): RealtimeUpstreamTarget | undefined {
    if (resource.endpointUrl) return { resource, baseUrl: resource.endpointUrl, apiKey: resource.apiKey };
    const url = this.simulator.url;
    if (resource.upstream !== 'simulator' || !url) return undefined;
    return { resource, baseUrl: url, apiKey: resource.apiKey ?? this.simulator.apiKey };
  }

  /** Opens the upstream on the balancer's backends in order until one completes the handshake. */
  private async dispatch(
    event: CatalogEvent,
    name: string,
    resources: CatalogResource[],
    request: RealtimeRequest,
    signal: AbortSignal,
    started: number,
    observed: RealtimeSessionTelemetry,
  ): Promise<Dispatched> {
    const { maxAttempts, totalBudgetMs, connectTimeoutMs } = this.config.upstream;
    const decision = this.balancer.decide({
      poolKey: `${event.id}|${name}`,
      candidates: resources,
      state: (id) => this.health.state(id, Date.now()),
      now: Date.now(),
    });
    if (decision.order.length === 0) throw proxyErrors.allCooling(name, decision.retryAfterMs ?? DEFAULT_429_COOLDOWN_MS);

    let attempts = 0;
    let saw429 = false;
    let lastFailure = 'no backend could be reached';
    let lastWasTimeout = false;
    for (const resource of decision.order.slice(0, maxAttempts)) {
      const remaining = totalBudgetMs - (performance.now() - started);
      if (remaining <= 0 || signal.aborted) break;
      const target = this.target(resource);
      if (!target) {
        this.logger.error({ resourceId: resource.id }, 'Resource has no endpoint and the built-in simulator is disabled');
        this.health.failure(resource.id, Date.now());
        continue;
      }
      this.health.beginAttempt(resource.id, Date.now());
      attempts++;
      const connection = buildRealtimeUpstream(target, request);
      const attempt = observed.attempt(resource, name, connection.url);
      try {
        const opened = await openUpstreamSocket(connection, Math.min(connectTimeoutMs, remaining), signal);
        this.health.success(resource.id);
        attempt.answered(101);
        return { opened, resource, attempts };
      } catch (err) {
        if (signal.aborted) {
          this.health.abandon(resource.id);
          attempt.abandoned();
          throw new ClientGone();
        }
        const failure = err instanceof UpstreamHandshakeError ? err : new UpstreamHandshakeError(String(err));
        const status = failure.status;
        if (status !== undefined && CLIENT_FAULT_STATUSES.has(status)) {
          this.health.abandon(resource.id);
          attempt.refused(status);
          throw realtimeErrors.upstreamRefused(name, status, upstreamMessage(failure.body));
        }
        if (status !== undefined) attempt.failed('status', status);
        else attempt.failed(failure.timedOut ? 'timeout' : 'connection');
        if (status === 429) {
          saw429 = true;
          this.health.cooldown(resource.id, Date.now(), retryAfterMs(failure.headers) ?? DEFAULT_429_COOLDOWN_MS);
        } else {
          this.health.failure(resource.id, Date.now());
        }
        const level = status !== undefined && MISCONFIGURED(status) ? 'error' : 'warn';
        const cause = failure.cause instanceof Error ? failure.cause.message : undefined;
        this.logger[level]({ resourceId: resource.id, deployment: name, status, err: failure.message, cause }, 'Realtime upstream could not be opened; trying the next backend');
        lastFailure = failure.message;
        lastWasTimeout = failure.timedOut;
      }
    }
    if (signal.aborted) throw new ClientGone();
    const now = Date.now();
    const waits = resources.map((r) => this.health.state(r.id, now).unavailableUntil - now).filter((ms) => ms > 0);
    const soonest = waits.length ? Math.min(...waits) : undefined;
    if (saw429) throw proxyErrors.exhausted(name, ErrorCode.UpstreamRateLimited, 'every backend is rate limited', soonest ?? DEFAULT_429_COOLDOWN_MS);
    if (lastWasTimeout) throw proxyErrors.exhausted(name, ErrorCode.UpstreamTimeout, lastFailure, soonest);
    throw proxyErrors.exhausted(name, ErrorCode.UpstreamUnavailable, lastFailure, soonest);
  }

  private startSession(client: WebSocket, dispatched: Dispatched, ctx: SessionContext): void {
    const { event, attendee } = ctx.principal;
    const session: LiveSession = {
      requestId: ctx.requestId,
      family: ctx.parsed.family,
      eventId: event.id,
      attendeeId: attendee.id,
      keyHash: attendee.keyHash,
      timeZone: event.timeZone,
      deployment: ctx.deployment,
      resourceId: dispatched.resource.id,
      attempts: dispatched.attempts,
      startedAt: Date.now(),
      countPending: true,
      responses: 0,
      tokens: 0,
      responseStarts: new Map(),
      telemetry: ctx.telemetry,
    };
    const relay = new RealtimeRelay(client, dispatched.opened.socket, {
      onUpstreamFrame: (data, isBinary) => {
        if (!isBinary) this.meter(session, data);
      },
      onEnd: (end) => this.finish(session, end),
    });
    session.relay = relay;
    this.sessions.add(session);
    session.telemetry.opened(session.deployment);
    dispatched.opened.stopBuffering();
    relay.start(dispatched.opened.early);
    this.logger.log(
      {
        requestId: session.requestId,
        url: ctx.url,
        eventId: session.eventId,
        attendeeId: session.attendeeId,
        deployment: session.deployment,
        resourceId: session.resourceId,
        attempts: session.attempts,
      },
      'Realtime session opened',
    );
  }

  /** One usage record per response.done, with the tokens the upstream reported. */
  private meter(session: LiveSession, frame: Buffer): void {
    const createdId = responseCreatedId(frame);
    if (createdId !== undefined) {
      if (session.responseStarts.size < 64) session.responseStarts.set(createdId, performance.now());
      return;
    }
    const usage = responseDoneUsage(frame);
    if (!usage) return;
    const startedAt = usage.responseId ? session.responseStarts.get(usage.responseId) : undefined;
    if (usage.responseId) session.responseStarts.delete(usage.responseId);
    const now = new Date();
    session.responses++;
    session.tokens += usage.totalTokens;
    session.telemetry.response(usage.status, usage.inputTokens, usage.outputTokens);
    // Charged before the record is queued, so a day window seeded from the database cannot count it twice.
    if (usage.totalTokens > 0) void this.charge(session, usage.totalTokens, now);
    this.usage.record({
      requestId: session.requestId,
      eventId: session.eventId,
      attendeeId: session.attendeeId,
      resourceId: session.resourceId,
      deployment: session.deployment,
      route: `${session.family}:realtime`,
      status: 200,
      promptTokens: usage.inputTokens,
      completionTokens: usage.outputTokens,
      totalTokens: usage.totalTokens,
      estimated: false,
      streamed: true,
      latencyMs: startedAt === undefined ? 0 : Math.round(performance.now() - startedAt),
      ttfbMs: null,
      attempts: session.attempts,
      errorCode: usage.status === 'completed' ? null : `response_${usage.status}`.slice(0, 64),
      day: dayKey(now, session.timeZone),
      createdAt: now,
      counted: session.countPending,
    }, true);
    session.countPending = false;
  }

  /**
   * Charges a response's tokens to the attendee's and the event's budgets when its response.done arrives,
   * and ends the session once a budget is used up. Nothing is reserved per response.create: the realtime
   * API gives no bound on a response's input (the whole conversation) before it runs, so a reservation
   * would be a guess; settling on arrival keeps the counters exact, and a budget is exceeded by at most the
   * responses under way when it fills (usually one). The shared counters are the HTTP routes' own, so
   * realtime and HTTP usage draw on one budget across workers and replicas.
   */
  private async charge(session: LiveSession, tokens: number, now: Date): Promise<void> {
    const exhausted = await this.usage.charge({
      eventId: session.eventId,
      attendeeId: session.attendeeId,
      day: dayKey(now, session.timeZone),
      now: now.getTime(),
      msToMidnight: nextMidnight(now, session.timeZone).getTime() - now.getTime(),
      // The event's limits now, so a budget changed mid-session applies to the next response.
      limits: this.catalog.event(session.eventId)?.tokenLimits ?? NO_LIMITS,
      tokens,
    });
    if (!exhausted || session.end || !session.relay || session.relay.isEnded) return;
    const end = tokenBudgetEnd(exhausted, now.getTime());
    session.end = end;
    this.logger.log(
      { requestId: session.requestId, eventId: session.eventId, attendeeId: session.attendeeId, code: end.code, limit: exhausted.limit, used: exhausted.used },
      'Ending realtime session',
    );
    session.relay.end(1008, end.code, JSON.stringify(sessionEndEvent(end, `evt_proxy_${randomBytes(8).toString('hex')}`)));
  }

  private finish(session: LiveSession, end: RelayEnd): void {
    if (!this.sessions.delete(session)) return;
    this.slots.release(session.attendeeId);
    const durationMs = Date.now() - session.startedAt;
    session.telemetry.closed(end.by, realtimeOutcome(end.by, end.code, session.end?.code), end.code, durationMs);
    if (session.countPending) {
      // A session without any response still used one of the day's requests.
      const now = new Date();
      this.usage.record({
        requestId: session.requestId,
        eventId: session.eventId,
        attendeeId: session.attendeeId,
        resourceId: session.resourceId,
        deployment: session.deployment,
        route: `${session.family}:realtime`,
        status: 101,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        estimated: false,
        streamed: true,
        latencyMs: durationMs,
        ttfbMs: null,
        attempts: session.attempts,
        errorCode: session.end?.code ?? null,
        day: dayKey(now, session.timeZone),
        createdAt: now,
        counted: true,
      });
      session.countPending = false;
    }
    this.logger.log(
      {
        requestId: session.requestId,
        eventId: session.eventId,
        attendeeId: session.attendeeId,
        deployment: session.deployment,
        durationMs,
        closedBy: end.by,
        code: end.code,
        reason: session.end?.code ?? end.reason,
        responses: session.responses,
        tokens: session.tokens,
      },
      'Realtime session closed',
    );
  }

  /** Ends sessions whose event ended or was deactivated, whose key was revoked, or that ran too long. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.sessions.size === 0) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      for (const session of [...this.sessions]) {
        if (session.end || !session.relay || session.relay.isEnded) continue;
        const verdict = sessionVerdict({
          event: this.catalog.event(session.eventId),
          attendee: await this.catalog.attendeeByKeyHash(session.keyHash),
          startedAt: session.startedAt,
          now,
        });
        if (!verdict) continue;
        session.end = verdict;
        this.logger.log({ requestId: session.requestId, eventId: session.eventId, attendeeId: session.attendeeId, code: verdict.code }, 'Ending realtime session');
        session.relay.end(1008, verdict.code, JSON.stringify(sessionEndEvent(verdict, `evt_proxy_${randomBytes(8).toString('hex')}`)));
      }
    } catch (err) {
      this.logger.warn({ err }, 'Realtime session sweep failed; retrying');
    } finally {
      this.sweeping = false;
    }
  }
}

/** The upstream's own error message, when its refusal carried one. */
function upstreamMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message.slice(0, 300);
  } catch {
    // not JSON
  }
  return '';
}
