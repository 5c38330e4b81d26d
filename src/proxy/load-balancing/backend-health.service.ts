import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SharedStateService } from '../../shared-state/shared-state.service';
import { BackendHealth } from './backend-health';
import { QuotaHeadroom } from './quota-headroom';

const HEALTH_CHANNEL = 'backend-health';
/** Round-robin positions are forgotten after an idle hour; a fresh sequence is as good as an old one. */
const POSITION_TTL_MS = 3_600_000;

/** Health events as sent to the other processes: durations, not instants, so clock skew between replicas does not matter. */
type HealthEvent = { op: 'cooldown'; id: string; ms: number } | { op: 'failure'; id: string; cooldownMs?: number } | { op: 'success'; id: string };

/**
 * The process-wide BackendHealth, configured from BREAKER_* settings. Cooldowns, breaker failures and
 * recoveries are told to every other worker and replica, so a backend that answered 429 to one of them
 * rests for all, and failures anywhere count toward one breaker. Also holds each backend's reported quota
 * headroom and hands out the shared round-robin position.
 */
@Injectable()
export class BackendHealthService extends BackendHealth implements OnModuleInit {
  private readonly logger = new Logger(BackendHealthService.name);
  private readonly quota = new QuotaHeadroom();

  constructor(
    config: AppConfig,
    private readonly shared: SharedStateService,
  ) {
    super(config.upstream.breaker);
  }

  onModuleInit(): void {
    this.shared.subscribe(HEALTH_CHANNEL, (data) => this.applyRemote(data as HealthEvent));
  }

  private applyRemote(e: HealthEvent): void {
    const now = Date.now();
    if (e.op === 'cooldown') super.cooldown(e.id, now, e.ms);
    else if (e.op === 'failure') super.failure(e.id, now, e.cooldownMs);
    else super.success(e.id);
  }

  override cooldown(id: string, now: number, ms: number): void {
    super.cooldown(id, now, ms);
    this.shared.publish(HEALTH_CHANNEL, { op: 'cooldown', id, ms } satisfies HealthEvent);
  }

  override failure(id: string, now: number, cooldownMs?: number): void {
    super.failure(id, now, cooldownMs);
    this.shared.publish(HEALTH_CHANNEL, { op: 'failure', id, cooldownMs } satisfies HealthEvent);
  }

  /** Only a recovery is news (a breaker closing); routine successes send nothing. */
  override success(id: string): void {
    const recovering = this.breakerState(id, Date.now()) !== 'closed';
    super.success(id);
    if (recovering) this.shared.publish(HEALTH_CHANNEL, { op: 'success', id } satisfies HealthEvent);
  }

  recordQuota(id: string, headers: Record<string, string | string[] | undefined>, now: number): void {
    this.quota.record(id, headers, now);
  }

  headroom(id: string, now: number): number | undefined {
    return this.quota.headroom(id, now);
  }

  /** The pool's next shared round-robin position; undefined (local rotation) if the shared state fails. */
  async position(poolKey: string): Promise<number | undefined> {
    try {
      return await this.shared.next(`lb:${poolKey}`, POSITION_TTL_MS);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Shared round-robin position unavailable; rotating locally');
      return undefined;
    }
  }
}
