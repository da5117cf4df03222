import { createLogger, createMetrics, loadConfigOrExit } from '@mna/shared';
import { createDb, createRedis, runWorker, startPlatformEventsRelay } from '@mna/shared/kit';
import { configSpec } from './config.js';
import type { AiDatabase } from './db/schema.js';
import { createAiQueues } from './queues.js';
import { createAiServices } from './services.js';
import { startAiWorkers } from './workers.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-worker`, level: config.LOG_LEVEL });
const metrics = createMetrics(`${configSpec.service}-worker`);
const db = createDb<AiDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: `${configSpec.service}-worker`,
});
const redis = createRedis(config.REDIS_URL);
const workerRedis = createRedis(config.REDIS_URL, 'worker');
const queues = createAiQueues(redis, config.REDIS_PREFIX);
const services = createAiServices({ config, logger, metrics, db, redis, ...queues });
const workers = startAiWorkers({
  services,
  connection: workerRedis,
  prefix: `${config.REDIS_PREFIX}:bull`,
  concurrency: config.WORKER_CONCURRENCY,
  inlineBetweennessMaxNodes: config.INLINE_BETWEENNESS_MAX_NODES,
  logger,
});
// deal.analyzed events, committed with each analysis' audit row, go on to platform-events (under the
// platform's prefix, where billing's fan-out reads them, not the AI queues' own).
const relay = startPlatformEventsRelay({
  db,
  schema: 'ai',
  connection: redis,
  prefix: config.REDIS_PREFIX,
  logger,
});

runWorker({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'workers', close: () => workers.close() },
    relay,
    { name: 'queues', close: () => Promise.all([queues.dealQueue.close(), queues.graphQueue.close()]) },
    { name: 'search', close: () => services.search.close() },
    { name: 'redis', close: () => Promise.all([redis.quit(), workerRedis.quit()]) },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
