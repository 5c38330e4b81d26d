import { BackendHealth } from './backend-health';

describe(BackendHealth.name, () => {
  const settings = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000 };

  it('parks a backend for the cooldown a 429 asked for', () => {
    const sut = new BackendHealth(settings);
    sut.failure('a', 1_000, 2_000);
    expect(sut.state('a', 1_500).unavailableUntil).toBe(3_000);
    expect(sut.state('a', 3_000).unavailableUntil).toBe(0);
  });

  it('does not trip the breaker for 429 cooldowns', () => {
    const sut = new BackendHealth(settings);
    for (const t of [0, 1, 2, 3]) sut.cooldown('a', t, 100);
    expect(sut.breakerState('a', 10)).toBe('closed');
    expect(sut.state('a', 10).unavailableUntil).toBe(103);
  });

  it('tells a rate-limited backend from one resting behind an open breaker', () => {
    const sut = new BackendHealth(settings);
    sut.cooldown('full', 0, 2_000);
    for (const t of [0, 1, 2]) sut.failure('failing', t);
    expect(sut.rateLimited('full', 1_000)).toBe(true);
    expect(sut.rateLimited('full', 2_000)).toBe(false);
    expect(sut.rateLimited('failing', 1_000)).toBe(false);
    expect(sut.state('failing', 1_000).unavailableUntil).toBeGreaterThan(1_000);
  });

  it('opens after repeated failures within the window', () => {
    const sut = new BackendHealth(settings);
    sut.failure('a', 0);
    sut.failure('a', 1_000);
    expect(sut.breakerState('a', 1_000)).toBe('closed');
    sut.failure('a', 2_000);
    expect(sut.breakerState('a', 2_000)).toBe('open');
    expect(sut.state('a', 3_000).unavailableUntil).toBe(7_000);
  });

  it('does not open for failures spread wider than the window', () => {
    const sut = new BackendHealth(settings);
    sut.failure('a', 0);
    sut.failure('a', 6_000);
    sut.failure('a', 12_000);
    expect(sut.breakerState('a', 12_000)).toBe('closed');
  });

  it('lets one trial through after the trip time, closing on success', () => {
    const sut = new BackendHealth(settings);
    for (const t of [0, 1, 2]) sut.failure('a', t);
    expect(sut.state('a', 5_002).unavailableUntil).toBe(0);
    sut.beginAttempt('a', 5_002);
    expect(sut.breakerState('a', 5_002)).toBe('half-open');
    // While the trial is in flight no other request goes there.
    expect(sut.state('a', 5_003).unavailableUntil).toBeGreaterThan(5_003);
    sut.success('a');
    expect(sut.breakerState('a', 5_004)).toBe('closed');
    expect(sut.state('a', 5_004).unavailableUntil).toBe(0);
  });

  it('re-opens when the trial fails', () => {
    const sut = new BackendHealth(settings);
    for (const t of [0, 1, 2]) sut.failure('a', t);
    sut.beginAttempt('a', 6_000);
    sut.failure('a', 6_000);
    expect(sut.breakerState('a', 6_000)).toBe('open');
    expect(sut.state('a', 6_000).unavailableUntil).toBe(11_000);
  });
});
