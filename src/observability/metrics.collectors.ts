import { Injectable, OnModuleInit } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service';
import { BackendHealthService } from '../proxy/load-balancing/backend-health.service';
import { UsageService } from '../usage/usage.service';
import { MetricsService } from './metrics.service';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Gauges whose truth lives in other services, read when Prometheus scrapes. */
@Injectable()
export class MetricsCollectors implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly catalog: CatalogService,
    private readonly health: BackendHealthService,
    private readonly usage: UsageService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('aiproxy_breaker_state', 'Circuit breaker per backend: 0 closed, 1 half-open, 2 open', ['resource', 'deployment'], (g) => {
      const now = Date.now();
      for (const r of this.catalog.allResources()) {
        if (!r.active) continue;
        g.set({ resource: r.id, deployment: r.deploymentName }, BREAKER_VALUE[this.health.breakerState(r.id, now)]);
      }
    }, 'max');
    this.metrics.gauge('aiproxy_backend_cooling', 'Backends parked by a 429 retry-after: 1 while cooling', ['resource', 'deployment'], (g) => {
      const now = Date.now();
      for (const r of this.catalog.allResources()) {
        if (r.active) g.set({ resource: r.id, deployment: r.deploymentName }, this.health.rateLimited(r.id, now) ? 1 : 0);
      }
    }, 'max');
    this.metrics.gauge('aiproxy_usage_queue_depth', 'Usage records waiting to be written to the database', [], (g) => g.set(this.usage.pending));
    this.metrics.counterFrom('aiproxy_usage_dropped_total', 'Usage records dropped because the queue was full (USAGE_QUEUE_MAX)', () => this.usage.dropped);
  }
}
