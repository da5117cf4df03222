import { createLogger, createMetrics, createQueue, createServiceClient, QUEUES } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import {
  ADMIN_DATABASE_URL,
  APP_ROLE,
  APP_ROLE_PASSWORD,
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  uniquePrefix,
  urlFor,
} from '@mna/testing';
import { buildApp } from '../../apps/search-service/src/app.js';
import { configSpec } from '../../apps/search-service/src/config.js';
import { migrations, SCHEMA } from '../../apps/search-service/src/db/migrations/index.js';
import type { SearchDatabase } from '../../apps/search-service/src/db/schema.js';
import { createEmbedder } from '../../apps/search-service/src/modules/embeddings/embedder-factory.js';
import { createIndexingWorker } from '../../apps/search-service/src/modules/indexing/indexing.worker.js';

export const BENCH_SECRET = 'bench-internal-token-secret-0123456789abcdef';

/** A named database kept between runs (created if missing), so a loaded corpus is measured again. */
async function keptDatabase(name: string) {
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database "${name}"`);
    await admin.query(`grant connect on database "${name}" to "${APP_ROLE}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    ownerUrl: urlFor(name),
    appUrl: urlFor(name, { name: APP_ROLE, password: APP_ROLE_PASSWORD }),
    drop: async () => {},
  };
}

/**
 * A database migrated like production (a scratch one, or `keep`: a named one left in place for the
 * next run), the service's app (listening on a random port) and, on demand, embedding workers in this
 * process: the same wiring as main.ts and worker.ts.
 */
export async function startSearchStack(env: Record<string, string> = {}, options: { keep?: string } = {}) {
  const database = options.keep ? await keptDatabase(options.keep) : await createTestDatabase();
  const pg = (await import('pg')).default;
  const owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
  await owner.query('create extension if not exists vector');
  await owner.end();
  await runMigrations({ ownerUrl: database.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
  const prefix = uniquePrefix('bench-search');
  const config = configSpec.schema.parse({
    NODE_ENV: 'test',
    INTERNAL_TOKEN_SECRET: BENCH_SECRET,
    REDIS_PREFIX: prefix,
    DATABASE_POOL_MAX: '20',
    // Service settings to try from the shell (EMBED_WORKER_CONCURRENCY=8, SEARCH_EF_SEARCH=400, ...).
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(EMBED|SEARCH)_/.test(k))),
    ...env,
  });
  const logger = createLogger({ service: 'bench-search', level: 'warn' });
  const db = createDb<SearchDatabase>({ connectionString: database.appUrl, max: config.DATABASE_POOL_MAX });
  const redis = createRedis(TEST_REDIS_URL);
  const workerRedis = createRedis(TEST_REDIS_URL, 'worker');
  const embedQueue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix });
  const embedder = createEmbedder(config, logger);
  const app = await buildApp({
    config,
    logger,
    metrics: createMetrics('search-service'),
    db,
    redis,
    embedQueue,
    embedder,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const workers: Array<{ close: () => Promise<void> }> = [];
  return {
    url,
    db,
    database,
    config,
    startWorker() {
      workers.push(createIndexingWorker({ config, db, embedder, connection: workerRedis, logger }));
    },
    async close() {
      for (const w of workers) await w.close();
      await app.close();
      await embedQueue.close();
      await deleteKeysWithPrefix(prefix);
      redis.disconnect();
      workerRedis.disconnect();
      await db.destroy();
      await database.drop();
    },
  };
}

/**
 * Runs `fn` once per item with `clients` callers in flight (each takes the next item when its last one
 * is answered): every call's latency, sorted, and the items per second over the whole run.
 */
export async function timeConcurrently<T>(
  items: readonly T[],
  clients: number,
  fn: (item: T) => Promise<void>,
) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t0 = performance.now();
        await fn(item);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const perSecond = items.length / ((performance.now() - started) / 1000);
  return { latencies: latencies.sort((a, b) => a - b), perSecond };
}

/** Percentile of sorted numbers. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export const machine = async () => {
  const os = await import('node:os');
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`;
};

/** A typed client of the stack's search service, signing internal tokens with the bench's secret. */
export const benchSearchClient = (url: string, timeoutMs = 60_000) =>
  createServiceClient({ service: 'search', baseUrl: url, internalTokenSecret: BENCH_SECRET, timeoutMs });
