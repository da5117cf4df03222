import { createLogger, createQueue, loadConfigOrExit, QUEUES } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import { configSpec } from '../src/config.js';
import type { BillingDatabase } from '../src/db/schema.js';
import { reconcileAll } from '../src/modules/subscriptions/reconcile.js';
import { createSubscriptionSync, syncCustomerWith } from '../src/modules/subscriptions/subscriptions.sync.js';
import { createWebhooksRepo } from '../src/modules/webhooks/webhooks.repo.js';
import { createWebhooksService } from '../src/modules/webhooks/webhooks.service.js';
import { createStripeClient } from '../src/stripe/stripe.client.js';

// `pnpm billing:reconcile`: re-syncs every customer from Stripe and re-queues events stored but never
// processed (older than five minutes).
const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-reconcile`, level: config.LOG_LEVEL });
const stripe = createStripeClient(config);
if (!stripe) {
  process.stderr.write('billing:reconcile needs STRIPE_SECRET_KEY\n');
  process.exit(1);
}
const db = createDb<BillingDatabase>({ connectionString: config.DATABASE_URL, max: 2 });
const redis = createRedis(config.REDIS_URL);
const queue = createQueue(QUEUES.billingStripeEvents, { connection: redis, prefix: config.REDIS_PREFIX });
try {
  const sync = syncCustomerWith(createSubscriptionSync({ db, stripe }));
  const report = await reconcileAll({ db, stripe, sync });
  const webhooks = createWebhooksService({
    repo: createWebhooksRepo(db),
    queue,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    toleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    retry: { attempts: config.BILLING_WEBHOOK_ATTEMPTS, backoffMs: config.BILLING_WEBHOOK_BACKOFF_MS },
  });
  const requeued = await webhooks.requeueStale(new Date(Date.now() - 5 * 60_000));
  logger.info({ ...report, requeued }, 'reconcile done');
  console.log(
    `customers ${report.customers}, synced ${report.synced}, failed ${report.failed.length}, requeued events ${requeued}`,
  );
  process.exitCode = report.failed.length > 0 ? 1 : 0;
} finally {
  await queue.close();
  redis.disconnect();
  await db.destroy();
}
