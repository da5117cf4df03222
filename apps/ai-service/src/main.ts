import { createLogger, createMetrics, loadConfigOrExit } from '@mna/shared';
import { createDb, createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { configSpec } from './config.js';
import type { AiDatabase } from './db/schema.js';
import { createAiQueues } from './queues.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const db = createDb<AiDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: configSpec.service,
});
const redis = createRedis(config.REDIS_URL);
const queues = createAiQueues(redis, config.REDIS_PREFIX);
if (!config.ANTHROPIC_API_KEY) logger.warn('ANTHROPIC_API_KEY not set: deal analysis uses the local analyst');
const app = await buildApp({ config, logger, metrics, db, redis, ...queues });

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  closers: [
    { name: 'queues', close: () => Promise.all([queues.dealQueue.close(), queues.graphQueue.close()]) },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
