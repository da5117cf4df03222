import { createLogger, createMetrics, loadConfigOrExit } from '@mna/shared';
import { createRedis, runWorker } from '@mna/shared/kit';
import { configSpec } from './config.js';
import { createAiQueues } from './queues.js';
import { createAiServices } from './services.js';
import { startAiWorkers } from './workers.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-worker`, level: config.LOG_LEVEL });
const metrics = createMetrics(`${configSpec.service}-worker`);
const redis = createRedis(config.REDIS_URL);
const workerRedis = createRedis(config.REDIS_URL, 'worker');
const queues = createAiQueues(redis, config.REDIS_PREFIX);
const services = createAiServices({ config, logger, metrics, redis, ...queues });
const workers = startAiWorkers({
  services,
  connection: workerRedis,
  prefix: `${config.REDIS_PREFIX}:bull`,
  concurrency: config.WORKER_CONCURRENCY,
  inlineBetweennessMaxNodes: config.INLINE_BETWEENNESS_MAX_NODES,
  logger,
});

runWorker({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'workers', close: () => workers.close() },
    { name: 'queues', close: () => Promise.all([queues.dealQueue.close(), queues.graphQueue.close()]) },
    { name: 'search', close: () => services.search.close() },
    { name: 'redis', close: () => Promise.all([redis.quit(), workerRedis.quit()]) },
  ],
});
