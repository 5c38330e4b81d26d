import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { createPinoLogger, REDACT_PATHS } from './logger';
import { LazyChildLogger, lazyChildLoggerFactory } from './lazy-child-logger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createPinoLogger(level, false, sink) as unknown as FastifyBaseLogger };
}

describe('LazyChildLogger', () => {
  it('writes what a pino child writes: the bindings, the level, the message, redaction', () => {
    const { lines, logger } = capture('info');
    const lazy = lazyChildLoggerFactory(logger, { reqId: 'r-1' }, {});
    const eager = logger.child({ reqId: 'r-1' });
    for (const log of [lazy, eager]) log.warn({ status: 502, headers: { authorization: 'Bearer aip_secret' } }, 'upstream refused');
    const strip = ({ time: _time, ...rest }: Record<string, unknown>) => rest;
    expect(lines).toHaveLength(2);
    expect(strip(lines[0])).toEqual(strip(lines[1]));
    expect(lines[0]).toMatchObject({ level: 40, reqId: 'r-1', status: 502, msg: 'upstream refused' });
    expect(JSON.stringify(lines)).not.toContain('aip_secret');
    expect(REDACT_PATHS.length).toBeGreaterThan(0);
  });

  it('makes no pino child for lines below the level, and one on the first line that is written', () => {
    const { lines, logger } = capture('warn');
    const child = jest.spyOn(logger, 'child');
    const lazy = lazyChildLoggerFactory(logger, { reqId: 'r-2' }, {});
    lazy.info({ ms: 3 }, 'request');
    lazy.debug('detail');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toHaveLength(0);
    lazy.error(new Error('boom'), 'failed');
    lazy.warn('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.level, l.reqId, l.msg])).toEqual([
      [50, 'r-2', 'failed'],
      [40, 'r-2', 'again'],
    ]);
  });

  it("keeps a route's own level or serializers on an eager child, and nests children with both bindings", () => {
    const { lines, logger } = capture('info');
    expect(lazyChildLoggerFactory(logger, { reqId: 'r-3' }, { level: 'debug' })).not.toBeInstanceOf(LazyChildLogger);
    const lazy = lazyChildLoggerFactory(logger, { reqId: 'r-4' }, {});
    expect(lazy).toBeInstanceOf(LazyChildLogger);
    expect(lazy.level).toBe('info');
    lazy.child({ attempt: 2 }).info('nested');
    expect(lines[0]).toMatchObject({ reqId: 'r-4', attempt: 2, msg: 'nested' });
  });
});
