import { createLogger, createMetrics, loadConfigOrExit } from '@mna/shared';
import { createDb, createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { configSpec } from './config.js';
import type { BillingDatabase } from './db/schema.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const db = createDb<BillingDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: configSpec.service,
});
const redis = createRedis(config.REDIS_URL);
const app = await buildApp({ config, logger, metrics, db, redis });

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
