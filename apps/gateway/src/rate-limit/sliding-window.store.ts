import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Sliding-window log in one Lua script, atomic on Redis and therefore shared by every gateway replica.
 * Each admitted request is a member of a sorted set scored by Redis' own clock (no replica clock skew);
 * entries older than the window are dropped, and a request is admitted only while fewer than `max`
 * remain. Unlike the plugin's fixed-window INCR store, no burst across a window edge can admit more than
 * `max` within any window length. Refused requests are not recorded, so a client that keeps retrying is
 * admitted again as soon as its oldest request leaves the window.
 * Returns {count (max+1 when refused), ms until the next slot frees}.
 */
const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < max then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {count + 1, tonumber(oldest[2]) + window - now}
end
local nth = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
return {max + 1, math.max(1, tonumber(nth[2]) + window - now)}
`;

type SlidingRedis = Redis & {
  mnaSlidingWindow(key: string, windowMs: number, max: number, member: string): Promise<[number, number]>;
};

export type RateLimitResult = { current: number; ttl: number };
type Callback = (error: Error | null, result?: RateLimitResult) => void;

/** The store interface @fastify/rate-limit calls (`incr`, `child`). */
export type SlidingWindowStore = {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(): SlidingWindowStore;
  hit(key: string, timeWindow: number, max: number): Promise<RateLimitResult>;
};

export function createSlidingWindowStore(redis: Redis, prefix: string, onError?: (error: Error) => void) {
  const client = redis as SlidingRedis;
  if (typeof client.mnaSlidingWindow !== 'function') {
    redis.defineCommand('mnaSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
  }
  const store: SlidingWindowStore = {
    async hit(key, timeWindow, max) {
      const [current, ttl] = await client.mnaSlidingWindow(prefix + key, timeWindow, max, randomUUID());
      return { current, ttl };
    },
    incr(key, callback, timeWindow, max) {
      store.hit(key, timeWindow, max).then(
        (result) => callback(null, result),
        (error: Error) => {
          onError?.(error);
          callback(error);
        },
      );
    },
    // Buckets are told apart by the key (tenant, group), so routes share one store.
    child: () => store,
  };
  return store;
}
