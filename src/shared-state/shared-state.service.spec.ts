import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { SharedStateService } from './shared-state.service';

const config = (redisUrl?: string) => ({ scale: { workers: 1, redisUrl, redisKeyPrefix: 'unit:' } }) as AppConfig;

describe(SharedStateService.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps state in this process without Redis or a cluster', async () => {
    const sut = new SharedStateService(config());
    await sut.onModuleInit();
    expect([sut.mode, sut.shared]).toEqual(['memory', false]);
    expect(await sut.admit([{ key: 'k', amount: 1, limit: 1, ttlMs: 1_000 }])).toEqual({ status: 'admitted', values: [1] });
    expect(await sut.admit([{ key: 'k', amount: 1, limit: 1, ttlMs: 1_000 }])).toEqual({ status: 'refused', index: 0, current: 1 });
    expect([await sut.next('rr', 1_000), await sut.next('rr', 1_000)]).toEqual([1, 2]);
    await sut.onApplicationShutdown();
  });

  it('serves from local counters while Redis is unreachable, saying so once, not per request', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    // Nothing listens on port 1.
    const sut = new SharedStateService(config('redis://127.0.0.1:1'));
    await sut.onModuleInit();
    try {
      expect([sut.mode, sut.shared]).toEqual(['redis', false]);
      const loads: number[] = [];
      const window = () => ({ key: 'cap', amount: 1, limit: 3, ttlMs: 60_000, load: async () => (loads.push(1), 1) });
      const results = [];
      for (let i = 0; i < 4; i++) results.push((await sut.admit([window()])).status);
      // Seeded from the "database" (1 used), then 2 more admitted locally.
      expect(results).toEqual(['admitted', 'admitted', 'refused', 'refused']);
      expect(loads).toHaveLength(1);
      const outage = errors.mock.calls.filter(([, message]) => String(message).includes('REDIS UNREACHABLE'));
      expect(outage).toHaveLength(1);
    } finally {
      await sut.onApplicationShutdown();
    }
  });

  it('delivers published messages to subscribers of other processes only', () => {
    const sut = new SharedStateService(config());
    const seen: unknown[] = [];
    sut.subscribe('c', (d) => seen.push(d));
    // In one process there is nobody else to tell: the publisher applies its own change itself.
    sut.publish('c', { x: 1 });
    expect(seen).toEqual([]);
  });
});
