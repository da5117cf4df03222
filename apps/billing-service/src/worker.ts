import { createLogger, loadConfigOrExit } from '@mna/shared';
import { createDb, createRedis, runWorker, startPlatformEventsRelay } from '@mna/shared/kit';
import { configSpec, daysToMs } from './config.js';
import type { BillingDatabase } from './db/schema.js';
import { BILLING_SYSTEM_SCOPE } from './db/scope.js';
import { createMailer } from './modules/dunning/mailer.js';
import { createDeliveryWorkers } from './modules/partner-webhooks/delivery.jobs.js';
import { createFanOutWorker } from './modules/partner-webhooks/fan-out.js';
import { createStripeClient } from './stripe/stripe.client.js';
import { createBillingWorkers } from './workers.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-worker`, level: config.LOG_LEVEL });
const stripe = createStripeClient(config);
if (!stripe) logger.warn('STRIPE_SECRET_KEY not set: no Stripe events to process; partner webhooks only');
const db = createDb<BillingDatabase>({
  connectionString: config.DATABASE_URL,
  max: config.DATABASE_POOL_MAX,
  applicationName: `${configSpec.service}-worker`,
});
const connection = createRedis(config.REDIS_URL, 'worker');
const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM, logger });
const billing = stripe
  ? createBillingWorkers({
      db,
      stripe,
      connection,
      prefix: config.REDIS_PREFIX,
      logger,
      mailer,
      concurrency: config.BILLING_WORKER_CONCURRENCY,
      intakeSweep: {
        everyMs: config.BILLING_INTAKE_SWEEP_SECONDS * 1_000,
        retry: { attempts: config.BILLING_WEBHOOK_ATTEMPTS, backoffMs: config.BILLING_WEBHOOK_BACKOFF_MS },
      },
      policy: {
        graceMs: daysToMs(config.BILLING_GRACE_DAYS),
        reminderDelaysMs: config.BILLING_DUNNING_DAYS.map(daysToMs),
      },
    })
  : null;
const partnerWebhooks = await createDeliveryWorkers({
  db,
  config,
  connection,
  prefix: config.REDIS_PREFIX,
  logger,
});
// Platform events: billing's own outbox (subscription and invoice changes) is relayed like every
// service's; the fan-out turns each event into partner webhook messages.
const producer = createRedis(config.REDIS_URL);
const relay = startPlatformEventsRelay({
  db,
  schema: 'billing',
  systemScope: BILLING_SYSTEM_SCOPE,
  connection: producer,
  prefix: config.REDIS_PREFIX,
  logger,
});
const fanOut = createFanOutWorker({ db, connection, prefix: config.REDIS_PREFIX, logger });

runWorker({
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [
    {
      name: 'workers',
      close: () => Promise.all([billing?.close(), partnerWebhooks.close(), fanOut.close()]),
    },
    relay,
    { name: 'mailer', close: async () => mailer.close() },
    { name: 'redis', close: () => Promise.all([connection.quit(), producer.quit()]) },
    { name: 'postgres', close: () => db.destroy() },
  ],
});
