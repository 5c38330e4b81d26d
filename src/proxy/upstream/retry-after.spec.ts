import { retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  it('prefers retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1500);
  });

  it('reads retry-after in seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '33' })).toBe(33_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }, now)).toBe(10_000);
  });

  it('falls back to the x-ratelimit-reset family with OpenAI durations', () => {
    expect(retryAfterMs({ 'x-ratelimit-reset-requests': '6m0s' })).toBe(360_000);
    expect(retryAfterMs({ 'x-ratelimit-reset-tokens': '12ms' })).toBe(12);
    expect(retryAfterMs({ 'x-rate-limit-reset-tokens': '2' })).toBe(2_000);
  });

  it('is undefined when nothing usable is present', () => {
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
