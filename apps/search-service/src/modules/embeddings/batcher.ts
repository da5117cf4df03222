import { EMBEDDING_LIMITS, type Embedder, planRequests, truncateToTokens } from './embedder.js';

type Pending = { texts: string[]; resolve: (v: number[][]) => void; reject: (e: unknown) => void };

/**
 * Gathers the texts of concurrent jobs for a few milliseconds (OpenAI; the local embedder only within
 * the same tick) and sends them as few requests as the
 * provider's limits allow (≤ 2048 inputs, ≤ 300k tokens, each input truncated to 8192 tokens). While
 * `maxInFlight` batches are already out, texts keep gathering, so batches grow when the provider is
 * slow. Each caller gets its own vectors back, in order; a failed request fails every caller it carried.
 */
export function createEmbeddingBatcher(
  embedder: Embedder,
  options: { lingerMs?: number; maxInFlight?: number } = {},
) {
  // Waiting only pays off against a remote API (fewer requests); the local embedder runs in process.
  const lingerMs = options.lingerMs ?? (embedder.provider === 'local' ? 0 : 15);
  const maxInFlight = options.maxInFlight ?? 4;
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight = 0;

  async function send(group: Pending[]): Promise<void> {
    const texts = group.flatMap((p) => p.texts.map((t) => truncateToTokens(t)));
    const vectors: number[][] = new Array(texts.length);
    const failures = new Map<number, unknown>();
    await Promise.all(
      planRequests(texts).map(async (plan) => {
        try {
          const out = await embedder.embed(texts.slice(plan.start, plan.end));
          out.forEach((v, i) => {
            vectors[plan.start + i] = v;
          });
        } catch (error) {
          for (let i = plan.start; i < plan.end; i++) failures.set(i, error);
        }
      }),
    );
    let offset = 0;
    for (const p of group) {
      const range = [offset, offset + p.texts.length] as const;
      offset = range[1];
      const failed = [...failures.entries()].find(([i]) => i >= range[0] && i < range[1]);
      if (failed) p.reject(failed[1]);
      else p.resolve(vectors.slice(range[0], range[1]));
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0 || inFlight >= maxInFlight) return;
    const group = pending;
    pending = [];
    inFlight++;
    void send(group).finally(() => {
      inFlight--;
      if (pending.length > 0) flush();
    });
  }

  return {
    embed(texts: string[]): Promise<number[][]> {
      if (texts.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        pending.push({ texts, resolve, reject });
        const queued = pending.reduce((n, p) => n + p.texts.length, 0);
        if (queued >= EMBEDDING_LIMITS.maxInputsPerRequest) flush();
        else timer ??= setTimeout(flush, lingerMs);
      });
    },
  };
}

export type EmbeddingBatcher = ReturnType<typeof createEmbeddingBatcher>;
