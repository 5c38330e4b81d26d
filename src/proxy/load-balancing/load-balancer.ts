import type { CatalogResource } from '../../catalog/catalog.types';

/** What the balancer knows about one backend right now, fed by BackendHealthService. */
export interface BackendState {
  /** Epoch ms until which the backend must not be used (429 cooldown or open breaker); 0 when usable. */
  unavailableUntil: number;
}

export interface BalancerInput {
  /** Stable key of the pool being balanced (event + deployment), for round-robin position. */
  poolKey: string;
  candidates: readonly CatalogResource[];
  state: (resourceId: string) => BackendState;
  now: number;
  /** The pool's shared round-robin position (1, 2, …), so every worker and replica walks one sequence. */
  position?: number;
  /** Remaining upstream quota a backend last reported; undefined when it has not said recently. */
  headroom?: (resourceId: string) => number | undefined;
}

export interface BalancerDecision {
  /** Backends to try, best first. Empty when every candidate is unavailable. */
  order: CatalogResource[];
  /** When `order` is empty: ms until the soonest candidate becomes usable again. */
  retryAfterMs?: number;
}

/** Decides *where to* send a request. A DI token of its own; strategies are bound with useClass. */
export abstract class LoadBalancer {
  abstract decide(input: BalancerInput): BalancerDecision;
}
