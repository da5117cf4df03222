import type { Redis } from '@mna/shared/kit';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { LlmMetrics } from '../llm/llm-metrics.js';
import { canonicalJson, sha256 } from './canonical.js';

/** Everything an AI result depends on; any change gives another key, so a stale answer is never served. */
export type CacheKeyParts = {
  tenantId: string;
  operation: string;
  model: string;
  promptVersion: string;
  input: unknown;
  /** Version of the data read to produce the result (documents, graph). */
  dataVersion: string;
};

export type CacheDeps = {
  redis: Redis;
  prefix: string;
  ttlSeconds: number;
  metrics: LlmMetrics;
  logger: Logger;
  /** How long a replica waits for another replica that holds the compute lock. */
  lockMs?: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A Redis result cache with single flight: identical concurrent requests in this process share one
 * promise, and across replicas a short Redis lock lets one compute while the others wait for its
 * entry. The tenant is hashed into every key, so no entry is ever shared across tenants.
 */
export function createResultCache(deps: CacheDeps) {
  const inflight = new Map<string, Promise<unknown>>();
  const lockMs = deps.lockMs ?? 30_000;

  const keyOf = (parts: CacheKeyParts) =>
    `${deps.prefix}:ai:cache:${parts.operation}:${sha256(parts.tenantId).slice(0, 24)}:${sha256(
      canonicalJson([parts.model, parts.promptVersion, parts.dataVersion, parts.input]),
    )}`;

  async function read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    try {
      const text = await deps.redis.get(key);
      if (!text) return undefined;
      const parsed = schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      deps.logger.warn({ err: error }, 'ai cache read failed; computing');
      return undefined;
    }
  }

  async function computeOnce<T>(key: string, schema: z.ZodType<T>, compute: () => Promise<T>) {
    const lockKey = `${key}:lock`;
    let locked = false;
    try {
      locked = (await deps.redis.set(lockKey, '1', 'PX', lockMs, 'NX')) === 'OK';
    } catch {
      locked = true;
    }
    if (!locked) {
      const deadline = Date.now() + lockMs;
      while (Date.now() < deadline) {
        await sleep(50);
        const found = await read(key, schema);
        if (found !== undefined) return { value: found, cached: true };
        if (!(await deps.redis.exists(lockKey).catch(() => 0))) break;
      }
    }
    try {
      const value = await compute();
      await deps.redis.set(key, JSON.stringify(value), 'EX', deps.ttlSeconds).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'ai cache write failed');
      });
      return { value, cached: false };
    } finally {
      if (locked) await deps.redis.del(lockKey).catch(() => 0);
    }
  }

  async function getOrCompute<T>(
    parts: CacheKeyParts,
    schema: z.ZodType<T>,
    compute: () => Promise<T>,
  ): Promise<{ value: T; cached: boolean }> {
    const key = keyOf(parts);
    const hit = await read(key, schema);
    if (hit !== undefined) {
      deps.metrics.cache.inc({ operation: parts.operation, result: 'hit' });
      return { value: hit, cached: true };
    }
    const running = inflight.get(key) as Promise<{ value: T; cached: boolean }> | undefined;
    if (running) {
      deps.metrics.cache.inc({ operation: parts.operation, result: 'shared' });
      return running;
    }
    deps.metrics.cache.inc({ operation: parts.operation, result: 'miss' });
    const promise = computeOnce(key, schema, compute).finally(() => inflight.delete(key));
    inflight.set(key, promise);
    return promise;
  }

  return { getOrCompute, keyOf };
}

export type ResultCache = ReturnType<typeof createResultCache>;
