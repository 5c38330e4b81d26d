import type { CatalogResource } from '../../catalog/catalog.types';
import { smoothSchedule, WeightedRoundRobinBalancer } from './weighted-round-robin.balancer';

function backend(id: string, priority = 0, weight = 1): CatalogResource {
  return {
    id,
    name: id,
    deploymentName: 'gpt',
    modelClass: 'openai-chat',
    upstream: 'azure',
    endpointUrl: `https://${id}.example`,
    apiKey: null,
    apiVersion: null,
    modelName: null,
    priority,
    weight,
    tokensPerMinute: null,
    requestsPerMinute: null,
    active: true,
  };
}

const healthy = () => ({ unavailableUntil: 0 });

describe(WeightedRoundRobinBalancer.name, () => {
  it('spreads requests by weight within a tier', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a', 0, 3), backend('b', 0, 1)];
    const firsts = Array.from({ length: 8 }, () => sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0 }).order[0].id);
    expect(firsts.filter((id) => id === 'a')).toHaveLength(6);
    expect(firsts.filter((id) => id === 'b')).toHaveLength(2);
    // Smooth: never three b's or four a's in a row.
    expect(firsts.join('')).not.toMatch(/aaaa|bb/);
  });

  it('prefers the lowest priority tier and lists the others as failover', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('backup', 1), backend('primary', 0)];
    const { order } = sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0 });
    expect(order.map((c) => c.id)).toEqual(['primary', 'backup']);
  });

  it('includes every usable backend once, rotating the first of a tier', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a'), backend('b'), backend('c')];
    const orders = Array.from({ length: 3 }, () => sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0 }).order.map((c) => c.id));
    for (const order of orders) expect([...order].sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(orders.map((o) => o[0])).size).toBe(3);
  });

  it('skips unavailable backends', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a'), backend('b')];
    const state = (id: string) => ({ unavailableUntil: id === 'a' ? 5_000 : 0 });
    for (let i = 0; i < 4; i++) expect(sut.decide({ poolKey: 'p', candidates, state, now: 1_000 }).order.map((c) => c.id)).toEqual(['b']);
  });

  it('reports the soonest recovery when every backend is unavailable', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a'), backend('b')];
    const state = (id: string) => ({ unavailableUntil: id === 'a' ? 9_000 : 4_000 });
    expect(sut.decide({ poolKey: 'p', candidates, state, now: 1_000 })).toEqual({ order: [], retryAfterMs: 3_000 });
  });

  it('returns nothing for an empty pool', () => {
    expect(new WeightedRoundRobinBalancer().decide({ poolKey: 'p', candidates: [], state: healthy, now: 0 })).toEqual({ order: [] });
  });

  it('unrolls smooth round-robin into one period', () => {
    expect(smoothSchedule([backend('a', 0, 3), backend('b', 0, 1)])).toEqual(['a', 'a', 'b', 'a']);
    expect(smoothSchedule([backend('a', 0, 2), backend('b', 0, 2), backend('c', 0, 1)])).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('follows a shared position, so two instances given consecutive positions never pick the same first', () => {
    const one = new WeightedRoundRobinBalancer();
    const two = new WeightedRoundRobinBalancer();
    const candidates = [backend('a', 0, 3), backend('b', 0, 1)];
    const firsts = [1, 2, 3, 4, 5, 6, 7, 8].map((position) =>
      (position % 2 ? one : two).decide({ poolKey: 'p', candidates, state: healthy, now: 0, position }).order[0].id,
    );
    expect(firsts).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });

  it('prefers the backend with the most quota headroom within a tier, before lower tiers', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('heavy', 0, 10), backend('roomy', 0, 1), backend('backup', 1)];
    const headroom = (id: string) => ({ heavy: 2_000, roomy: 90_000, backup: 1_000_000 })[id];
    for (let position = 1; position <= 5; position++) {
      expect(sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0, position, headroom }).order.map((c) => c.id)).toEqual(['roomy', 'heavy', 'backup']);
    }
  });

  it('shares near-equal headroom by weight', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a', 0, 3), backend('b', 0, 1), backend('low', 0, 5)];
    const headroom = (id: string) => ({ a: 100_000, b: 95_000, low: 10 })[id];
    const firsts = [1, 2, 3, 4].map((position) => sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0, position, headroom }).order[0].id);
    expect(firsts).toEqual(['a', 'a', 'b', 'a']);
  });

  it('keeps weights when some backend has not reported its quota', () => {
    const sut = new WeightedRoundRobinBalancer();
    const candidates = [backend('a', 0, 3), backend('b', 0, 1)];
    const headroom = (id: string) => (id === 'b' ? 1_000_000 : undefined);
    const firsts = [1, 2, 3, 4].map((position) => sut.decide({ poolKey: 'p', candidates, state: healthy, now: 0, position, headroom }).order[0].id);
    expect(firsts).toEqual(['a', 'a', 'b', 'a']);
  });
});
