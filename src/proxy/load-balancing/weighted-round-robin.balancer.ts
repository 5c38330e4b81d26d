import { Injectable } from '@nestjs/common';
import type { CatalogResource } from '../../catalog/catalog.types';
import { BalancerDecision, BalancerInput, LoadBalancer } from './load-balancer';

/** Backends whose headroom is within this share of the best one's count as equally good (weights decide). */
const NEAR_BEST = 0.9;
const MAX_SCHEDULES = 500;

/**
 * Smooth weighted round-robin (nginx's algorithm) unrolled into one period: every pick adds each weight to
 * its score, the highest score wins and pays back the total, so weights 3:1 give A A B A rather than bursts.
 * Unrolled, the n-th pick depends only on n, so workers and replicas sharing one counter share one sequence.
 */
export function smoothSchedule(tier: readonly CatalogResource[]): string[] {
  const scores = new Map(tier.map((c) => [c.id, 0]));
  const total = tier.reduce((n, c) => n + c.weight, 0);
  const out: string[] = [];
  for (let i = 0; i < total; i++) {
    let best: CatalogResource | undefined;
    let bestScore = -Infinity;
    for (const c of tier) {
      const score = scores.get(c.id)! + c.weight;
      scores.set(c.id, score);
      if (score > bestScore || (score === bestScore && best && c.id < best.id)) {
        best = c;
        bestScore = score;
      }
    }
    scores.set(best!.id, bestScore - total);
    out.push(best!.id);
  }
  return out;
}

const byWeight = (a: CatalogResource, b: CatalogResource) => b.weight - a.weight || a.id.localeCompare(b.id);

/**
 * Lowest `priority` first. Within a tier: when every backend has reported its remaining quota recently,
 * the one with the most headroom goes first (near-ties share by weight); otherwise smooth weighted
 * round-robin at the shared position. The remaining backends follow as failover order.
 */
@Injectable()
export class WeightedRoundRobinBalancer extends LoadBalancer {
  /** Used when no shared position is given: one sequence per pool and tier in this process. */
  private readonly positions = new Map<string, number>();
  private readonly schedules = new Map<string, string[]>();

  decide({ poolKey, candidates, state, now, position, headroom }: BalancerInput): BalancerDecision {
    const usable = candidates.filter((c) => state(c.id).unavailableUntil <= now);
    if (usable.length === 0) {
      if (candidates.length === 0) return { order: [] };
      const soonest = Math.min(...candidates.map((c) => state(c.id).unavailableUntil));
      return { order: [], retryAfterMs: Math.max(0, soonest - now) };
    }
    const tiers = new Map<number, CatalogResource[]>();
    for (const c of usable) {
      const tier = tiers.get(c.priority) ?? [];
      tier.push(c);
      tiers.set(c.priority, tier);
    }
    const order: CatalogResource[] = [];
    for (const priority of [...tiers.keys()].sort((a, b) => a - b)) {
      const tier = tiers.get(priority)!;
      if (tier.length === 1) {
        order.push(tier[0]);
        continue;
      }
      const seq = position ?? this.nextLocal(`${poolKey}|${priority}`);
      const readings = headroom ? tier.map((c) => headroom(c.id)) : [];
      if (readings.length && readings.every((r) => r !== undefined)) {
        const best = Math.max(...(readings as number[]));
        const preferred = tier.filter((_, i) => readings[i]! >= best * NEAR_BEST);
        const rest = tier.filter((_, i) => readings[i]! < best * NEAR_BEST).sort((a, b) => headroom!(b.id)! - headroom!(a.id)! || byWeight(a, b));
        const first = this.pick(preferred, seq);
        order.push(first, ...preferred.filter((c) => c !== first).sort(byWeight), ...rest);
      } else {
        const first = this.pick(tier, seq);
        order.push(first, ...tier.filter((c) => c !== first).sort(byWeight));
      }
    }
    return { order };
  }

  private nextLocal(key: string): number {
    const n = (this.positions.get(key) ?? 0) + 1;
    this.positions.set(key, n);
    return n;
  }

  private pick(tier: CatalogResource[], seq: number): CatalogResource {
    if (tier.length === 1) return tier[0];
    const sorted = [...tier].sort((a, b) => a.id.localeCompare(b.id));
    const signature = sorted.map((c) => `${c.id}:${c.weight}`).join(',');
    let schedule = this.schedules.get(signature);
    if (!schedule) {
      if (this.schedules.size >= MAX_SCHEDULES) this.schedules.clear();
      this.schedules.set(signature, (schedule = smoothSchedule(sorted)));
    }
    const id = schedule[(((seq - 1) % schedule.length) + schedule.length) % schedule.length];
    return tier.find((c) => c.id === id)!;
  }
}
