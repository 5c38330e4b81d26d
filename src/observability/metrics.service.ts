import cluster from 'node:cluster';
import { Injectable } from '@nestjs/common';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why an upstream attempt did not produce an answer worth relaying. */
export type UpstreamErrorKind = 'status' | 'timeout' | 'connection';

export interface RequestObservation {
  eventId: string;
  deployment: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  ttfbMs: number | null;
  attempts: number;
  /** Served by a backend after another one failed (attempts > 1 and an answer came back). */
  failedOver: boolean;
}

/** Who ended a realtime session. */
export type RealtimeClosedBy = 'client' | 'upstream' | 'proxy';

/**
 * How a realtime session ended, from a fixed set so the label stays bounded: `normal` (close code 1000,
 * 1001 or none), `dropped` (the connection was lost, 1006), `error` (any other code the peer sent),
 * `shutdown` (the proxy stopping), or the governance code with which the proxy ended it.
 */
export type RealtimeOutcome = 'normal' | 'dropped' | 'error' | 'shutdown' | 'event_ended' | 'event_inactive' | 'event_not_started' | 'key_revoked' | 'session_expired' | 'token_limit_exceeded';

/** A realtime response's status as the upstream reported it, folded into a bounded set. */
const RESPONSE_STATUSES = new Set(['completed', 'cancelled', 'failed', 'incomplete']);

/**
 * The process's Prometheus registry. One registry per app instance (not prom-client's global one), so
 * several apps in one process (the tests) keep separate counts. Gauges whose truth lives elsewhere
 * (breaker states, the usage queue) are read at scrape time through prom-client's `collect` callbacks.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests: Counter<'event' | 'deployment' | 'status'>;
  private readonly tokens: Counter<'event' | 'deployment' | 'type'>;
  private readonly latency: Histogram<'event' | 'deployment' | 'status'>;
  private readonly ttfb: Histogram<'event' | 'deployment'>;
  private readonly upstreamErrors: Counter<'deployment' | 'resource' | 'kind' | 'status'>;
  private readonly retries: Counter<'deployment'>;
  private readonly failovers: Counter<'deployment'>;
  private readonly realtimeOpened: Counter<'event' | 'deployment'>;
  private readonly realtimeRefused: Counter<'event' | 'deployment' | 'status'>;
  private readonly realtimeClosed: Counter<'event' | 'deployment' | 'closed_by' | 'outcome'>;
  private readonly realtimeOpen: Gauge<'event' | 'deployment'>;
  private readonly realtimeDuration: Histogram<'event' | 'deployment'>;
  private readonly realtimeResponses: Counter<'event' | 'deployment' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'aiproxy_' });
    // In a cluster worker, the primary's METRICS_PORT listener asks every worker for this registry and sums them.
    // (Constructing an AggregatorRegistry is what makes prom-client answer those requests in a worker.)
    if (cluster.isWorker) {
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
    }
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'aiproxy_requests_total',
      help: 'Proxied requests by event, deployment and final status',
      labelNames: ['event', 'deployment', 'status'],
      registers,
    });
    this.tokens = new Counter({
      name: 'aiproxy_tokens_total',
      help: 'Tokens metered (HTTP requests and realtime responses), by event, deployment and type (prompt or completion)',
      labelNames: ['event', 'deployment', 'type'],
      registers,
    });
    this.latency = new Histogram({
      name: 'aiproxy_request_duration_seconds',
      help: 'Time from request to the end of the answer (the whole stream for streamed answers)',
      labelNames: ['event', 'deployment', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.ttfb = new Histogram({
      name: 'aiproxy_time_to_first_byte_seconds',
      help: 'Time from request to the first byte of the answer sent to the client',
      labelNames: ['event', 'deployment'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'aiproxy_upstream_errors_total',
      help: 'Upstream attempts that failed: an error status, a timeout or a connection failure',
      labelNames: ['deployment', 'resource', 'kind', 'status'],
      registers,
    });
    this.retries = new Counter({
      name: 'aiproxy_upstream_retries_total',
      help: 'Upstream attempts beyond the first for one request',
      labelNames: ['deployment'],
      registers,
    });
    this.failovers = new Counter({
      name: 'aiproxy_failovers_total',
      help: 'Requests (and realtime sessions) answered by another backend after the first one failed',
      labelNames: ['deployment'],
      registers,
    });
    this.realtimeOpened = new Counter({
      name: 'aiproxy_realtime_sessions_opened_total',
      help: 'Realtime WebSocket sessions opened (upstream connected, client upgraded)',
      labelNames: ['event', 'deployment'],
      registers,
    });
    this.realtimeRefused = new Counter({
      name: 'aiproxy_realtime_sessions_refused_total',
      help: 'Realtime handshakes of an admitted key answered without upgrading, by status (deployment empty when not resolved)',
      labelNames: ['event', 'deployment', 'status'],
      registers,
    });
    this.realtimeClosed = new Counter({
      name: 'aiproxy_realtime_sessions_closed_total',
      help: 'Realtime sessions ended, by who ended them and how (normal, dropped, error, shutdown or the governance code)',
      labelNames: ['event', 'deployment', 'closed_by', 'outcome'],
      registers,
    });
    // Summed across cluster workers, like every gauge without an explicit aggregator.
    this.realtimeOpen = new Gauge({
      name: 'aiproxy_realtime_sessions_open',
      help: 'Realtime sessions open now',
      labelNames: ['event', 'deployment'],
      registers,
    });
    this.realtimeDuration = new Histogram({
      name: 'aiproxy_realtime_session_duration_seconds',
      help: 'Length of realtime sessions, from the upgrade to the close',
      labelNames: ['event', 'deployment'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    });
    this.realtimeResponses = new Counter({
      name: 'aiproxy_realtime_responses_total',
      help: 'Realtime responses metered (one per response.done), by status: completed, cancelled, failed, incomplete or other',
      labelNames: ['event', 'deployment', 'status'],
      registers,
    });
  }

  request(o: RequestObservation): void {
    const status = String(o.status);
    this.requests.inc({ event: o.eventId, deployment: o.deployment, status });
    if (o.promptTokens > 0) this.tokens.inc({ event: o.eventId, deployment: o.deployment, type: 'prompt' }, o.promptTokens);
    if (o.completionTokens > 0) this.tokens.inc({ event: o.eventId, deployment: o.deployment, type: 'completion' }, o.completionTokens);
    this.latency.observe({ event: o.eventId, deployment: o.deployment, status }, o.latencyMs / 1000);
    if (o.ttfbMs !== null) this.ttfb.observe({ event: o.eventId, deployment: o.deployment }, o.ttfbMs / 1000);
    if (o.attempts > 1) this.retries.inc({ deployment: o.deployment }, o.attempts - 1);
    if (o.failedOver) this.failovers.inc({ deployment: o.deployment });
  }

  /** A realtime session opened after `attempts` upstream connection attempts. */
  realtimeSessionOpened(eventId: string, deployment: string, attempts: number): void {
    this.realtimeOpened.inc({ event: eventId, deployment });
    this.realtimeOpen.inc({ event: eventId, deployment });
    if (attempts > 1) {
      this.retries.inc({ deployment }, attempts - 1);
      this.failovers.inc({ deployment });
    }
  }

  /** A realtime handshake refused after admission; `deployment` is '' when the name did not resolve. */
  realtimeSessionRefused(eventId: string, deployment: string, status: number, attempts: number): void {
    this.realtimeRefused.inc({ event: eventId, deployment, status: String(status) });
    if (attempts > 1) this.retries.inc({ deployment }, attempts - 1);
  }

  realtimeSessionClosed(eventId: string, deployment: string, closedBy: RealtimeClosedBy, outcome: RealtimeOutcome, durationMs: number): void {
    this.realtimeClosed.inc({ event: eventId, deployment, closed_by: closedBy, outcome });
    this.realtimeOpen.dec({ event: eventId, deployment });
    this.realtimeDuration.observe({ event: eventId, deployment }, durationMs / 1000);
  }

  /** One realtime response.done: its tokens go into the same counter as the HTTP routes'. */
  realtimeResponse(eventId: string, deployment: string, status: string, promptTokens: number, completionTokens: number): void {
    this.realtimeResponses.inc({ event: eventId, deployment, status: RESPONSE_STATUSES.has(status) ? status : 'other' });
    if (promptTokens > 0) this.tokens.inc({ event: eventId, deployment, type: 'prompt' }, promptTokens);
    if (completionTokens > 0) this.tokens.inc({ event: eventId, deployment, type: 'completion' }, completionTokens);
  }

  upstreamError(deployment: string, resourceId: string, kind: UpstreamErrorKind, status?: number): void {
    this.upstreamErrors.inc({ deployment, resource: resourceId, kind, status: status === undefined ? '' : String(status) });
  }

  /**
   * A gauge read at scrape time; `read` sets its values (after a reset, so vanished label sets go away).
   * `aggregate` says how a cluster primary combines the workers' values.
   */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (g: Gauge<L>) => void, aggregate: 'sum' | 'max' = 'sum'): void {
    new Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      aggregator: aggregate,
      collect() {
        this.reset();
        read(this);
      },
    });
  }

  /** A monotonic total kept elsewhere (e.g. dropped usage records), exposed as a counter at scrape time. */
  counterFrom(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
