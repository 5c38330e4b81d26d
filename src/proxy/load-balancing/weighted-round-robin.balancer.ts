import { Injectable } from '@nestjs/common';
import type { CatalogResource } from '../../catalog/catalog.types';
import { BalancerDecision, BalancerInput, LoadBalancer } from './load-balancer';

/**
 * Lowest `priority` first; within a tier, smooth weighted round-robin (nginx's algorithm: every pick
 * adds each weight to its current score, the highest score wins and pays back the total), so weights
 * 3:1 give A A B A … rather than bursts. The remaining backends follow as failover order.
 */
@Injectable()
export class WeightedRoundRobinBalancer extends LoadBalancer {
  /** poolKey → resourceId → current score. */
  private readonly scores = new Map<string, Map<string, number>>();

  decide({ poolKey, candidates, state, now }: BalancerInput): BalancerDecision {
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
      const first = this.pick(`${poolKey}|${priority}`, tier);
      order.push(first, ...tier.filter((c) => c !== first).sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id)));
    }
    return { order };
  }

  private pick(key: string, tier: CatalogResource[]): CatalogResource {
    if (tier.length === 1) return tier[0];
    let scores = this.scores.get(key);
    if (!scores) this.scores.set(key, (scores = new Map()));
    let total = 0;
    let best: CatalogResource | undefined;
    let bestScore = -Infinity;
    for (const c of tier) {
      const score = (scores.get(c.id) ?? 0) + c.weight;
      scores.set(c.id, score);
      total += c.weight;
      if (score > bestScore || (score === bestScore && best && c.id < best.id)) {
        best = c;
        bestScore = score;
      }
    }
    scores.set(best!.id, bestScore - total);
    // Forget backends that left the tier so a returning one starts fresh.
    if (scores.size > tier.length) for (const id of scores.keys()) if (!tier.some((c) => c.id === id)) scores.delete(id);
    return best!;
  }
}
