import OpenAI from 'openai';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { EMBEDDING_DIMENSIONS, type Embedder, estimateTokens, PermanentEmbeddingError } from './embedder.js';
import { createTokenBudget } from './token-budget.js';

export const OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

export type OpenAiEmbedderOptions = {
  apiKey: string;
  baseURL?: string;
  concurrency: number;
  tokensPerMinute: number;
  maxRetries: number;
  retryBaseMs: number;
  logger: Logger;
  timeoutMs?: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delay the server asked for on a 429: retry-after-ms, then retry-after (seconds or HTTP date). */
export function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter: uniform in [0, base * 2^attempt], at most 30 s. */
export const backoffMs = (attempt: number, baseMs: number) =>
  Math.random() * Math.min(30_000, baseMs * 2 ** attempt);

const retryable = (status: number | undefined) =>
  status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * OpenAI text-embedding-3-small through the official SDK. The SDK's own retries are off so that the
 * policy is ours: honour Retry-After on 429, back off with jitter on 5xx and network errors, fail
 * permanently on other 4xx. A process-wide concurrency limit and tokens-per-minute budget apply.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
  });
  const limit = pLimit(options.concurrency);
  const budget = createTokenBudget(options.tokensPerMinute);

  async function request(texts: string[]): Promise<number[][]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await client.embeddings.create({
          model: OPENAI_EMBEDDING_MODEL,
          input: texts,
          encoding_format: 'float',
        });
        const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        if (vectors.length !== texts.length || vectors.some((v) => v.length !== EMBEDDING_DIMENSIONS)) {
          throw new PermanentEmbeddingError('the embeddings response does not match the request');
        }
        return vectors;
      } catch (error) {
        if (error instanceof PermanentEmbeddingError) throw error;
        const status = error instanceof OpenAI.APIError ? error.status : undefined;
        if (error instanceof OpenAI.APIError && !retryable(status)) {
          throw new PermanentEmbeddingError(`OpenAI refused the request (${status}): ${error.message}`, {
            cause: error,
          });
        }
        if (attempt >= options.maxRetries) throw error;
        const headers = error instanceof OpenAI.APIError ? error.headers : undefined;
        const wait =
          (status === 429 ? retryAfterMs(headers) : null) ?? backoffMs(attempt, options.retryBaseMs);
        options.logger.warn({ status, attempt, waitMs: Math.round(wait) }, 'embedding request retried');
        await sleep(wait);
      }
    }
  }

  return {
    provider: 'openai',
    model: OPENAI_EMBEDDING_MODEL,
    embed: (texts) =>
      limit(async () => {
        await budget.acquire(texts.reduce((sum, t) => sum + estimateTokens(t), 0));
        return request(texts);
      }),
  };
}
