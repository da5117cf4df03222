import type { Logger } from 'pino';
import type { SearchConfig } from '../../config.js';
import type { Embedder } from './embedder.js';
import { createLocalEmbedder } from './local-embedder.js';
import { createLocalIdfEmbedder } from './local-idf-embedder.js';
import { createOpenAiEmbedder } from './openai-embedder.js';

export type EmbedderConfig = Pick<
  SearchConfig,
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'EMBED_CONCURRENCY'
  | 'EMBED_TOKENS_PER_MINUTE'
  | 'EMBED_MAX_RETRIES'
  | 'EMBED_RETRY_BASE_MS'
  | 'EMBED_LOCAL_MODEL'
>;

/** OpenAI when a key is configured, the configured local embedder otherwise. */
export function createEmbedder(config: EmbedderConfig, logger: Logger): Embedder {
  if (!config.OPENAI_API_KEY) {
    return config.EMBED_LOCAL_MODEL === 'local-hash-v1' ? createLocalEmbedder() : createLocalIdfEmbedder();
  }
  return createOpenAiEmbedder({
    apiKey: config.OPENAI_API_KEY,
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    concurrency: config.EMBED_CONCURRENCY,
    tokensPerMinute: config.EMBED_TOKENS_PER_MINUTE,
    maxRetries: config.EMBED_MAX_RETRIES,
    retryBaseMs: config.EMBED_RETRY_BASE_MS,
    logger,
  });
}
