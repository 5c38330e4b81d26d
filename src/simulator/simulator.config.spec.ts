import { SimulatorConfigError, deepMerge, defaultConfig, mergeConfig, resolveConfig, validateConfig } from './simulator.config';

describe(resolveConfig.name, () => {
  it('fills every setting from the defaults', () => {
    const sut = resolveConfig();

    expect(sut).toEqual(defaultConfig());
    expect(sut.clock).toBe(1700000000);
    expect(sut.chunkWords).toBe(1);
    expect(sut.embeddingDimensions).toBe(8);
    expect(sut.allowUndefinedDeployments).toBe(true);
  });

  it('merges partial fault settings over the fault defaults', () => {
    const sut = resolveConfig({ faults: { latency_ms: 25 }, deployments: { mine: { model: 'gpt-4.1', tpm: 1000 } } });

    expect(sut.faults).toEqual({ latency_ms: 25, jitter_ms: 0, ttft_ms: 0, inter_chunk_ms: 0, fail_next: [] });
    expect(sut.deployments['mine']).toEqual({ model: 'gpt-4.1', tpm: 1000 });
    expect(sut.deployments['gpt-4o']).toBeDefined();
  });

  it('rejects an unknown key, naming it', () => {
    expect(() => resolveConfig({ chunkWord: 2 } as never)).toThrow(/chunkWord/);
  });

  it('rejects an invalid regular expression', () => {
    expect(() => resolveConfig({ faults: { content_filter_regex: '(' } })).toThrow(SimulatorConfigError);
  });

  it('rejects a fail_next status outside 4xx/5xx', () => {
    expect(() => resolveConfig({ faults: { fail_next: [{ status: 200, count: 1 }] } })).toThrow(/status/);
  });

  it('accepts the real clock', () => {
    expect(resolveConfig({ clock: 'real' }).clock).toBe('real');
  });
});

describe(deepMerge.name, () => {
  it('merges objects, replaces arrays and removes keys set to null', () => {
    const sut = deepMerge({ a: { b: 1, c: 2 }, list: [1, 2], gone: 'x' }, { a: { c: 3 }, list: [9], gone: null });

    expect(sut).toEqual({ a: { b: 1, c: 3 }, list: [9] });
  });

  it('ignores prototype keys', () => {
    const sut = deepMerge({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;

    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(sut)).toEqual([]);
  });
});

describe(validateConfig.name, () => {
  it('unsets an optional knob through a null patch', () => {
    const base = resolveConfig({ faults: { content_filter_regex: 'bomb' } });

    const sut = validateConfig(mergeConfig(base, { faults: { content_filter_regex: null } }));

    expect(sut.faults.content_filter_regex).toBeUndefined();
  });
});
