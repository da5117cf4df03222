import { createLogger, loadConfigOrExit } from '@mna/shared';
import { createDb, createRedis, runWorker } from '@mna/shared/kit';
import { configSpec, daysToMs } from './config.js';
import type { BillingDatabase } from './db/schema.js';
import { createMailer } from './modules/dunning/mailer.js';
import { createStripeClient } from './stripe/stripe.client.js';
import { createBillingWorkers } from './workers.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-worker`, level: config.LOG_LEVEL });
const stripe = createStripeClient(config);
if (!stripe) {
  logger.warn('STRIPE_SECRET_KEY not set: there are no Stripe events to process; the worker exits');
  process.exit(0);
}
const db = createDb<BillingDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: `${configSpec.service}-worker`,
});
const connection = createRedis(config.REDIS_URL, 'worker');
const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM, logger });
const billing = createBillingWorkers({
  db,
  stripe,
  connection,
  prefix: config.REDIS_PREFIX,
  logger,
  mailer,
  concurrency: config.BILLING_WORKER_CONCURRENCY,
  policy: {
    graceMs: daysToMs(config.BILLING_GRACE_DAYS),
    reminderDelaysMs: config.BILLING_DUNNING_DAYS.map(daysToMs),
  },
});

runWorker({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    { name: 'workers', close: () => billing.close() },
    { name: 'mailer', close: async () => mailer.close() },
    { name: 'redis', close: () => connection.quit() },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
