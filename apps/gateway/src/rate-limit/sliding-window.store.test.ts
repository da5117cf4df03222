import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '@mna/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSlidingWindowStore } from './sliding-window.store.js';

const prefix = uniquePrefix('gw-sliding');
const redis = new Redis(TEST_REDIS_URL);
afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  redis.disconnect();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sliding-window store', () => {
  it('admits no more than max within any window length, even across a fixed-window edge', async () => {
    const store = createSlidingWindowStore(redis, prefix);
    const admitted: number[] = [];
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const { current } = await store.hit('edge', 1_000, 5);
        if (current <= 5) admitted.push(Date.now());
      }
    };
    await burst(5);
    await sleep(600); // a fixed 1 s window aligned to the first burst's second could have rolled over here
    await burst(5);
    expect(admitted).toHaveLength(5);
    await sleep(500);
    await burst(5);
    expect(admitted).toHaveLength(10);
    for (const t of admitted) {
      expect(admitted.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(5);
    }
  });

  it('reports when the next slot frees and keys buckets apart', async () => {
    const store = createSlidingWindowStore(redis, prefix);
    for (let i = 0; i < 3; i++) await store.hit('a', 10_000, 3);
    const refused = await store.hit('a', 10_000, 3);
    expect(refused.current).toBe(4);
    expect(refused.ttl).toBeGreaterThan(9_000);
    expect(refused.ttl).toBeLessThanOrEqual(10_000);
    expect((await store.hit('b', 10_000, 3)).current).toBe(1);
  });
});
