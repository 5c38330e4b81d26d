import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';

/**
 * One round trip, atomic: count the hit in a fixed window (INCR, PEXPIRE on the first hit) and, past
 * the limit, block the caller for the block duration. KEYS: hits, block. ARGV: ttl ms, limit, block ms.
 * Returns { hits, window ms left, blocked 0/1, block ms left }.
 */
const HIT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft }
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if hits == 1 or left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return { hits, left, 1, tonumber(ARGV[3]) }
end
return { hits, left, 0, 0 }
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type ThrottleRedis = Redis & { throttleHit(hits: string, block: string, ttl: number, limit: number, block_: number): Promise<[number, number, number, number]> };

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * Throttler storage shared by every instance through Redis, so a registration code cannot be
 * brute-forced by spreading guesses over replicas. While Redis is unreachable each process throttles
 * with its own memory (logged as an error once per outage) rather than letting everyone through.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('ThrottlerStorage');
  private readonly memory = new ThrottlerStorageService();
  private readonly redis: ThrottleRedis;
  private up = false;
  private outageLogged = false;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      // Fail fast while disconnected: a throttled route must not hang waiting for Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (times: number) => Math.min(200 * times, 5_000),
    }) as ThrottleRedis;
    this.redis.defineCommand('throttleHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    this.redis.on('ready', () => {
      if (this.outageLogged) this.logger.log('Redis is back: registration throttling is shared across instances again');
      this.up = true;
      this.outageLogged = false;
    });
    this.redis.on('error', (err: Error) => this.down(err));
    this.redis.on('close', () => this.down(new Error('connection closed')));
    this.redis.connect().catch((err: Error) => this.down(err));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.up) {
      try {
        const base = `${this.prefix}throttle:${throttlerName}:${key}`;
        const [hits, left, blocked, blockLeft] = await this.redis.throttleHit(base, `${base}:blocked`, ttl, limit, Math.max(1, blockDuration));
        return { totalHits: hits, timeToExpire: seconds(left), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockLeft) };
      } catch (err) {
        this.down(err as Error);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /**
   * How long `key` stays blocked (ms; 0 when not), without counting a hit: a right registration code must
   * be refused while any instance has blocked the address. While Redis is down the caller's own memory
   * answers instead (see RegistrationFailures).
   */
  async blockedMs(key: string, throttlerName: string): Promise<number> {
    if (!this.up) return 0;
    try {
      return Math.max(0, await this.redis.pttl(`${this.prefix}throttle:${throttlerName}:${key}:blocked`));
    } catch (err) {
      this.down(err as Error);
      return 0;
    }
  }

  /** Called by Nest: the storage is the throttler module's ThrottlerStorage provider. */
  async onApplicationShutdown(): Promise<void> {
    this.up = false;
    this.outageLogged = true; // closing on purpose is not an outage worth an error line
    this.memory.onApplicationShutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private down(err: Error): void {
    this.up = false;
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.logger.error(
      { reason: err.message },
      'Redis is unreachable: registration and sign-in throttling falls back to this process\'s memory, so limits are NOT shared across instances until it returns',
    );
  }
}
