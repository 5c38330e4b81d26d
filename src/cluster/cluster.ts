import cluster from 'node:cluster';
import type { Logger as Pino } from 'pino';
import type { AppConfig } from '../config/app-config';
import { openDatabase } from '../database/data-source.factory';
import { serveClusterMetrics } from '../observability/metrics.server';
import { hostSharedState } from '../shared-state/ipc';

/** What a worker tells the primary once it listens, and what it learns back. */
type ClusterMessage =
  | { aipCluster: 'listening'; baseUrl: string }
  | { aipCluster: 'seed' }
  | { aipCluster: 'carry-on' }
  | { aipCluster: 'seeded'; demo: unknown };

function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && 'aipCluster' in m;
}

/** More restarts than this within a minute mean a crash loop: the primary waits before the next one. */
const RESTART_BURST = 10;
const RESTART_BACKOFF_MS = 5_000;

/**
 * The cluster primary: applies migrations once, hosts the shared state for its workers (unless Redis
 * does), forks WORKERS workers behind one port, restarts a worker that dies, and on SIGTERM/SIGINT
 * passes the signal on and exits once every worker has drained. `onReady` runs once, when the first
 * worker listens (after it seeded the demo, if asked to): the banner is printed once, not per worker.
 */
export async function runPrimary<Demo>(config: AppConfig, logger: Pino, onReady: (baseUrl: string, demo?: Demo) => void): Promise<void> {
  const db = await openDatabase(config.database);
  await db.close();
  if (!config.scale.redisUrl) hostSharedState(cluster);
  await serveClusterMetrics(config, logger);

  let stopping = false;
  let announced = false;
  const restarts: number[] = [];
  cluster.on('message', (worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.aipCluster === 'listening') {
      const first = !announced;
      announced = true;
      if (first && config.demo.enabled) {
        worker.send({ aipCluster: 'seed' } satisfies ClusterMessage);
        const onSeeded = (m: unknown) => {
          if (!isClusterMessage(m) || m.aipCluster !== 'seeded') return;
          worker.off('message', onSeeded);
          onReady(message.baseUrl, m.demo as Demo);
        };
        worker.on('message', onSeeded);
        return;
      }
      worker.send({ aipCluster: 'carry-on' } satisfies ClusterMessage);
      if (first) onReady(message.baseUrl);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('All workers stopped');
        process.exit(0);
      }
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
    const delay = restarts.length > RESTART_BURST ? RESTART_BACKOFF_MS : 0;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'A worker died; starting a new one');
    setTimeout(() => !stopping && cluster.fork(), delay);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'Shutting down the workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Workers drain for SHUTDOWN_GRACE_S; past that (and a margin) they are killed.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdown.graceMs + 5_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  logger.info({ workers: config.scale.workers, sharedState: config.scale.redisUrl ? 'redis' : 'primary' }, 'Starting workers');
  for (let i = 0; i < config.scale.workers; i++) cluster.fork();
}

/**
 * In a worker, once listening: tells the primary and waits for its answer. Returns true when this worker
 * must seed the demo and report it with `reportSeeded`. A worker whose primary is gone exits.
 */
export function announceListening(baseUrl: string): Promise<boolean> {
  process.once('disconnect', () => process.exit(1));
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (!isClusterMessage(m) || (m.aipCluster !== 'seed' && m.aipCluster !== 'carry-on')) return;
      process.off('message', onMessage);
      resolve(m.aipCluster === 'seed');
    };
    process.on('message', onMessage);
    process.send?.({ aipCluster: 'listening', baseUrl } satisfies ClusterMessage);
  });
}

export function reportSeeded(demo: unknown): void {
  process.send?.({ aipCluster: 'seeded', demo } satisfies ClusterMessage);
}

export const isClusterWorker = () => cluster.isWorker;
export const isClusterPrimary = () => cluster.isPrimary;
