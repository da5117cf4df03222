import { describe, expect, it, vi } from 'vitest';
import { createEmbeddingBatcher } from './batcher.js';
import type { Embedder } from './embedder.js';

/** An embedder that answers [length of text] after a delay and records each request. */
function slowEmbedder(delayMs: number) {
  const requests: string[][] = [];
  let inFlight = 0;
  let maxSeen = 0;
  const embedder: Embedder = {
    provider: 'openai',
    model: 'fake',
    embed: async (texts) => {
      requests.push(texts);
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      return texts.map((t) => [t.length]);
    },
  };
  return { embedder, requests, maxSeen: () => maxSeen };
}

describe('embedding batcher', () => {
  it('gives every caller its own vectors, in order', async () => {
    const fake = slowEmbedder(5);
    const batcher = createEmbeddingBatcher(fake.embedder);
    const [a, b] = await Promise.all([batcher.embed(['x', 'yy']), batcher.embed(['zzz'])]);
    expect(a).toEqual([[1], [2]]);
    expect(b).toEqual([[3]]);
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps gathering while the provider is busy, so batches grow instead of queueing', async () => {
    const fake = slowEmbedder(100);
    const batcher = createEmbeddingBatcher(fake.embedder, { lingerMs: 5, maxInFlight: 2 });
    const calls = Array.from({ length: 200 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i)); // callers arrive over 200 ms
      return batcher.embed([`text ${i}`, `more ${i}`]);
    });
    const out = await Promise.all(calls);
    for (const [i, vectors] of out.entries()) {
      expect(vectors).toEqual([[`text ${i}`.length], [`more ${i}`.length]]);
    }
    expect(fake.maxSeen()).toBeLessThanOrEqual(2);
    expect(fake.requests.length).toBeLessThan(10);
    expect(fake.requests.flat()).toHaveLength(400);
  });

  it('lingers for an OpenAI batch, but sends a lone text to the local embedder on the next tick', async () => {
    vi.useFakeTimers();
    try {
      for (const provider of ['openai', 'local'] as const) {
        const requests: string[][] = [];
        const embedder: Embedder = {
          provider,
          model: 'x',
          embed: async (texts) => {
            requests.push(texts);
            return texts.map(() => [1]);
          },
        };
        const batcher = createEmbeddingBatcher(embedder);
        const answer = batcher.embed(['alone']);
        await vi.advanceTimersByTimeAsync(1);
        expect(requests, provider).toHaveLength(provider === 'local' ? 1 : 0);
        await vi.advanceTimersByTimeAsync(15);
        await expect(answer).resolves.toEqual([[1]]);
        expect(requests).toEqual([['alone']]);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed request fails every caller it carried; a retry on its own succeeds', async () => {
    const embedder: Embedder = {
      provider: 'local',
      model: 'x',
      embed: async (texts) => {
        if (texts.includes('bad')) throw new Error('boom');
        return texts.map(() => [1]);
      },
    };
    const batcher = createEmbeddingBatcher(embedder);
    const ok = batcher.embed(['fine']);
    const bad = batcher.embed(['bad']);
    await expect(bad).rejects.toThrow('boom');
    // Both went in one request, so the good one fails with it; a retry on its own succeeds.
    await expect(ok).rejects.toThrow('boom');
    await expect(batcher.embed(['fine'])).resolves.toEqual([[1]]);
  });
});
