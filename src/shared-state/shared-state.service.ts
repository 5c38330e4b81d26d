import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import type { AdmitResult, CounterAdjustment, CounterStore, CounterWindow } from './counter-store';
import { IpcStore } from './ipc';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';

export type SharedStateMode = 'memory' | 'cluster' | 'redis';

/** A window whose absent key is first loaded (from the database) by `load`. */
export interface SeededWindow extends Omit<CounterWindow, 'seed' | 'seeded'> {
  load?: () => Promise<number>;
}

export type Admission = Exclude<AdmitResult, { status: 'missing' }>;

type Handler = (data: unknown) => void;

/** Emitted locally when shared state comes back after an outage: messages may have been missed. */
export const RESYNC_CHANNEL = 'shared-state:resync';

/** A Redis command that takes longer than this counts as an outage, so a hung Redis cannot stall requests. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * State that every worker and replica must agree on: counters behind caps and token budgets, round-robin
 * positions, and a message bus for cache invalidation and backend health. Backed by Redis when REDIS_URL
 * is set, by the cluster primary (over IPC) in a cluster worker, and by this process's memory otherwise.
 * While the shared store is unreachable every process keeps serving with its own counters (logged once per
 * outage); when it returns, what was counted locally is merged back and subscribers are told to resync.
 */
@Injectable()
export class SharedStateService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SharedStateService.name);
  readonly mode: SharedStateMode;
  /** This process's id on the bus, so it ignores its own messages. */
  private readonly origin = randomUUID();
  private readonly local = new MemoryStore();
  private remote?: CounterStore;
  private redis?: Redis;
  private subscriber?: Redis;
  private ipc?: IpcStore;
  private remoteUp = false;
  private outageLogged = false;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly seeding = new Map<string, Promise<number>>();
  private readonly channel: string;
  private probe?: NodeJS.Timeout;
  private probing = false;
  private closing = false;

  constructor(private readonly config: AppConfig) {
    const { redisUrl, redisKeyPrefix } = config.scale;
    this.channel = `${redisKeyPrefix}bus`;
    this.mode = redisUrl ? 'redis' : cluster.isWorker ? 'cluster' : 'memory';
  }

  async onModuleInit(): Promise<void> {
    if (this.mode === 'cluster') {
      this.ipc = new IpcStore((origin, channel, data) => this.deliver(origin, channel, data));
      this.remote = this.ipc;
      this.remoteUp = true;
    } else if (this.mode === 'redis') {
      await this.connectRedis(this.config.scale.redisUrl!);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.probe) clearInterval(this.probe);
    this.ipc?.close();
    // A connection that is not up has nothing to flush: a QUIT would wait in its queue for a reconnect.
    const quit = async (r?: Redis) => {
      if (r?.status === 'ready') await r.quit().catch(() => r.disconnect());
      else r?.disconnect();
    };
    await Promise.all([quit(this.redis), quit(this.subscriber)]);
  }

  /** Whether limits are currently shared (false: this process counts alone, during an outage or by design). */
  get shared(): boolean {
    return this.mode !== 'memory' && this.remoteUp;
  }

  private async connectRedis(url: string): Promise<void> {
    const options = {
      lazyConnect: true,
      // Fail fast while disconnected: the request path falls back to local counters instead of queueing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (times: number) => Math.min(100 * times, 2_000),
    };
    const redis = new Redis(url, options);
    this.redis = redis;
    this.remote = new RedisStore(redis, this.config.scale.redisKeyPrefix);
    redis.on('ready', () => void this.recovered());
    redis.on('error', (err: Error) => this.down(err));
    redis.on('close', () => this.down(new Error('connection closed')));
    // The subscriber may queue its SUBSCRIBE until connected; it re-subscribes by itself after a reconnect.
    const subscriber = new Redis(url, { ...options, enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const { o, c, d } = JSON.parse(raw) as { o: string; c: string; d: unknown };
        this.deliver(o, c, d);
      } catch {
        this.logger.warn('Ignored a malformed message on the shared-state bus');
      }
    });
    await Promise.all([
      redis.connect().catch((err: Error) => this.down(err)),
      subscriber.connect().then(
        () => subscriber.subscribe(this.channel),
        () => undefined,
      ),
    ]);
  }

  private down(err: Error): void {
    if (this.closing) return;
    this.remoteUp = false;
    this.startProbe();
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.logger.error(
      { err: err.message, mode: this.mode },
      this.mode === 'redis'
        ? 'REDIS UNREACHABLE: limits are now enforced per process (each replica counts alone) and invalidation falls back to polling, until Redis returns'
        : 'CLUSTER PRIMARY UNREACHABLE: limits are now enforced per worker until it answers again',
    );
  }

  /** A connection that stays open but stopped answering (timeouts) sends no 'ready': probe until it answers. */
  private startProbe(): void {
    if (this.probe) return;
    this.probe = setInterval(() => {
      if (this.probing || !this.remote || (this.redis && this.redis.status !== 'ready')) return;
      this.probing = true;
      this.remote
        .get(['probe'])
        .then(
          () => this.recovered(),
          () => undefined,
        )
        .finally(() => (this.probing = false));
    }, 1_000);
    this.probe.unref();
  }

  private async recovered(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    this.probe = undefined;
    if (this.remote instanceof RedisStore) {
      const counted = this.local.drain();
      try {
        await this.remote.merge(counted);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, keys: counted.length }, 'Could not merge local counters into Redis; they are dropped');
      }
    }
    const wasDown = this.outageLogged;
    this.remoteUp = true;
    this.outageLogged = false;
    if (!wasDown) return;
    this.logger.warn({ mode: this.mode }, 'Shared state reachable again: limits are shared across processes once more');
    this.deliver('', RESYNC_CHANNEL, null);
  }

  /** Runs on the shared store, or on local memory while it is away. */
  private async run<T>(op: (store: CounterStore) => Promise<T>): Promise<T> {
    if (this.remote && this.remoteUp) {
      try {
        return await op(this.remote);
      } catch (err) {
        // A script error is a bug, not an outage; anything else means the store is unreachable.
        if (/^(ERR|WRONGTYPE)/.test((err as Error).message ?? '')) throw err;
        this.down(err as Error);
      }
    }
    return op(this.local);
  }

  /**
   * Atomically checks every limited window and, when all have room, adds each window's amount. Absent
   * keys of windows with a loader are seeded first (concurrent first requests share one load).
   */
  async admit(windows: SeededWindow[]): Promise<Admission> {
    const seeds = new Map<number, number>();
    for (let attempt = 0; ; attempt++) {
      const plain: CounterWindow[] = windows.map(({ load, ...w }, i) => ({ ...w, seeded: load !== undefined, seed: seeds.get(i) }));
      const result = await this.run((s) => s.admit(plain));
      if (result.status !== 'missing') return result;
      if (attempt >= 3) throw new Error('shared counters kept disappearing while being seeded');
      await Promise.all(result.indexes.map(async (i) => seeds.set(i, await this.seed(windows[i]))));
    }
  }

  private seed(window: SeededWindow): Promise<number> {
    let pending = this.seeding.get(window.key);
    if (!pending) {
      pending = window.load!().finally(() => this.seeding.delete(window.key));
      this.seeding.set(window.key, pending);
    }
    return pending;
  }

  adjust(items: CounterAdjustment[]): Promise<void> {
    const changes = items.filter((i) => i.delta !== 0);
    return changes.length ? this.run((s) => s.adjust(changes)) : Promise.resolve();
  }

  get(keys: string[]): Promise<(number | null)[]> {
    return this.run((s) => s.get(keys));
  }

  next(key: string, ttlMs: number): Promise<number> {
    return this.run((s) => s.next(key, ttlMs));
  }

  /** Tells every other process; delivery is best effort (subscribers also poll where it matters). */
  publish(channel: string, data: unknown): void {
    if (this.mode === 'cluster') this.ipc?.publish(this.origin, channel, data);
    else if (this.mode === 'redis' && this.redis?.status === 'ready') {
      this.redis.publish(this.channel, JSON.stringify({ o: this.origin, c: channel, d: data })).catch((err: Error) => this.down(err));
    }
  }

  subscribe(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  private deliver(origin: string, channel: string, data: unknown): void {
    if (origin === this.origin) return;
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(data);
      } catch (err) {
        this.logger.error({ err, channel }, 'A shared-state subscriber failed');
      }
    }
  }
}
