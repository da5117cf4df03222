import { createLogger, createMetrics, createQueue, loadConfigOrExit, QUEUES } from '@mna/shared';
import { createDb, createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { configSpec, devPlanOverride } from './config.js';
import type { BillingDatabase } from './db/schema.js';
import { createStripeClient } from './stripe/stripe.client.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const db = createDb<BillingDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: configSpec.service,
});
const redis = createRedis(config.REDIS_URL);
const eventsQueue = createQueue(QUEUES.billingStripeEvents, {
  connection: redis,
  prefix: config.REDIS_PREFIX,
});
const stripe = createStripeClient(config);
const devPlan = devPlanOverride(config);
if (!stripe) logger.warn({ devPlan }, 'STRIPE_SECRET_KEY not set: catalog and entitlements only');
const app = await buildApp({ config, logger, metrics, db, redis, stripe, eventsQueue, devPlan });

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'queue', close: () => eventsQueue.close() },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
