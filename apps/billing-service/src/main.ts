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
const queueSettings = { connection: redis, prefix: config.REDIS_PREFIX };
const eventsQueue = createQueue(QUEUES.billingStripeEvents, queueSettings);
// Read only here, for the bullmq_queue_* gauges; the worker process produces and consumes these.
const observedQueues = [
  createQueue(QUEUES.billingDunning, queueSettings),
  createQueue(QUEUES.billingNotifications, queueSettings),
];
const stripe = createStripeClient(config);
const devPlan = devPlanOverride(config);
if (!stripe) logger.warn({ devPlan }, 'STRIPE_SECRET_KEY not set: catalog and entitlements only');
const app = await buildApp({
  config,
  logger,
  metrics,
  db,
  redis,
  stripe,
  eventsQueue,
  observedQueues,
  devPlan,
});

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  closers: [
    { name: 'queues', close: () => Promise.all([eventsQueue, ...observedQueues].map((q) => q.close())) },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
