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
      help: 'Tokens metered, by event, deployment and type (prompt or completion)',
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
      help: 'Requests answered by another backend after the first one failed',
      labelNames: ['deployment'],
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
