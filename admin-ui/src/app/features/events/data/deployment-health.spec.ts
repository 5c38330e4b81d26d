import type { DeploymentHealth } from '../../../core/api/api-types';
import { healthChips, healthSummary } from './deployment-health';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const health = (over: Partial<DeploymentHealth> = {}): DeploymentHealth => ({
  resourceId: 'r1',
  name: 'Chat EU',
  deploymentName: 'gpt-4o',
  priority: 0,
  weight: 1,
  active: true,
  breaker: 'closed',
  unavailableUntil: null,
  rateLimited: false,
  ...over,
});

describe('healthChips', () => {
  it('shows a closed breaker alone when the deployment is available', () => {
    expect(healthChips(health(), NOW).map((c) => [c.tone, c.label])).toEqual([['ok', 'Breaker closed']]);
  });

  it('shows a 429 cooldown with the time it ends in the event zone', () => {
    const chips = healthChips(health({ rateLimited: true, unavailableUntil: '2026-03-01T10:00:42Z' }), NOW, 'Europe/Berlin');
    expect(chips.map((c) => [c.tone, c.label])).toEqual([
      ['ok', 'Breaker closed'],
      ['warn', 'Cooling until 11:00:42'],
    ]);
    expect(chips[1].description).toContain('0 min 42 s');
  });

  it('shows an open breaker resting, then half-open once the rest is over', () => {
    const open = health({ breaker: 'open', unavailableUntil: '2026-03-01T10:00:15Z' });
    expect(healthChips(open, NOW).map((c) => [c.tone, c.label])).toEqual([
      ['error', 'Breaker open'],
      ['error', 'Resting until 10:00:15'],
    ]);
    expect(healthChips(open, NOW + 16_000).map((c) => c.label)).toEqual(['Breaker half-open']);
  });

  it('says Off for a switched-off deployment', () => {
    expect(healthChips(health({ active: false, breaker: 'open' }), NOW).map((c) => c.label)).toEqual(['Off']);
  });
});

describe('healthSummary', () => {
  it('counts open, cooling and healthy active deployments', () => {
    const items = [
      health(),
      health({ rateLimited: true, unavailableUntil: '2026-03-01T10:01:00Z' }),
      health({ breaker: 'open', unavailableUntil: '2026-03-01T10:01:00Z' }),
      health({ rateLimited: true, unavailableUntil: '2026-03-01T09:59:00Z' }),
      health({ active: false }),
    ];
    expect(healthSummary(items, NOW)).toEqual({ cooling: 1, open: 1, healthy: 2 });
  });
});
