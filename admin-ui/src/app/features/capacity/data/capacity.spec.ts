import { liveHeadroom, planCapacity, sumSupply, verdictFor, type DeploymentLimits } from './capacity';

const dep = (name: string, tokensPerMinute: number | null, requestsPerMinute: number | null, active = true): DeploymentLimits => ({
  name,
  tokensPerMinute,
  requestsPerMinute,
  active,
});

describe('capacity planner', () => {
  it('sums the quotas of active deployments only and names those without limits', () => {
    const supply = sumSupply([dep('a', 100_000, 600), dep('b', 50_000, null), dep('off', 1_000_000, 1000, false)]);
    expect(supply).toEqual({ tpm: 150_000, rpm: 600, unknown: ['b'] });
  });

  it('multiplies attendees × requests per minute × tokens per request', () => {
    const plan = planCapacity({ attendees: 100, requestsPerMinute: 2, tokensPerRequest: 500 }, [dep('a', 240_000, 1_000)]);
    expect(plan.demandRpm).toBe(200);
    expect(plan.demandTpm).toBe(100_000);
    expect(plan.utilisation).toBeCloseTo(100_000 / 240_000);
    expect(plan.verdict).toBe('ok');
    // 240k TPM / (2 × 500) = 240 attendees; 1000 RPM / 2 = 500: tokens bind first.
    expect(plan.maxAttendees).toBe(240);
    expect(plan.summary).toContain('42%');
  });

  it('judges by the tighter of TPM and RPM', () => {
    const plan = planCapacity({ attendees: 100, requestsPerMinute: 3, tokensPerRequest: 100 }, [dep('a', 1_000_000, 250)]);
    expect(plan.utilisation).toBeCloseTo(300 / 250);
    expect(plan.verdict).toBe('over');
    expect(plan.maxAttendees).toBe(83);
    expect(plan.summary).toContain('50 more RPM');
    expect(plan.summary).not.toContain('TPM');
  });

  it('calls more than 80% of the quota tight, and over 100% not enough', () => {
    expect(verdictFor(0.8)).toBe('ok');
    expect(verdictFor(0.81)).toBe('tight');
    expect(verdictFor(1)).toBe('tight');
    expect(verdictFor(1.01)).toBe('over');
    expect(verdictFor(null)).toBe('unknown');
    const over = planCapacity({ attendees: 50, requestsPerMinute: 1, tokensPerRequest: 2_000 }, [dep('a', 60_000, 100), dep('b', 30_000, 100)]);
    expect(over.verdict).toBe('over');
    expect(over.summary).toContain('10,000 more TPM');
    expect(over.maxAttendees).toBe(45);
  });

  it('cannot judge without limits, and says when nothing is attached', () => {
    const unknown = planCapacity({ attendees: 10, requestsPerMinute: 1, tokensPerRequest: 100 }, [dep('a', null, null)]);
    expect(unknown.verdict).toBe('unknown');
    expect(unknown.maxAttendees).toBeNull();
    const none = planCapacity({ attendees: 10, requestsPerMinute: 1, tokensPerRequest: 100 }, []);
    expect(none.summary).toContain('No active deployment');
  });

  it('treats zero demand as fitting and clamps negative input', () => {
    const plan = planCapacity({ attendees: -5, requestsPerMinute: 2, tokensPerRequest: 100 }, [dep('a', 1000, 10)]);
    expect(plan.demandRpm).toBe(0);
    expect(plan.verdict).toBe('ok');
  });

  it('computes live headroom from the last minutes of usage', () => {
    const live = liveHeadroom({ tpm: 100_000, rpm: 600, unknown: [] }, { requests: 1500, tokens: 450_000, minutes: 5 });
    expect(live.usedRpm).toBe(300);
    expect(live.usedTpm).toBe(90_000);
    expect(live.freeRpm).toBe(300);
    expect(live.freeTpm).toBe(10_000);
    expect(live.utilisation).toBeCloseTo(0.9);
    expect(live.verdict).toBe('tight');
  });
});
