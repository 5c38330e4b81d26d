import { FailQueue, FailSchedule, FaultHeaderError, parseFailNext, resolveFaults } from './faults';
import { defaultConfig } from './simulator.config';

describe(resolveFaults.name, () => {
  const config = { ...defaultConfig().faults, latency_ms: 10, filter_stream_after: 3 };

  it('uses the config when no header overrides it', () => {
    const sut = resolveFaults(config, {});

    expect(sut).toMatchObject({ latencyMs: 10, jitterMs: 0, filterStreamAfter: 3, failNext: { source: 'config' } });
    expect(sut.contentFilter).toBeUndefined();
    expect(sut.rateLimitOverride).toBeUndefined();
  });

  it('lets x-mock-* headers override each knob', () => {
    const sut = resolveFaults(config, {
      'x-mock-latency-ms': '5',
      'x-mock-jitter-ms': '2',
      'x-mock-ttft-ms': '7',
      'x-mock-inter-chunk-ms': '1',
      'x-mock-filter-stream-after': '0',
      'x-mock-stream-error-after': '4',
      'x-mock-drop-after': '6',
      'x-mock-content-filter-regex': 'b.mb',
      'x-mock-x-should-retry': 'false',
      'x-mock-rate-limit': '{"rpm":1,"window_s":5}',
      'x-mock-fail-next': '503x2',
    });

    expect(sut).toMatchObject({
      latencyMs: 5,
      jitterMs: 2,
      ttftMs: 7,
      interChunkMs: 1,
      filterStreamAfter: 0,
      streamErrorAfter: 4,
      dropAfter: 6,
      xShouldRetry: false,
      rateLimitOverride: { rpm: 1, window_s: 5 },
      failNext: { source: 'header', key: '503x2', rules: [{ status: 503, count: 2 }] },
    });
    expect(sut.contentFilter?.test('A BOMB')).toBe(true);
  });

  it('rejects malformed headers, naming the header', () => {
    expect(() => resolveFaults(config, { 'x-mock-latency-ms': '-1' })).toThrow(FaultHeaderError);
    expect(() => resolveFaults(config, { 'x-mock-content-filter-regex': '(' })).toThrow(/x-mock-content-filter-regex/);
    expect(() => resolveFaults(config, { 'x-mock-rate-limit': '{"tpm":"x"}' })).toThrow(/x-mock-rate-limit/);
    expect(() => resolveFaults(config, { 'x-mock-x-should-retry': 'maybe' })).toThrow(/x-should-retry/);
  });
});

describe(parseFailNext.name, () => {
  it('reads JSON rules', () => {
    expect(parseFailNext('[{"status":429,"count":2,"retry_after_ms":50}]')).toEqual([{ status: 429, count: 2, retry_after_ms: 50 }]);
    expect(parseFailNext('{"status":500,"count":1}')).toEqual([{ status: 500, count: 1 }]);
  });

  it('reads the shorthand', () => {
    expect(parseFailNext('500x2, 429')).toEqual([
      { status: 500, count: 2 },
      { status: 429, count: 1 },
    ]);
  });

  it('rejects nonsense', () => {
    expect(() => parseFailNext('200')).toThrow(FaultHeaderError);
    expect(() => parseFailNext('[{"status":500}]')).toThrow(FaultHeaderError);
  });
});

describe(FailQueue.name, () => {
  it('hands out failures in order, then nothing', () => {
    const sut = new FailQueue([
      { status: 500, count: 2 },
      { status: 429, count: 1, retry_after_ms: 5 },
    ]);

    expect([sut.take()?.status, sut.take()?.status, sut.take(), sut.take()]).toEqual([500, 500, { status: 429, count: 1, retry_after_ms: 5 }, undefined]);
    expect(sut.remaining).toBe(0);
  });
});

describe(FailSchedule.name, () => {
  const fromConfig = resolveFaults(defaultConfig().faults, {});
  const fromHeader = resolveFaults(defaultConfig().faults, { 'x-mock-fail-next': '500' });

  it('counts header rules per header value, apart from the config queue', () => {
    const sut = new FailSchedule([{ status: 503, count: 1 }]);

    expect(sut.take(fromHeader)?.status).toBe(500);
    expect(sut.take(fromHeader)).toBeUndefined();
    expect(sut.take(fromConfig)?.status).toBe(503);
    expect(sut.take(fromConfig)).toBeUndefined();
  });

  it('re-arms from the config and forgets header counters', () => {
    const sut = new FailSchedule([{ status: 503, count: 1 }]);
    sut.take(fromConfig);
    sut.take(fromHeader);

    sut.rearm();

    expect(sut.take(fromConfig)?.status).toBe(503);
    expect(sut.take(fromHeader)?.status).toBe(500);
  });
});
