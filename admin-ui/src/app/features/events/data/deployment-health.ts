import type { DeploymentHealth } from '../../../core/api/api-types';
import { formatDuration } from '../../../shared/format';

export interface HealthChip {
  tone: 'ok' | 'warn' | 'error' | 'off';
  label: string;
  /** Longer text for a tooltip and screen readers. */
  description: string;
}

/** "14:05:09" in the event's zone. */
function clock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(ms));
}

/**
 * The chips of one deployment: its breaker, and while the balancer skips it, why and until when. A
 * cooldown that has run out by `now` is not shown, even before the next refresh says so.
 */
export function healthChips(h: DeploymentHealth, now: number, timeZone = 'UTC'): HealthChip[] {
  if (!h.active) return [{ tone: 'off', label: 'Off', description: 'Switched off: the balancer never sends it requests.' }];
  const chips: HealthChip[] = [];
  const until = h.unavailableUntil ? Date.parse(h.unavailableUntil) : 0;
  const waiting = until > now;
  if (h.breaker === 'open' && waiting) {
    chips.push({ tone: 'error', label: 'Breaker open', description: 'It failed repeatedly, so the balancer rests it.' });
  } else if (h.breaker === 'open' || h.breaker === 'half-open') {
    chips.push({ tone: 'warn', label: 'Breaker half-open', description: 'Resting is over: the next request is a trial that closes or reopens the breaker.' });
  } else {
    chips.push({ tone: 'ok', label: 'Breaker closed', description: 'Taking requests normally.' });
  }
  if (waiting) {
    const left = formatDuration(until - now);
    const at = clock(until, timeZone);
    chips.push(
      h.rateLimited
        ? { tone: 'warn', label: `Cooling until ${at}`, description: `The upstream answered 429 (rate limited); skipped for ${left} more.` }
        : { tone: 'error', label: `Resting until ${at}`, description: `Skipped for ${left} more while the breaker is open.` },
    );
  }
  return chips;
}

/** The most urgent state of a set of deployments, for a summary line. */
export function healthSummary(items: DeploymentHealth[], now: number): { cooling: number; open: number; healthy: number } {
  let cooling = 0;
  let open = 0;
  for (const h of items) {
    if (!h.active) continue;
    const waiting = h.unavailableUntil !== null && Date.parse(h.unavailableUntil) > now;
    if (h.breaker === 'open' && waiting) open++;
    else if (h.rateLimited && waiting) cooling++;
  }
  return { cooling, open, healthy: items.filter((h) => h.active).length - cooling - open };
}
