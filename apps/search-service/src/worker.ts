import { createLogger, createQueue, loadConfigOrExit, QUEUES } from '@mna/shared';
import { createDb, createRedis, runWorker, startPlatformEventsRelay } from '@mna/shared/kit';
import { configSpec } from './config.js';
import type { SearchDatabase } from './db/schema.js';
import { createEmbedder } from './modules/embeddings/embedder-factory.js';
import { createEmbedEnqueuer } from './modules/indexing/indexing.queue.js';
import { createIndexingWorker } from './modules/indexing/indexing.worker.js';
import { reembedStaleVectors } from './modules/indexing/reembed.js';

// The embedding worker: its own process, scaled separately from the HTTP service.
const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-worker`, level: config.LOG_LEVEL });
const db = createDb<SearchDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: `${configSpec.service}-worker`,
});
const redis = createRedis(config.REDIS_URL, 'worker');
const embedder = createEmbedder(config, logger);
const worker = createIndexingWorker({ config, db, embedder, connection: redis, logger });
logger.info({ provider: embedder.provider, model: embedder.model }, 'embedding provider');
// document.indexed / document.failed, committed with the status change, go on to platform-events.
const producer = createRedis(config.REDIS_URL);
const relay = startPlatformEventsRelay({
  db,
  schema: 'search',
  connection: producer,
  prefix: config.REDIS_PREFIX,
  logger,
});
// Vectors of another model (a changed provider or local model) are re-embedded in the background
// through the same queue; until then searches skip them (they compare only the current model's).
const embedQueue = createQueue(QUEUES.searchEmbed, { connection: producer, prefix: config.REDIS_PREFIX });
const owner = createDb<SearchDatabase>({ connectionString: config.MIGRATION_DATABASE_URL, max: 1 });
const reembed = reembedStaleVectors({
  owner,
  db,
  enqueueEmbed: createEmbedEnqueuer(embedQueue, {
    attempts: config.EMBED_JOB_ATTEMPTS,
    backoffMs: config.EMBED_JOB_BACKOFF_MS,
  }),
  model: embedder.model,
  logger,
})
  .catch((error: unknown) =>
    logger.error({ err: error }, 're-embedding sweep failed; it runs again at the next start'),
  )
  .finally(() => owner.destroy());

runWorker({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'worker', close: () => worker.close() },
    { name: 're-embedding sweep', close: () => reembed.then(() => embedQueue.close()) },
    relay,
    { name: 'redis', close: () => Promise.all([redis.quit(), producer.quit()]) },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
