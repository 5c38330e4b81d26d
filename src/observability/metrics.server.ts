import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AggregatorRegistry } from 'prom-client';
import type { Logger as Pino } from 'pino';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

type Scrape = () => Promise<{ contentType: string; body: string }>;

/** A bare HTTP listener answering GET /metrics only (no authentication: keep its port private). */
async function listenForScrapes(port: number, host: string, scrape: Scrape, onError: (err: unknown) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'route_not_found', message: 'Only GET /metrics is served here.' }));
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => {
        onError(err);
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal_error', message: 'Collecting metrics failed.' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/**
 * WORKERS > 1: the primary owns METRICS_PORT and answers each scrape with every worker's metrics summed
 * (breaker gauges: the worst worker), so one scrape sees the whole container.
 */
export async function serveClusterMetrics(config: AppConfig, logger: Pino): Promise<Server | undefined> {
  if (config.metrics.port === undefined) return undefined;
  const aggregator = new AggregatorRegistry();
  const server = await listenForScrapes(
    config.metrics.port,
    config.http.host,
    async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    (err) => logger.error({ err }, 'Collecting metrics from the workers failed'),
  );
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.metrics.port }, 'Serving /metrics for all workers on its own port');
  return server;
}

/**
 * With METRICS_PORT set, /metrics is also served on its own port without authentication, for a scraper
 * inside the cluster network; that port must not be exposed publicly. In a cluster worker the primary
 * serves it instead (see serveClusterMetrics).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** The bound port (METRICS_PORT=0 picks a free one), or undefined when not serving. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metrics.port;
    if (port === undefined || cluster.isWorker) return;
    this.server = await listenForScrapes(port, this.config.http.host, () => this.metrics.scrape(), (err) => this.logger.error({ err }, 'Collecting metrics failed'));
    this.logger.log({ port: this.port }, 'Serving /metrics on its own port');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
