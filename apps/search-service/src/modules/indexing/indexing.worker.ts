import { createWorker, QUEUES } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SearchConfig } from '../../config.js';
import type { SearchDatabase } from '../../db/schema.js';
import { createEmbeddingBatcher } from '../embeddings/batcher.js';
import type { Embedder } from '../embeddings/embedder.js';
import { createIndexingProcessor } from './indexing.processor.js';

export type IndexingWorkerDeps = {
  config: Pick<
    SearchConfig,
    | 'REDIS_PREFIX'
    | 'EMBED_CONCURRENCY'
    | 'EMBED_WORKER_CONCURRENCY'
    | 'EMBED_WRITE_CONCURRENCY'
    | 'EMBED_LOCK_DURATION_MS'
  >;
  db: Kysely<SearchDatabase>;
  embedder: Embedder;
  connection: Parameters<typeof createWorker>[2]['connection'];
  logger: Logger;
};

/**
 * The embedding worker of one process, wired from config: the batcher, the indexing processor and the
 * BullMQ worker on `search-embed`. worker.ts runs it; tests and benchmarks start the same one.
 */
export function createIndexingWorker(deps: IndexingWorkerDeps) {
  const { config } = deps;
  const processor = createIndexingProcessor({
    db: deps.db,
    batcher: createEmbeddingBatcher(deps.embedder, { maxInFlight: config.EMBED_CONCURRENCY }),
    model: deps.embedder.model,
    logger: deps.logger,
    writeConcurrency: config.EMBED_WRITE_CONCURRENCY,
  });
  return createWorker(QUEUES.searchEmbed, processor, {
    connection: deps.connection,
    prefix: config.REDIS_PREFIX,
    logger: deps.logger,
    concurrency: config.EMBED_WORKER_CONCURRENCY,
    options: { lockDuration: config.EMBED_LOCK_DURATION_MS, stalledInterval: config.EMBED_LOCK_DURATION_MS },
  });
}
