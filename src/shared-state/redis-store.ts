import type Redis from 'ioredis';
import type { AdmitResult, CounterAdjustment, CounterStore, CounterWindow } from './counter-store';
import type { LocalEntry } from './memory-store';

/**
 * All-or-nothing admission across windows in one round trip: absent seeded keys are reported (the caller
 * loads them from the database and calls again with seeds), a window with no room refuses the whole
 * admission, otherwise every window grows by its amount. ARGV per key: amount, limit (-1 none), ttl ms,
 * seed (-1 none), seeded (1/0).
 */
const ADMIT = `
local n = #KEYS
local cur = {}
local missing = {}
for i = 1, n do
  local b = (i - 1) * 5
  local v = redis.call('GET', KEYS[i])
  if v then
    cur[i] = tonumber(v)
  elseif tonumber(ARGV[b + 4]) >= 0 then
    cur[i] = tonumber(ARGV[b + 4])
  else
    cur[i] = 0
    if ARGV[b + 5] == '1' then missing[#missing + 1] = i - 1 end
  end
end
if #missing > 0 then
  table.insert(missing, 1, 2)
  return missing
end
for i = 1, n do
  local limit = tonumber(ARGV[(i - 1) * 5 + 2])
  if limit >= 0 and cur[i] >= limit then return {0, i - 1, cur[i]} end
end
local out = {1}
for i = 1, n do
  local b = (i - 1) * 5
  local value = cur[i] + tonumber(ARGV[b + 1])
  redis.call('SET', KEYS[i], value, 'PX', ARGV[b + 3])
  out[#out + 1] = value
end
return out`;

/** Settles existing windows (an expired window needs no settling); never below zero, TTL kept. ARGV: delta per key. */
const ADJUST = `
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then
    local value = math.max(0, tonumber(v) + tonumber(ARGV[i]))
    redis.call('SET', KEYS[i], value, 'KEEPTTL')
  end
end
return 1`;

/** Resync after an outage: adds what this process counted locally, or sets its whole value where Redis lost the key. ARGV: delta, value, ttl. */
const MERGE = `
for i = 1, #KEYS do
  local b = (i - 1) * 3
  local v = redis.call('GET', KEYS[i])
  if v then
    redis.call('SET', KEYS[i], math.max(0, tonumber(v) + tonumber(ARGV[b + 1])), 'KEEPTTL')
  else
    redis.call('SET', KEYS[i], ARGV[b + 2], 'PX', ARGV[b + 3])
  end
end
return 1`;

const NEXT = `
local v = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return v`;

type Scripted = Redis & {
  aipAdmit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  aipAdjust(numKeys: number, ...args: (string | number)[]): Promise<number>;
  aipMerge(numKeys: number, ...args: (string | number)[]): Promise<number>;
  aipNext(key: string, ttlMs: number): Promise<number>;
};

/** Counters in Redis, shared by every worker and replica pointing at the same REDIS_URL and prefix. */
export class RedisStore implements CounterStore {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('aipAdmit', { lua: ADMIT });
    redis.defineCommand('aipAdjust', { lua: ADJUST });
    redis.defineCommand('aipMerge', { lua: MERGE });
    redis.defineCommand('aipNext', { lua: NEXT, numberOfKeys: 1 });
    this.redis = redis as Scripted;
  }

  async admit(windows: CounterWindow[]): Promise<AdmitResult> {
    const keys = windows.map((w) => this.prefix + w.key);
    const args = windows.flatMap((w) => [w.amount, w.limit ?? -1, Math.max(1, Math.round(w.ttlMs)), w.seed ?? -1, w.seeded ? 1 : 0]);
    const [status, ...rest] = await this.redis.aipAdmit(keys.length, ...keys, ...args);
    if (status === 1) return { status: 'admitted', values: rest };
    if (status === 0) return { status: 'refused', index: rest[0], current: rest[1] };
    return { status: 'missing', indexes: rest };
  }

  async adjust(items: CounterAdjustment[]): Promise<void> {
    if (items.length === 0) return;
    await this.redis.aipAdjust(items.length, ...items.map((i) => this.prefix + i.key), ...items.map((i) => i.delta));
  }

  async get(keys: string[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys.map((k) => this.prefix + k));
    return values.map((v) => (v === null ? null : Number(v)));
  }

  next(key: string, ttlMs: number): Promise<number> {
    return this.redis.aipNext(this.prefix + key, Math.max(1, Math.round(ttlMs)));
  }

  async merge(entries: LocalEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 200) {
      const batch = entries.slice(i, i + 200);
      await this.redis.aipMerge(
        batch.length,
        ...batch.map((e) => this.prefix + e.key),
        ...batch.flatMap((e) => [e.delta, e.value, Math.max(1, Math.round(e.ttlMs))]),
      );
    }
  }
}
