import { Redis } from 'ioredis';

export type RedisRole = 'client' | 'worker';

/**
 * An ioredis connection. Workers block on Redis and must never give up a command
 * (`maxRetriesPerRequest: null`, as BullMQ requires); clients and producers fail fast (one retry, a
 * command timeout) instead of waiting for Redis to come back, so a request answers 503, never hangs.
 */
export function createRedis(url: string, role: RedisRole = 'client'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    ...(role === 'client' ? { commandTimeout: 2_000 } : {}),
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

/** Readiness check: PING. */
export const pingRedis = (redis: Redis) => redis.ping();
export type { Redis };
