import { MemoryStore } from './memory-store';

describe(MemoryStore.name, () => {
  it('admits all windows or none', () => {
    const sut = new MemoryStore(() => 0);
    const windows = [
      { key: 'a', amount: 5, limit: 10, ttlMs: 1_000 },
      { key: 'b', amount: 5, limit: 3, ttlMs: 1_000 },
    ];
    expect(sut.admitSync(windows)).toEqual({ status: 'admitted', values: [5, 5] });
    expect(sut.admitSync(windows)).toEqual({ status: 'refused', index: 1, current: 5 });
    // The refused admission left window a untouched.
    expect(sut.getSync(['a', 'b'])).toEqual([5, 5]);
  });

  it('asks for a seed when a seeded window is absent, and uses it once given', () => {
    const sut = new MemoryStore(() => 0);
    expect(sut.admitSync([{ key: 'n', amount: 0, limit: null, ttlMs: 1_000 }, { key: 's', amount: 1, limit: 5, ttlMs: 1_000, seeded: true }])).toEqual({
      status: 'missing',
      indexes: [1],
    });
    expect(sut.admitSync([{ key: 's', amount: 1, limit: 5, ttlMs: 1_000, seeded: true, seed: 4 }])).toEqual({ status: 'admitted', values: [5] });
    expect(sut.admitSync([{ key: 's', amount: 1, limit: 5, ttlMs: 1_000, seeded: true, seed: 0 }])).toEqual({ status: 'refused', index: 0, current: 5 });
  });

  it('expires windows, adjusts only live ones and never below zero', () => {
    let now = 0;
    const sut = new MemoryStore(() => now);
    sut.admitSync([{ key: 'w', amount: 3, limit: null, ttlMs: 100 }]);
    sut.adjustSync([
      { key: 'w', delta: -10, ttlMs: 100 },
      { key: 'gone', delta: 5, ttlMs: 100 },
    ]);
    expect(sut.getSync(['w', 'gone'])).toEqual([0, null]);
    now = 100;
    expect(sut.getSync(['w'])).toEqual([null]);
  });

  it('counts sequences and drains only what it added on top of seeds', () => {
    const sut = new MemoryStore(() => 0);
    expect([sut.nextSync('rr', 1_000), sut.nextSync('rr', 1_000)]).toEqual([1, 2]);
    sut.admitSync([{ key: 's', amount: 2, limit: null, ttlMs: 1_000, seeded: true, seed: 40 }]);
    expect(sut.drain()).toEqual([{ key: 's', value: 42, delta: 2, ttlMs: 1_000 }]);
    expect(sut.size).toBe(0);
  });
});
