import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, createMetrics, createQueue, QUEUES } from '@mna/shared';
import { createDb, createRedis, withTenant } from '@mna/shared/kit';
import {
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { configSpec, type SearchConfig } from '../src/config.js';
import type { SearchDatabase } from '../src/db/schema.js';
import type { Embedder } from '../src/modules/embeddings/embedder.js';
import { createEmbedder } from '../src/modules/embeddings/embedder-factory.js';
import { createIndexingWorker } from '../src/modules/indexing/indexing.worker.js';

/** The service's configuration with its defaults, as loadConfig would build it, plus overrides. */
export const testConfig = (overrides: Record<string, string> = {}): SearchConfig =>
  configSpec.schema.parse({
    NODE_ENV: 'test',
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    EMBED_JOB_BACKOFF_MS: '50',
    EMBED_RETRY_BASE_MS: '20',
    ...overrides,
  });

export const silentLogger = () =>
  createLogger({ service: 'search-test', level: process.env.SEARCH_TEST_LOG === '1' ? 'error' : 'silent' });

/**
 * The HTTP app on its own database clone and Redis prefix, and workers on demand, wired exactly as
 * main.ts and worker.ts wire them.
 */
export async function createHarness(options: {
  template: string;
  env?: Record<string, string>;
  embedder?: Embedder;
  databaseUrl?: string;
}) {
  const database = options.databaseUrl ? null : await createTestDatabase(options.template);
  const databaseUrl = options.databaseUrl ?? database!.appUrl;
  const prefix = uniquePrefix('search');
  const config = testConfig({ REDIS_PREFIX: prefix, ...options.env });
  const logger = silentLogger();
  const db = createDb<SearchDatabase>({ connectionString: databaseUrl, max: 6 });
  const redis = createRedis(TEST_REDIS_URL);
  const embedQueue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix });
  const embedder = options.embedder ?? createEmbedder(config, logger);
  const app = await buildApp({
    config,
    logger,
    metrics: createMetrics(configSpec.service),
    db,
    redis,
    embedQueue,
    embedder,
  });
  const workers: Array<{ close: () => Promise<void> }> = [];
  const workerRedis = createRedis(TEST_REDIS_URL, 'worker');

  function startWorker(workerEmbedder: Embedder = embedder, lockDurationMs = 30_000) {
    const worker = createIndexingWorker({
      config: { ...config, EMBED_LOCK_DURATION_MS: lockDurationMs },
      db,
      embedder: workerEmbedder,
      connection: workerRedis,
      logger,
    });
    workers.push(worker);
    return worker;
  }

  return {
    app,
    db,
    redis,
    embedQueue,
    prefix,
    config,
    databaseUrl,
    ownerUrl: database?.ownerUrl,
    startWorker,
    async close() {
      for (const w of workers) await w.close();
      await app.close();
      await embedQueue.close();
      await deleteKeysWithPrefix(prefix);
      workerRedis.disconnect();
      redis.disconnect();
      await db.destroy();
      await database?.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/**
 * The harness of one spec file, on the template database: created before its tests (hooks the file
 * registers afterwards run after it) and closed after them. Its fields are usable from `beforeAll` on.
 */
export function useHarness(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await createHarness({ template: inject('templateDatabase') }));
  });
  afterAll(async () => {
    await h.close?.();
  });
  return h;
}

/** Polls until `check` returns a truthy value (or fails after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * How long indexing `documents` documents may take: 30 s plus 180 ms a document (one worker on a
 * loaded 2-core machine indexes 5-10 a second; idle, ~30), so 1,000 get 3.5 minutes.
 */
export const indexingBudgetMs = (documents: number) => 30_000 + 180 * documents;

/** No document indexed for this long means a stuck worker, whatever the budget left. */
const INDEXING_STALL_MS = 90_000;

/**
 * Waits until none of the tenant's documents is queued. Fails at once when one failed, after
 * INDEXING_STALL_MS without progress, and after `indexingBudgetMs(documents)` in all.
 */
export async function waitUntilIndexed(h: Harness, tenantId: string, documents: number) {
  const started = Date.now();
  const deadline = started + indexingBudgetMs(documents);
  let queued = Number.POSITIVE_INFINITY;
  let progressAt = started;
  for (;;) {
    const { rows } = await withTenant(h.db, tenantId, (trx) =>
      sql<{ queued: number; failed: number }>`select count(*) filter (where status = 'queued')::int as queued,
        count(*) filter (where status = 'failed')::int as failed from search.documents`.execute(trx),
    );
    const now = rows[0]!;
    if (now.failed > 0) throw new Error(`${now.failed} documents failed to index`);
    if (now.queued === 0) return;
    if (now.queued < queued) [queued, progressAt] = [now.queued, Date.now()];
    const seconds = Math.round((Date.now() - started) / 1000);
    if (Date.now() - progressAt > INDEXING_STALL_MS)
      throw new Error(`indexing stalled: ${now.queued} documents still queued after ${seconds} s`);
    if (Date.now() > deadline)
      throw new Error(
        `indexing too slow: ${now.queued} of ${documents} documents still queued after ${seconds} s`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** src/worker.ts in a process of its own, on the harness's database and Redis prefix. */
export function spawnWorkerProcess(h: Harness, env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: h.databaseUrl,
      MIGRATION_DATABASE_URL: h.ownerUrl!,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: h.prefix,
      ...env,
    },
    stdio: 'ignore',
  });
}
