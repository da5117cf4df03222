import type { Metrics, QUEUES, TypedQueue } from '@mna/shared';
import type { Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AiConfig } from './config.js';
import type { AiDatabase } from './db/schema.js';
import { createAnalysisJobs, type DealQueue } from './modules/analysis/analysis.jobs.js';
import { createAnalysisService } from './modules/analysis/analysis.service.js';
import { createClaudeAnalyst } from './modules/analysis/claude-analyst.js';
import { PROMPT_VERSION } from './modules/analysis/prompt.js';
import { createResultCache } from './modules/cache/result-cache.js';
import { createGraphLoader } from './modules/ecosystem/graph-loader.js';
import { createGraphMetricsStore } from './modules/ecosystem/graph-metrics.store.js';
import { createInfluenceService } from './modules/ecosystem/influence.service.js';
import { createClaudeRationaleWriter } from './modules/ecosystem/partners.rationale.js';
import { createPartnersService } from './modules/ecosystem/partners.service.js';
import { createSearchClient, type SearchClient } from './modules/ecosystem/search-client.js';
import { createClaudeClient } from './modules/llm/claude-client.js';
import { createLlmMetrics } from './modules/llm/llm-metrics.js';

export type ServicesConfig = Pick<
  AiConfig,
  | 'INTERNAL_TOKEN_SECRET'
  | 'REDIS_PREFIX'
  | 'SEARCH_SERVICE_URL'
  | 'SEARCH_TIMEOUT_MS'
  | 'ANTHROPIC_API_KEY'
  | 'ANTHROPIC_BASE_URL'
  | 'ANTHROPIC_MODEL'
  | 'ANTHROPIC_TIMEOUT_MS'
  | 'ANTHROPIC_MAX_RETRIES'
  | 'ANTHROPIC_MAX_TOKENS'
  | 'AI_CACHE_TTL_SECONDS'
  | 'GRAPH_METRICS_TTL_SECONDS'
  | 'INLINE_BETWEENNESS_MAX_NODES'
  | 'PARTNER_WEIGHTS'
>;

export type ServicesDeps = {
  config: ServicesConfig;
  logger: Logger;
  metrics: Metrics;
  /** The ai schema: audit rows of analyses and partner searches. */
  db: Kysely<AiDatabase>;
  redis: Redis;
  dealQueue: DealQueue;
  graphQueue: TypedQueue<typeof QUEUES.aiGraphMetrics> | null;
  /** Overrides the shipped prompt version (tests prove a new version is a cache miss). */
  promptVersion?: string;
  search?: SearchClient;
};

/** The composition root shared by the HTTP app and the worker. */
export function createAiServices(deps: ServicesDeps) {
  const { config, logger } = deps;
  const llmMetrics = createLlmMetrics(deps.metrics);
  const search =
    deps.search ??
    createSearchClient({
      baseUrl: config.SEARCH_SERVICE_URL,
      internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
      timeoutMs: config.SEARCH_TIMEOUT_MS,
    });
  const cache = createResultCache({
    redis: deps.redis,
    prefix: config.REDIS_PREFIX,
    ttlSeconds: config.AI_CACHE_TTL_SECONDS,
    metrics: llmMetrics,
    logger,
  });
  const client = createClaudeClient(config);
  const llm = client
    ? {
        client,
        model: config.ANTHROPIC_MODEL,
        maxTokens: config.ANTHROPIC_MAX_TOKENS,
        metrics: llmMetrics,
        logger,
      }
    : null;
  const claude = llm ? createClaudeAnalyst(llm) : null;
  const analysis = createAnalysisService({
    db: deps.db,
    search,
    cache,
    claude,
    model: config.ANTHROPIC_MODEL,
    promptVersion: deps.promptVersion ?? PROMPT_VERSION,
  });
  const graphMetrics = createGraphMetricsStore({
    redis: deps.redis,
    prefix: config.REDIS_PREFIX,
    ttlSeconds: config.GRAPH_METRICS_TTL_SECONDS,
    queue: deps.graphQueue,
    logger,
  });
  const loadGraph = createGraphLoader({
    search,
    store: graphMetrics,
    inlineBetweennessMaxNodes: config.INLINE_BETWEENNESS_MAX_NODES,
  });
  return {
    search,
    analysis,
    jobs: createAnalysisJobs({ queue: deps.dealQueue }),
    partners: createPartnersService({
      db: deps.db,
      search,
      loadGraph,
      cache,
      weights: config.PARTNER_WEIGHTS,
      rationales: llm ? { write: createClaudeRationaleWriter(llm), model: llm.model } : null,
    }),
    influence: createInfluenceService({ loadGraph, cache }),
    graphMetrics,
  };
}

export type AiServices = ReturnType<typeof createAiServices>;
