import type { BackendState } from './load-balancer';

export interface BreakerSettings {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
}

interface Health {
  cooldownUntil: number;
  failures: number[];
  openUntil: number;
  /** Half-open: one trial request is in flight. */
  trialInFlight: boolean;
  state: 'closed' | 'open' | 'half-open';
}

/**
 * Cooldowns (a 429's retry-after) and a circuit breaker per backend. Pure state with an injected
 * clock value, so it is unit-tested without timers.
 */
export class BackendHealth {
  private readonly backends = new Map<string, Health>();

  constructor(private readonly settings: BreakerSettings) {}

  private get(id: string): Health {
    let h = this.backends.get(id);
    if (!h) this.backends.set(id, (h = { cooldownUntil: 0, failures: [], openUntil: 0, trialInFlight: false, state: 'closed' }));
    return h;
  }

  state(id: string, now: number): BackendState {
    const h = this.backends.get(id);
    if (!h) return { unavailableUntil: 0 };
    let breakerUntil = 0;
    if (h.state === 'open') breakerUntil = h.openUntil > now ? h.openUntil : 0;
    // Half-open admits exactly one trial; others wait for its outcome.
    if (h.state === 'half-open' && h.trialInFlight) breakerUntil = now + 1_000;
    return { unavailableUntil: Math.max(h.cooldownUntil > now ? h.cooldownUntil : 0, breakerUntil) };
  }

  /** Called when a request is about to be sent; moves an expired open breaker to half-open. */
  beginAttempt(id: string, now: number): void {
    const h = this.get(id);
    if (h.state === 'open' && h.openUntil <= now) {
      h.state = 'half-open';
      h.trialInFlight = true;
    } else if (h.state === 'half-open') {
      h.trialInFlight = true;
    }
  }

  success(id: string): void {
    const h = this.get(id);
    h.state = 'closed';
    h.failures = [];
    h.trialInFlight = false;
  }

  /** A failure counts toward the breaker; `cooldownMs` (from retry-after) also parks the backend. */
  failure(id: string, now: number, cooldownMs?: number): void {
    const h = this.get(id);
    if (cooldownMs !== undefined && cooldownMs > 0) h.cooldownUntil = Math.max(h.cooldownUntil, now + cooldownMs);
    if (h.state === 'half-open') {
      h.state = 'open';
      h.openUntil = now + this.settings.openMs;
      h.trialInFlight = false;
      return;
    }
    h.failures = h.failures.filter((t) => t > now - this.settings.windowMs);
    h.failures.push(now);
    if (h.failures.length >= this.settings.failureThreshold) {
      h.state = 'open';
      h.openUntil = now + this.settings.openMs;
      h.failures = [];
    }
  }

  /** A 429: the backend is healthy but full. Parks it without counting toward the breaker. */
  cooldown(id: string, now: number, ms: number): void {
    const h = this.get(id);
    h.cooldownUntil = Math.max(h.cooldownUntil, now + ms);
    h.trialInFlight = false;
  }

  /** Whether a 429's retry-after still parks the backend: full, as opposed to failing (an open breaker). */
  rateLimited(id: string, now: number): boolean {
    return (this.backends.get(id)?.cooldownUntil ?? 0) > now;
  }

  /** An attempt that ended without a verdict (client went away): frees a half-open trial slot. */
  abandon(id: string): void {
    const h = this.backends.get(id);
    if (h) h.trialInFlight = false;
  }

  breakerState(id: string, now: number): 'closed' | 'open' | 'half-open' {
    const h = this.backends.get(id);
    if (!h) return 'closed';
    if (h.state === 'open' && h.openUntil <= now) return 'half-open';
    return h.state;
  }
}
