import type { Metrics } from '@mna/shared';
import {
  createServiceApp,
  pingDb,
  pingRedis,
  type Redis,
  registerDependencyMetrics,
  registerQueueMetrics,
} from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SearchConfig } from './config.js';
import type { SearchDatabase } from './db/schema.js';
import { registerCompanyRoutes } from './modules/companies/companies.routes.js';
import { createCompaniesService } from './modules/companies/companies.service.js';
import { createRelationshipsService } from './modules/companies/relationships.service.js';
import { registerDocumentRoutes } from './modules/documents/documents.routes.js';
import { createDocumentsService } from './modules/documents/documents.service.js';
import type { Embedder } from './modules/embeddings/embedder.js';
import { createEmbedEnqueuer, type EmbedQueue } from './modules/indexing/indexing.queue.js';
import { registerPassageRoutes } from './modules/passages/passages.routes.js';
import { createPassagesService } from './modules/passages/passages.service.js';
import { createQueryEmbeddings } from './modules/search/query-embedding.js';
import { registerSearchRoutes } from './modules/search/search.routes.js';
import { createSearchService } from './modules/search/search.service.js';

export type SearchDeps = {
  config: Pick<
    SearchConfig,
    | 'INTERNAL_TOKEN_SECRET'
    | 'REDIS_PREFIX'
    | 'SEARCH_RRF_K'
    | 'SEARCH_BM25_K1'
    | 'SEARCH_BM25_B'
    | 'SEARCH_FUSION'
    | 'SEARCH_CONVEX_ALPHA'
    | 'SEARCH_HYBRID_KEYWORD_WINDOW'
    | 'SEARCH_EF_SEARCH'
    | 'QUERY_EMBEDDING_CACHE_TTL_SECONDS'
    | 'EMBED_JOB_ATTEMPTS'
    | 'EMBED_JOB_BACKOFF_MS'
  >;
  logger: Logger;
  metrics: Metrics;
  db: Kysely<SearchDatabase>;
  redis: Redis;
  /** Producer of the embedding queue (the worker consumes it in its own process). */
  embedQueue: EmbedQueue;
  /** Embeds search queries; the same provider and model as the worker's. */
  embedder: Embedder;
};

/** The search-service's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: SearchDeps) {
  const { config, db } = deps;
  const readiness = { postgres: () => pingDb(db), redis: () => pingRedis(deps.redis) };
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
    readiness,
  });
  // The embedding queue's backlog and the dependencies, read at scrape time (the worker has no /metrics).
  registerDependencyMetrics(deps.metrics.registry, readiness);
  registerQueueMetrics(deps.metrics.registry, [deps.embedQueue]);
  const enqueueEmbed = createEmbedEnqueuer(deps.embedQueue, {
    attempts: config.EMBED_JOB_ATTEMPTS,
    backoffMs: config.EMBED_JOB_BACKOFF_MS,
  });
  const embedQuery = createQueryEmbeddings({
    embedder: deps.embedder,
    redis: deps.redis,
    prefix: config.REDIS_PREFIX,
    ttlSeconds: config.QUERY_EMBEDDING_CACHE_TTL_SECONDS,
  });
  registerDocumentRoutes(app, createDocumentsService({ db, enqueueEmbed }));
  registerSearchRoutes(
    app,
    createSearchService({
      db,
      embedQuery,
      embeddingModel: deps.embedder.model,
      rrfK: config.SEARCH_RRF_K,
      bm25: { k1: config.SEARCH_BM25_K1, b: config.SEARCH_BM25_B },
      fusion: config.SEARCH_FUSION,
      convexAlpha: config.SEARCH_CONVEX_ALPHA,
      hybridKeywordWindow: config.SEARCH_HYBRID_KEYWORD_WINDOW,
      efSearch: config.SEARCH_EF_SEARCH,
    }),
  );
  registerPassageRoutes(app, createPassagesService({ db }));
  registerCompanyRoutes(
    app,
    createCompaniesService({ db, enqueueEmbed }),
    createRelationshipsService({ db }),
  );
  return app;
}
