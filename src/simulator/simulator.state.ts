import { FailSchedule } from './faults';
import { SeededRandom } from './random';
import { RateLimiter } from './rate-limiter';
import { RequestLog } from './request-log';
import type { SimulatorConfig } from './simulator.config';

/** Everything mutable in one simulator instance; routes read the config afresh on every request. */
export class SimulatorState {
  random: SeededRandom;
  readonly rateLimiter: RateLimiter;
  readonly failures: FailSchedule;
  readonly requests = new RequestLog(100);
  /** Aborted when the simulator closes, so fault delays never keep a process (or jest) alive. */
  readonly closing = new AbortController();

  constructor(
    private current: SimulatorConfig,
    now: () => number = Date.now,
  ) {
    this.random = new SeededRandom(current.seed);
    this.rateLimiter = new RateLimiter(now);
    this.failures = new FailSchedule(current.faults.fail_next);
  }

  get config(): SimulatorConfig {
    return this.current;
  }

  /** A new fail_next in the update re-arms the queue, even when it equals the old one. */
  replaceConfig(next: SimulatorConfig, options: { rearmFailures: boolean }): void {
    if (next.seed !== this.current.seed) this.random = new SeededRandom(next.seed);
    this.current = next;
    if (options.rearmFailures) this.failures.rearm(next.faults.fail_next);
  }

  /** Back to the state right after the current config was applied. */
  reset(): void {
    this.requests.clear();
    this.rateLimiter.reset();
    this.failures.rearm(this.current.faults.fail_next);
    this.random = new SeededRandom(this.current.seed);
  }

  createdAt(): number {
    return this.current.clock === 'real' ? Math.floor(Date.now() / 1000) : this.current.clock;
  }
}
