import { createHash } from 'node:crypto';
import type { Redis } from '@mna/shared/kit';
import type { Embedder } from '../embeddings/embedder.js';

/**
 * The embedding of a search query, cached in Redis by (provider, model, text) as raw float32 bytes.
 * A cache failure never fails the search: the query is embedded again.
 */
export function createQueryEmbeddings(deps: {
  embedder: Embedder;
  redis: Redis;
  prefix: string;
  ttlSeconds: number;
}) {
  const keyOf = (text: string) =>
    `${deps.prefix}:search:qemb:${deps.embedder.provider}:${deps.embedder.model}:${createHash('sha256').update(text).digest('hex')}`;

  return async function embedQuery(text: string): Promise<number[]> {
    const key = keyOf(text);
    const cached = await deps.redis.getBuffer(key).catch(() => null);
    if (cached && cached.byteLength % 4 === 0) {
      // Copy first: ioredis buffers may start at an offset that is not a multiple of 4.
      return Array.from(new Float32Array(new Uint8Array(cached).buffer));
    }
    const [vector] = await deps.embedder.embed([text]);
    await deps.redis
      .set(key, Buffer.from(new Float32Array(vector!).buffer), 'EX', deps.ttlSeconds)
      .catch(() => undefined);
    return vector!;
  };
}
