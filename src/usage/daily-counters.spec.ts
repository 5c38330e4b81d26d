import { DailyCounters } from './daily-counters';

describe(DailyCounters.name, () => {
  it('admits exactly the cap under concurrent first requests, loading once', async () => {
    let loads = 0;
    const sut = new DailyCounters(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return { requests: 2, tokens: 0 };
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => sut.tryTake('a', '2026-01-01', 10)));
    expect(results.filter((r) => r.ok)).toHaveLength(8);
    expect(loads).toBe(1);
    expect((await sut.peek('a', '2026-01-01')).requests).toBe(10);
  });

  it('keeps days and attendees apart, refunds and adds tokens', async () => {
    const sut = new DailyCounters(async () => ({ requests: 0, tokens: 0 }));
    await sut.tryTake('a', 'd1', 1);
    expect((await sut.tryTake('a', 'd1', 1)).ok).toBe(false);
    expect((await sut.tryTake('a', 'd2', 1)).ok).toBe(true);
    expect((await sut.tryTake('b', 'd1', 1)).ok).toBe(true);
    sut.refund('a', 'd1');
    sut.addTokens('a', 'd1', 42);
    expect(await sut.peek('a', 'd1')).toEqual({ requests: 0, tokens: 42 });
  });

  it('retries a failed load on the next request', async () => {
    let calls = 0;
    const sut = new DailyCounters(async () => {
      if (calls++ === 0) throw new Error('db down');
      return { requests: 0, tokens: 0 };
    });
    await expect(sut.tryTake('a', 'd', 1)).rejects.toThrow('db down');
    await expect(sut.tryTake('a', 'd', 1)).resolves.toEqual({ ok: true, used: 1 });
  });
});
