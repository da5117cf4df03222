import { envFragments, SearchFusionSchema } from '@mna/shared';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSpec = {
  service: 'search-service',
  schema: z.object({
    ...envFragments.base(3001),
    ...envFragments.database,
    ...envFragments.redis,
    ...envFragments.internalAuth,
    /** With it, embeddings come from OpenAI text-embedding-3-small; without it, the local embedder. */
    OPENAI_API_KEY: envFragments.optionalSecret,
    /** Only set in tests and benchmarks: points the real SDK at a local fake of /v1/embeddings. */
    OPENAI_BASE_URL: z.url().optional(),
    /** Requests to the embedding provider in flight at once, per worker process. */
    EMBED_CONCURRENCY: positiveInt(4),
    /** Tokens per minute the worker may send to OpenAI (the account's TPM limit). */
    EMBED_TOKENS_PER_MINUTE: positiveInt(1_000_000),
    /** Retries of one embedding request on 429/5xx/network errors before the job attempt fails. */
    EMBED_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(5),
    EMBED_RETRY_BASE_MS: positiveInt(500),
    /** BullMQ attempts of an embedding job; after the last one the document is dead-lettered. */
    EMBED_JOB_ATTEMPTS: positiveInt(5),
    EMBED_JOB_BACKOFF_MS: positiveInt(5_000),
    /** Embedding jobs one worker process runs at once; their chunks are batched together. */
    EMBED_WORKER_CONCURRENCY: positiveInt(32),
    /** Of those, how many write their embeddings (the HNSW inserts) at once: about the cores. */
    EMBED_WRITE_CONCURRENCY: positiveInt(2),
    /** A job whose worker stops renewing its lock for this long is handed to another worker. */
    EMBED_LOCK_DURATION_MS: positiveInt(30_000),
    /**
     * The local embedder when no OpenAI key is set. Changing it (or the provider) re-embeds every
     * stored vector in the background; searches compare only vectors of the configured model.
     */
    EMBED_LOCAL_MODEL: z.enum(['local-idf-v2', 'local-hash-v1']).default('local-idf-v2'),
    /** Reciprocal Rank Fusion constant of hybrid search. */
    SEARCH_RRF_K: positiveInt(60),
    /** BM25 term-frequency saturation of keyword search. */
    SEARCH_BM25_K1: z.coerce.number().min(0).max(10).default(1.2),
    /** BM25 length normalisation of keyword search (0: none, 1: full). */
    SEARCH_BM25_B: z.coerce.number().min(0).max(1).default(0.75),
    /** Chunks hybrid's BM25 leg ranks (the vector leg ranks 300): fewer is faster (exact pruning). */
    SEARCH_HYBRID_KEYWORD_WINDOW: z.coerce.number().int().min(10).max(1000).default(100),
    /**
     * Hybrid's fusion when a request names none: RRF, which has no weight to tune. Convex α 0.6 led it by
     * 0.006 mean dev nDCG@10, less than the dev split resolves; RRF led on held-out (BENCHMARKS.md).
     */
    SEARCH_FUSION: SearchFusionSchema.default('rrf'),
    /**
     * Convex fusion's semantic weight α when a request names none: 0.6, the best mean dev nDCG@10 of
     * Cranfield and CrunchBase with BM25 and local-idf-v2 (RRF, α 0.5 and 0.7 within 0.006 of it).
     */
    SEARCH_CONVEX_ALPHA: z.coerce.number().min(0).max(1).default(0.6),
    /** hnsw.ef_search: candidates kept per step of the HNSW walk (recall against latency). */
    SEARCH_EF_SEARCH: z.coerce.number().int().min(10).max(1000).default(100),
    QUERY_EMBEDDING_CACHE_TTL_SECONDS: positiveInt(86_400),
  }),
  productionRequires: [
    'INTERNAL_TOKEN_SECRET',
    'DATABASE_URL',
    'MIGRATION_DATABASE_URL',
    'REDIS_URL',
    'OPENAI_API_KEY',
  ],
} as const;

export type SearchConfig = z.output<typeof configSpec.schema>;
