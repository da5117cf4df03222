import { createLogger, createMetrics, createQueue, loadConfigOrExit, QUEUES } from '@mna/shared';
import { createDb, createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { configSpec } from './config.js';
import type { SearchDatabase } from './db/schema.js';
import { createEmbedder } from './modules/embeddings/embedder-factory.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const db = createDb<SearchDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: configSpec.service,
});
const redis = createRedis(config.REDIS_URL);
const embedQueue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix: config.REDIS_PREFIX });
const embedder = createEmbedder(config, logger);
logger.info({ provider: embedder.provider, model: embedder.model }, 'embedding provider');
const app = await buildApp({ config, logger, metrics, db, redis, embedQueue, embedder });

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  closers: [
    { name: 'queue', close: () => embedQueue.close() },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
